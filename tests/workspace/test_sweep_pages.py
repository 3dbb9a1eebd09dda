"""Registry administrators start status sweeps from the admin and the workspace page."""

import pytest
from django.urls import reverse

from status_checks.choices import SweepScope
from status_checks.models import StatusSweep
from tests.factories import CredentialFactory
from tests.personas import make_personas

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("a_admin", 302), ("reviewer", 302), ("registry_admin", 200)],
)
def test_only_staff_see_the_sweeps_page(client, persona, status):
    personas = make_personas()
    user = personas.by_name(persona)
    if user:
        client.force_login(user)

    response = client.get(reverse("workspace:sweeps"))

    assert response.status_code == status
    if status == 302:
        assert "login" in response.url


def test_staff_start_a_credential_sweep_and_see_it_listed(
    client, django_capture_on_commit_callbacks
):
    personas = make_personas()
    credential = CredentialFactory(registration_number="603/2476/0")
    client.force_login(personas.registry_admin)

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("workspace:sweeps"), {"scope": "credential", "credential": "60324760"})

    sweep = StatusSweep.objects.get()
    assert (sweep.scope, sweep.credential, sweep.requested_by) == (
        SweepScope.CREDENTIAL,
        credential,
        personas.registry_admin,
    )
    assert len(callbacks) == 1
    page = client.get(reverse("workspace:sweeps")).content.decode()
    assert "603/2476/0" in page and 'hx-trigger="every 2s"' in page


def test_unknown_credential_is_a_clear_error_and_starts_nothing(client):
    personas = make_personas()
    client.force_login(personas.registry_admin)

    response = client.post(
        reverse("workspace:sweeps"),
        {"scope": "credential", "credential": "999/9999/9"},
        follow=True,
    )

    assert "No credential with that registration number" in response.content.decode()
    assert not StatusSweep.objects.exists()


def test_admin_action_queues_a_provider_sweep(admin_client):
    credential = CredentialFactory()

    admin_client.post(
        reverse("admin:providers_provider_changelist"),
        {"action": "check_status", "_selected_action": [credential.provider.pk]},
    )

    assert StatusSweep.objects.get().provider == credential.provider
