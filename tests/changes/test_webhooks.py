"""Webhooks through their services, against a real HTTP receiver on 127.0.0.1."""

import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from changes.choices import DeliveryState, SubscriptionState
from changes.feed import cursor_encode
from changes.models import ChangeEvent, WebhookAttempt, WebhookDelivery
from changes.webhooks.services import (
    webhook_attempt,
    webhook_dispatch,
    webhook_paused_notify,
    webhook_reap,
    webhook_subscription_create,
    webhook_subscription_replay,
    webhook_subscription_resume,
)
from changes.webhooks.signing import signature_valid
from credentials.models import Credential
from tests.changes.events import fire_event_triggers
from tests.changes.receiver import receiver
from tests.factories import CredentialFactory, MembershipFactory, ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    return ProviderFactory()


@pytest.fixture
def admin(provider):
    return MembershipFactory(provider=provider, role="admin", user__email="ops@example.org").user


def _subscribe(admin, provider, url, **kwargs):
    return webhook_subscription_create(
        actor=admin, name="Mirror", target_url=url, provider=provider, **kwargs
    )


def _change(provider, **values):
    credential = CredentialFactory(provider=provider, **values)
    fire_event_triggers()
    return credential


def _send_all() -> None:
    for delivery in WebhookDelivery.objects.filter(state=DeliveryState.PENDING):
        webhook_attempt(delivery_id=delivery.pk)


def test_a_delivery_is_signed_and_verifies(admin, provider):
    with receiver() as hook:
        created = _subscribe(admin, provider, hook.url)
        credential = _change(provider)

        assert webhook_dispatch() == 1
        _send_all()
        [request] = hook.wait_for(1)

    headers = request.headers
    assert signature_valid(
        secret=created.secret,
        message_id=headers["webhook-id"],
        timestamp=int(headers["webhook-timestamp"]),
        body=request.body,
        header=headers["webhook-signature"],
    )
    tampered = request.body.replace(b"created", b"removed")
    assert not signature_valid(
        secret=created.secret,
        message_id=headers["webhook-id"],
        timestamp=int(headers["webhook-timestamp"]),
        body=tampered,
        header=headers["webhook-signature"],
    )
    body = json.loads(request.body)
    assert body["type"] == "registry.change"
    assert body["data"]["kind"] == "created"
    assert body["data"]["record"]["id"] == credential.pk
    assert (
        body["data"]["record"]["url"]
        == f"http://localhost:8000/api/v1/credentials/{credential.pk}/"
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.DELIVERED
    assert headers["webhook-id"] == f"msg_{delivery.subscription_id}_{delivery.event_id}"
    attempt = WebhookAttempt.objects.get()
    assert (attempt.status_code, attempt.succeeded) == (204, True)


def test_only_the_subscriptions_provider_and_kinds_are_delivered(admin, provider):
    with receiver() as hook:
        _subscribe(admin, provider, hook.url, kinds=["status_changed"])
        mine = _change(provider)
        _change(ProviderFactory())
        Credential.objects.filter(pk=mine.pk).update(status="suspended")
        fire_event_triggers()

        webhook_dispatch()

    assert [d.event.kind for d in WebhookDelivery.objects.select_related("event")] == [
        "status_changed"
    ]


def test_a_failed_attempt_is_retried_with_backoff_then_delivered(admin, provider):
    with receiver(answers=[500]) as hook:
        _subscribe(admin, provider, hook.url)
        _change(provider)
        webhook_dispatch()
        delivery = WebhookDelivery.objects.get()

        retry_in = webhook_attempt(delivery_id=delivery.pk)

        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.PENDING
        assert 15 <= retry_in <= 30  # base 30 s, jittered down by up to half
        assert delivery.next_attempt_at > timezone.now()
        assert webhook_attempt(delivery_id=delivery.pk) == pytest.approx(retry_in, abs=1.5)
        assert len(hook.requests) == 1, "an early task must not send before the backoff"

        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert webhook_attempt(delivery_id=delivery.pk) is None
        hook.wait_for(2)

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 2)
    assert [(a.status_code, a.succeeded) for a in delivery.attempt_log.all()] == [
        (500, False),
        (204, True),
    ]


def test_a_delivered_event_is_not_sent_twice(admin, provider):
    with receiver() as hook:
        _subscribe(admin, provider, hook.url)
        _change(provider)
        webhook_dispatch()
        webhook_dispatch()  # the beat running again
        delivery = WebhookDelivery.objects.get()

        for _ in range(3):  # a duplicate task, a redelivered message, the reaper
            webhook_attempt(delivery_id=delivery.pk)
        webhook_reap()

    assert len(hook.requests) == 1
    assert WebhookAttempt.objects.count() == 1


@override_settings(WEBHOOK_PAUSE_AFTER_FAILURES=3)
def test_repeated_failures_pause_and_tell_the_owner_and_resume_sends_what_waited(admin, provider):
    with receiver(answers=[503, 503, 503]) as hook:
        subscription = _subscribe(admin, provider, hook.url).subscription
        for _ in range(3):
            _change(provider)
        webhook_dispatch()
        _send_all()

        subscription.refresh_from_db()
        assert subscription.state == SubscriptionState.PAUSED
        assert "3 failed attempts in a row" in subscription.pause_reason
        assert webhook_paused_notify(subscription_id=subscription.pk)
        assert mail.outbox[0].to == ["ops@example.org"]
        assert "resume" in mail.outbox[0].body

        _change(provider)
        webhook_dispatch()
        _send_all()
        assert len(hook.requests) == 3, "a paused subscription sends nothing"

        webhook_subscription_resume(actor=admin, subscription=subscription)
        _send_all()
        hook.wait_for(7)

    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_replay_sends_again_from_a_cursor(admin, provider):
    with receiver() as hook:
        subscription = _subscribe(admin, provider, hook.url).subscription
        first, second = _change(provider), _change(provider)
        webhook_dispatch()
        _send_all()
        hook.wait_for(2)
        cursor = cursor_encode(ChangeEvent.objects.get(credential=first).pk)

        replay = webhook_subscription_replay(actor=admin, subscription=subscription, after=cursor)
        _send_all()
        requests = hook.wait_for(3)

    assert replay.deliveries == 1
    assert json.loads(requests[2].body)["data"]["record"]["id"] == second.pk
    original = next(
        r for r in requests[:2] if json.loads(r.body)["data"]["record"]["id"] == second.pk
    )
    assert requests[2].headers["webhook-id"] == original.headers["webhook-id"]
    assert WebhookDelivery.objects.get(event__credential=second).replays == 1


def test_replay_refuses_a_bad_cursor(admin, provider):
    subscription = _subscribe(admin, provider, "https://hooks.example.org/").subscription

    with pytest.raises(ValidationError, match="Not a cursor"):
        webhook_subscription_replay(actor=admin, subscription=subscription, after="nonsense")


def test_a_subscription_starts_at_the_feeds_head(admin, provider):
    _change(provider)
    subscription = _subscribe(admin, provider, "https://hooks.example.org/").subscription

    assert webhook_dispatch() == 0
    assert subscription.dispatched_through == ChangeEvent.objects.get().pk


def test_a_provider_admin_subscribes_only_to_their_own_provider(admin, provider):
    with pytest.raises(PermissionDenied):
        _subscribe(admin, ProviderFactory(), "https://hooks.example.org/")
    with pytest.raises(ValidationError, match="Choose the provider"):
        webhook_subscription_create(actor=admin, name="x", target_url="https://hooks.example.org/")
    with pytest.raises(PermissionDenied):
        webhook_subscription_create(
            actor=admin, name="x", target_url="https://h.example.org/", owner=UserFactory()
        )


def test_a_registry_admin_registers_an_aggregator_for_every_provider():
    staff, aggregator = UserFactory(is_staff=True), UserFactory()

    created = webhook_subscription_create(
        actor=staff, name="Aggregator", target_url="https://hooks.example.org/", owner=aggregator
    )

    assert created.subscription.owner == aggregator
    assert created.subscription.registered_by == staff
    assert created.subscription.provider is None
    assert created.secret.startswith("whsec_")


@override_settings(WEBHOOK_ALLOW_HTTP=False, WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/", "must use https"),
        ("https://127.0.0.1/hook", "private, loopback or reserved"),
        ("https://10.1.2.3/hook", "private, loopback or reserved"),
        ("https://[::1]/hook", "private, loopback or reserved"),
        ("https://169.254.169.254/latest", "private, loopback or reserved"),
        ("https://user:pw@hooks.example.org/", "user name or password"),
    ],
)
def test_target_urls_must_be_public_https(admin, provider, url, message):
    with pytest.raises(ValidationError, match=message) as error:
        _subscribe(admin, provider, url)

    assert "target_url" in error.value.message_dict


@override_settings(WEBHOOK_ALLOW_HTTP=False, WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
def test_a_public_address_is_accepted(admin, provider):
    created = _subscribe(admin, provider, "https://93.184.215.14/hook")

    assert created.subscription.pk
