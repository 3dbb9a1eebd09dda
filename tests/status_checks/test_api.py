"""Registry administrators start sweeps over the API and follow their progress."""

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from status_checks.choices import SweepScope, SweepState
from status_checks.models import StatusSweep
from status_checks.services import status_sweep_run_inline, status_sweep_start
from tests.factories import CredentialFactory, MembershipFactory, ProviderFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.status_checks.urls")]

URL = "/api/v1/status-sweeps/"


@pytest.fixture
def staff_client() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(username="registry-staff", is_staff=True))
    return client


def test_anonymous_and_provider_admins_may_not_start_or_read_sweeps():
    provider_admin = MembershipFactory().user
    client = APIClient()

    assert client.post(URL, {"scope": "register"}).status_code == 403
    client.force_authenticate(provider_admin)
    assert client.post(URL, {"scope": "register"}).status_code == 403
    assert client.get(URL).status_code == 403
    assert not StatusSweep.objects.exists()


def test_staff_start_a_provider_sweep_queued_after_commit(
    staff_client, django_capture_on_commit_callbacks
):
    provider = ProviderFactory(slug="harbour")

    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client.post(URL, {"scope": "provider", "provider": "harbour"})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["scope"], body["provider"], body["state"]) == ("provider", "harbour", "queued")
    assert body["requested_by"] == "registry-staff"
    assert len(callbacks) == 1
    assert StatusSweep.objects.get().provider == provider


def test_staff_check_one_credential_by_registration_number(staff_client):
    credential = CredentialFactory(registration_number="24/000777/L4")

    response = staff_client.post(URL, {"scope": "credential", "credential": "24-000777-l4"})

    assert response.status_code == 201
    assert response.json()["credential"] == "24/000777/L4"
    assert StatusSweep.objects.get().credential == credential


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"scope": "provider"}, "provider", "A provider sweep needs a provider."),
        ({"scope": "provider", "provider": "nope"}, "provider", "Object with slug=nope"),
        ({"scope": "credential"}, "credential", "needs a registration number"),
        (
            {"scope": "credential", "credential": "00/000000/L0"},
            "credential",
            "No credential has this registration number.",
        ),
        ({"scope": "everything"}, "scope", '"everything" is not a valid choice.'),
    ],
)
def test_bad_requests_say_what_is_wrong(staff_client, payload, field, message):
    response = staff_client.post(URL, payload)

    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not StatusSweep.objects.exists()


def test_progress_and_changes_found_are_readable(staff_client):
    sweep = StatusSweep.objects.create(
        scope=SweepScope.REGISTER, state=SweepState.RUNNING, total=8, checked=2, changes=1
    )

    body = staff_client.get(reverse("api:status-sweep-detail", args=[sweep.pk])).json()

    assert (body["checked"], body["total"], body["changes"], body["progress"]) == (2, 8, 1, 0.25)


def test_a_sweeps_checks_can_be_filtered_by_outcome(staff_client, today):
    CredentialFactory(valid_to=today - timedelta(days=1), registration_number="24/000001/L4")
    CredentialFactory(valid_to=today + timedelta(days=500))
    sweep = status_sweep_start(scope=SweepScope.REGISTER, enqueue=False)
    status_sweep_run_inline(sweep=sweep, alert_delivery="none")

    url = reverse("api:status-sweep-checks", args=[sweep.pk])
    body = staff_client.get(url, {"outcome": "changed"}).json()

    assert body["count"] == 1
    assert body["results"][0]["registration_number"] == "24/000001/L4"
    assert body["results"][0]["new_status"] == "expired"
