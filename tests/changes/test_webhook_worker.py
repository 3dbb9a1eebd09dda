"""Webhooks end to end: a real Celery worker sends to a real receiver on 127.0.0.1."""

import json
import time

import pytest
from rest_framework.test import APIClient

from changes.choices import DeliveryState, SubscriptionState
from changes.models import WebhookDelivery, WebhookSubscription
from changes.webhooks.services import DELIVER_TASK, webhook_dispatch, webhook_subscription_create
from changes.webhooks.signing import signature_valid
from config.celery_app import app
from tests.celery_worker import running_worker
from tests.changes.receiver import receiver
from tests.factories import CredentialFactory, MembershipFactory, ProviderFactory

pytestmark = pytest.mark.usefixtures("committed_db")

FAST_RETRIES = {"WEBHOOK_RETRY_BASE_SECONDS": "0.3", "WEBHOOK_RETRY_MAX_SECONDS": "1"}


def _wait(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def _subscription(url):
    provider = ProviderFactory()
    admin = MembershipFactory(provider=provider, role="admin").user
    created = webhook_subscription_create(
        actor=admin, name="Mirror", target_url=url, provider=provider
    )
    return provider, admin, created


def test_signed_retried_after_a_failure_not_sent_twice_and_replayed():
    with receiver(answers=[500]) as hook, running_worker(env=FAST_RETRIES):
        provider, admin, created = _subscription(hook.url)
        credential = CredentialFactory(provider=provider)

        assert webhook_dispatch() == 1  # queues the delivery task once committed
        first, second = hook.wait_for(2)
        delivery = WebhookDelivery.objects.get()
        _wait(lambda: WebhookDelivery.objects.get().state == DeliveryState.DELIVERED)

        # The same task again, twice: a duplicate run and a redelivered message.
        app.send_task(DELIVER_TASK, args=[delivery.pk])
        app.send_task(DELIVER_TASK, args=[delivery.pk])
        time.sleep(2)
        assert len(hook.requests) == 2

        client = APIClient()
        client.force_authenticate(admin)
        response = client.post(
            f"/api/v1/webhooks/{created.subscription.pk}/replay/", {"after": ""}, format="json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["deliveries"] == 1
        replayed = hook.wait_for(3)[2]

    for request in (second, replayed):
        assert signature_valid(
            secret=created.secret,
            message_id=request.headers["webhook-id"],
            timestamp=int(request.headers["webhook-timestamp"]),
            body=request.body,
            header=request.headers["webhook-signature"],
        )
    assert json.loads(second.body)["data"]["record"]["id"] == credential.pk
    assert first.body == second.body
    delivery.refresh_from_db()
    assert delivery.replays == 1
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 204, 204]


def test_repeated_failures_pause_the_subscription():
    env = {**FAST_RETRIES, "WEBHOOK_PAUSE_AFTER_FAILURES": "3"}
    with receiver(answers=[500] * 10) as hook, running_worker(env=env):
        provider, _admin, _created = _subscription(hook.url)
        CredentialFactory(provider=provider)

        webhook_dispatch()
        hook.wait_for(3)
        _wait(lambda: WebhookSubscription.objects.get().state == SubscriptionState.PAUSED)
        time.sleep(2)

    assert len(hook.requests) == 3
    subscription = WebhookSubscription.objects.get()
    assert subscription.consecutive_failures == 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 3)
