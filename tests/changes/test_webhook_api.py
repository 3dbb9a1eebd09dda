"""/api/v1/webhooks/: the secret once, each subscriber their own, the delivery log."""

import pytest
from rest_framework.test import APIClient

from changes.models import WebhookDelivery
from changes.webhooks.services import webhook_attempt, webhook_dispatch
from tests.changes.events import fire_event_triggers
from tests.changes.receiver import receiver
from tests.factories import CredentialFactory, MembershipFactory, ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/webhooks/"


@pytest.fixture
def provider():
    return ProviderFactory()


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_secret_is_in_the_creation_answer_only(provider):
    admin = MembershipFactory(provider=provider, role="admin").user
    client = _client(admin)

    created = client.post(
        URL,
        {"name": "Mirror", "target_url": "https://hooks.example.org/", "provider": provider.slug},
        format="json",
    )

    assert created.status_code == 201, created.content
    assert created.json()["secret"].startswith("whsec_")
    listed = client.get(URL).json()["results"]
    assert [s["name"] for s in listed] == ["Mirror"]
    assert "secret" not in listed[0]
    assert "secret" not in client.get(f"{URL}{created.json()['id']}/").json()


def test_only_registry_staff_name_another_owner_and_unknown_names_stay_unknown(provider):
    admin = MembershipFactory(provider=provider, role="admin").user
    body = {"name": "x", "target_url": "https://hooks.example.org/", "owner": "nobody-such"}

    assert _client(admin).post(URL, body, format="json").status_code == 403
    staff = UserFactory(is_staff=True)
    answer = _client(staff).post(URL, body, format="json")
    assert answer.status_code == 400
    assert "owner" in answer.json()


@pytest.mark.parametrize("body", [True, 7, ["owner"], "owner"])
def test_a_body_that_is_not_an_object_is_a_400(provider, body):
    """Found by the schema fuzz: `true` as the body was a 500 (`"owner" in True`)."""
    admin = MembershipFactory(provider=provider, role="admin").user

    answer = _client(admin).post(URL, body, format="json")

    assert answer.status_code == 400
    assert "non_field_errors" in answer.json()


def test_an_editor_may_not_subscribe_to_their_provider(provider):
    editor = MembershipFactory(provider=provider, role="editor").user

    answer = _client(editor).post(
        URL,
        {"name": "x", "target_url": "https://hooks.example.org/", "provider": provider.slug},
        format="json",
    )

    assert answer.status_code == 403


def test_the_delivery_log_shows_each_attempt(provider, django_assert_max_num_queries):
    admin = MembershipFactory(provider=provider, role="admin").user
    client = _client(admin)
    with receiver(answers=[500]) as hook:
        pk = client.post(
            URL, {"name": "Mirror", "target_url": hook.url, "provider": provider.slug}
        ).json()["id"]
        for _ in range(3):
            CredentialFactory(provider=provider)
        fire_event_triggers()
        webhook_dispatch()
        for delivery in WebhookDelivery.objects.all():
            webhook_attempt(delivery_id=delivery.pk)

    with django_assert_max_num_queries(8):
        log = client.get(f"{URL}{pk}/deliveries/").json()["results"]

    assert len(log) == 3
    failed = [d for d in log if d["state"] == "pending"]
    assert len(failed) == 1
    assert failed[0]["attempt_log"][0]["status_code"] == 500
    assert failed[0]["webhook_id"].startswith(f"msg_{pk}_")
