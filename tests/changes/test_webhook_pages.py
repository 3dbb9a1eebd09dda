"""The workspace's webhook pages: subscribe (secret shown once), the log, pause and resume."""

import pytest
from django.test import Client

from changes.choices import SubscriptionState
from changes.models import WebhookSubscription
from tests.factories import MembershipFactory, ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    provider = ProviderFactory(name_en="Harbour College")
    admin = MembershipFactory(provider=provider, role="admin").user
    client = Client()
    client.force_login(admin)
    return client, provider


def test_subscribing_shows_the_secret_once(admin_client):
    client, provider = admin_client
    ProviderFactory(name_en="Someone Else")

    form = client.get("/workspace/webhooks/").content.decode()
    assert "Harbour College" in form and "Someone Else" not in form

    response = client.post(
        "/workspace/webhooks/",
        {"name": "Mirror", "target_url": "https://hooks.example.org/in", "provider": provider.pk},
    )
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret in response.content.decode()
    assert subscription.secret not in client.get("/workspace/webhooks/").content.decode()
    detail = client.get(f"/workspace/webhooks/{subscription.pk}/").content.decode()
    assert subscription.secret not in detail
    assert "Delivery log" in detail


def test_a_bad_subscription_is_400_with_the_reason(admin_client):
    client, _provider = admin_client

    response = client.post(
        "/workspace/webhooks/", {"name": "Mirror", "target_url": "https://hooks.example.org/"}
    )

    assert response.status_code == 400
    assert "Choose the provider" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_pause_and_resume_from_the_page(admin_client):
    client, provider = admin_client
    client.post(
        "/workspace/webhooks/",
        {"name": "Mirror", "target_url": "https://hooks.example.org/in", "provider": provider.pk},
    )
    subscription = WebhookSubscription.objects.get()

    client.post(f"/workspace/webhooks/{subscription.pk}/pause/", {"reason": "Maintenance"})
    subscription.refresh_from_db()
    assert (subscription.state, subscription.pause_reason) == (
        SubscriptionState.PAUSED,
        "Maintenance",
    )

    client.post(f"/workspace/webhooks/{subscription.pk}/resume/")
    subscription.refresh_from_db()
    assert subscription.state == SubscriptionState.ACTIVE

    response = client.post(
        f"/workspace/webhooks/{subscription.pk}/replay/", {"after": "nonsense"}, follow=True
    )
    assert "Not a cursor of this feed" in response.content.decode()
