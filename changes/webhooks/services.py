"""Webhook subscriptions and deliveries: who may subscribe, fan-out, sending, pause, replay.

PostgreSQL is the record of work: ``webhook_dispatch`` gives every matching event one
``WebhookDelivery`` row per subscription (unique), a worker claims a pending row before it
sends (``webhook_attempt``) and records the outcome after; a delivered row is never sent
again, whatever the broker repeats. ``webhook_reap`` re-queues what is due and unsent.
"""

import datetime
import json
import logging
import random
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from config.celery_app import app
from config.types import User
from providers.models import Provider
from providers.roles import is_provider_admin, is_registry_admin
from qualifications.models import Framework

from ..choices import DeliveryState, EventKind, SubscriptionState
from ..feed import CursorError, FeedFilter, change_events, cursor_decode, feed_head
from ..models import ChangeEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription
from ..serializers import event_data
from .signing import secret_generate, signed_headers
from .targets import target_url_check

logger = logging.getLogger(__name__)

DISPATCH_BATCH = 1000
DELIVER_TASK = "changes.tasks.webhook_deliver_task"
PAUSED_NOTIFY_TASK = "changes.tasks.webhook_paused_notify_task"
ERROR_LIMIT = 500


# --- Who may see and change a subscription -------------------------------------------------


def subscriptions_for(user: User) -> QuerySet[WebhookSubscription]:
    """Subscriptions a user manages: their own; registry administrators see every one."""
    queryset = WebhookSubscription.objects.select_related("provider", "framework", "owner")
    if is_registry_admin(user):
        return queryset
    return queryset.filter(owner=user)


def _feed_filter(subscription: WebhookSubscription) -> FeedFilter:
    return FeedFilter(
        provider_ids=[subscription.provider_id] if subscription.provider_id else [],
        framework_ids=[subscription.framework_id] if subscription.framework_id else [],
        kinds=list(subscription.kinds),
    )


def _check_kinds(kinds: list[str]) -> list[str]:
    unknown = sorted(set(kinds) - set(EventKind.values))
    if unknown:
        raise ValidationError(
            {
                "kinds": _("Unknown kinds of change: %(kinds)s. Use %(known)s.")
                % {"kinds": ", ".join(unknown), "known": ", ".join(EventKind.values)}
            }
        )
    return list(dict.fromkeys(kinds))


@dataclass(frozen=True)
class CreatedSubscription:
    """A new subscription and its secret: the only time the secret is shown."""

    subscription: WebhookSubscription
    secret: str


@transaction.atomic
def webhook_subscription_create(
    *,
    actor: User,
    name: str,
    target_url: str,
    provider: Provider | None = None,
    framework: Framework | None = None,
    kinds: list[str] | None = None,
    owner: User | None = None,
) -> CreatedSubscription:
    """Subscribe a URL to the feed from now on.

    A provider's administrator subscribes to their own provider's records. A registry
    administrator registers any subscriber (an aggregator, an employer: ``owner``), with or
    without a provider filter.
    """
    staff = is_registry_admin(actor)
    if owner is not None and owner != actor and not staff:
        raise PermissionDenied(_("Only a registry administrator registers other subscribers."))
    if not staff:
        if provider is None:
            raise ValidationError(
                {"provider": _("Choose the provider whose records you subscribe to.")}
            )
        if not is_provider_admin(actor, provider.pk):
            raise PermissionDenied(
                _("Only the provider's administrators subscribe to its records.")
            )
    try:
        target_url_check(target_url)
    except ValidationError as error:
        raise ValidationError({"target_url": error.messages}) from error
    secret = secret_generate()
    subscription = WebhookSubscription(
        owner=owner or actor,
        registered_by=actor if staff else None,
        name=name.strip(),
        target_url=target_url,
        secret=secret,
        provider=provider,
        framework=framework,
        kinds=_check_kinds(kinds or []),
        dispatched_through=feed_head(),
    )
    subscription.full_clean()
    subscription.save()
    return CreatedSubscription(subscription=subscription, secret=secret)


def _lock(subscription: WebhookSubscription) -> WebhookSubscription:
    return WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)


def _check_manager(actor: User, subscription: WebhookSubscription) -> None:
    if not (is_registry_admin(actor) or subscription.owner_id == actor.pk):
        raise PermissionDenied(_("Only the subscription's owner manages it."))


@transaction.atomic
def webhook_subscription_pause(
    *, actor: User | None, subscription: WebhookSubscription, reason: str
) -> WebhookSubscription:
    """Stop sending; events keep their delivery rows and go out on resume."""
    if actor is not None:
        _check_manager(actor, subscription)
    locked = _lock(subscription)
    if locked.state == SubscriptionState.PAUSED:
        return locked
    locked.state = SubscriptionState.PAUSED
    locked.paused_at = timezone.now()
    locked.pause_reason = reason.strip() or _("Paused by its owner.")
    locked.save(update_fields=["state", "paused_at", "pause_reason", "updated_at"])
    return locked


@transaction.atomic
def webhook_subscription_resume(
    *, actor: User, subscription: WebhookSubscription
) -> WebhookSubscription:
    """Send again: every delivery waiting, failed ones included, is due now."""
    _check_manager(actor, subscription)
    locked = _lock(subscription)
    locked.state = SubscriptionState.ACTIVE
    locked.paused_at = None
    locked.pause_reason = ""
    locked.consecutive_failures = 0
    locked.save(
        update_fields=["state", "paused_at", "pause_reason", "consecutive_failures", "updated_at"]
    )
    waiting = locked.deliveries.filter(state__in=[DeliveryState.PENDING, DeliveryState.FAILED])
    waiting.update(state=DeliveryState.PENDING, attempts=0, next_attempt_at=timezone.now())
    _queue_due(locked)
    return locked


@dataclass(frozen=True)
class Replay:
    deliveries: int
    through: int


@transaction.atomic
def webhook_subscription_replay(
    *, actor: User, subscription: WebhookSubscription, after: str
) -> Replay:
    """Send again every matching event after the cursor ``after`` that was already dispatched.

    At most WEBHOOK_REPLAY_MAX_EVENTS events at a time; ``through`` says where the replay
    stopped, to continue from. Events not dispatched yet go out as usual.
    """
    _check_manager(actor, subscription)
    try:
        position = cursor_decode(after) if after else 0
    except CursorError as error:
        raise ValidationError(
            {"after": _("Not a cursor of this feed: use one from the feed or a delivery.")}
        ) from error
    locked = _lock(subscription)
    events = list(
        change_events(after=position, feed_filter=_feed_filter(locked))
        .filter(id__lte=locked.dispatched_through)
        .values_list("id", flat=True)[: settings.WEBHOOK_REPLAY_MAX_EVENTS]
    )
    if not events:
        return Replay(deliveries=0, through=position)
    now = timezone.now()
    _create_deliveries(locked, events, now)
    # A delivery being sent right now finishes as it is; the rest go out again.
    again = locked.deliveries.filter(event_id__in=events).exclude(state=DeliveryState.SENDING)
    count = again.update(
        state=DeliveryState.PENDING, attempts=0, next_attempt_at=now, replays=F("replays") + 1
    )
    _queue_due(locked)
    return Replay(deliveries=count, through=events[-1])


# --- Fan-out: one delivery row per subscription and matching event ------------------------


def _create_deliveries(
    subscription: WebhookSubscription, event_ids: list[int], now: datetime.datetime
) -> None:
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(subscription=subscription, event_id=pk, next_attempt_at=now)
            for pk in event_ids
        ],
        ignore_conflicts=True,
    )


def _queue_due(subscription: WebhookSubscription) -> None:
    """Queue, after commit, a task for each of the subscription's deliveries due now."""
    if subscription.state != SubscriptionState.ACTIVE:
        return
    due = list(
        subscription.deliveries.filter(
            state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
    if due:
        transaction.on_commit(lambda: _send_tasks(due))


def _send_tasks(delivery_ids: list[int]) -> None:
    # By name: changes.tasks imports this module, never the other way round.
    for pk in delivery_ids:
        app.send_task(DELIVER_TASK, args=[pk])


def webhook_dispatch() -> int:
    """Give every subscription's new matching events their delivery rows; return how many.

    The head is read first: every event up to it is visible (positions are handed out in
    commit order), so a subscription's ``dispatched_through`` never passes an event.
    """
    created = 0
    head = feed_head()
    for pk in WebhookSubscription.objects.filter(dispatched_through__lt=head).values_list(
        "pk", flat=True
    ):
        created += _dispatch_one(pk, head)
    return created


@transaction.atomic
def _dispatch_one(pk: int, head: int) -> int:
    subscription = (
        WebhookSubscription.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
    )
    if subscription is None or subscription.dispatched_through >= head:
        return 0
    events = list(
        change_events(after=subscription.dispatched_through, feed_filter=_feed_filter(subscription))
        .filter(id__lte=head)
        .values_list("id", flat=True)[:DISPATCH_BATCH]
    )
    through = events[-1] if len(events) == DISPATCH_BATCH else head
    _create_deliveries(subscription, events, timezone.now())
    subscription.dispatched_through = through
    subscription.save(update_fields=["dispatched_through", "updated_at"])
    _queue_due(subscription)
    return len(events)


# --- Sending ----------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> float:
    """Wait after failed attempt ``attempts``: doubling from the base, capped, then jittered
    down by up to half, so subscribers that failed together do not retry together."""
    ceiling = min(
        settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
        settings.WEBHOOK_RETRY_MAX_SECONDS,
    )
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def message_id(delivery: WebhookDelivery) -> str:
    """The ``webhook-id``: the same on every attempt and replay, for receivers to dedupe."""
    return f"msg_{delivery.subscription_id}_{delivery.event_id}"


def delivery_body(event: ChangeEvent) -> bytes:
    data = event_data(event, lambda path: settings.SITE_URL + path)
    payload = {"type": "registry.change", "data": data}
    return json.dumps(payload, cls=_Encoder, ensure_ascii=False).encode()


class _Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _post(delivery: WebhookDelivery) -> Outcome:
    subscription = delivery.subscription
    started = time.monotonic()

    def done(status_code: int | None, error: str = "") -> Outcome:
        elapsed = int((time.monotonic() - started) * 1000)
        return Outcome(status_code=status_code, error=error[:ERROR_LIMIT], duration_ms=elapsed)

    try:
        target_url_check(subscription.target_url)
    except ValidationError as error:
        return done(None, " ".join(error.messages))
    body = delivery_body(delivery.event)
    headers = signed_headers(
        secret=subscription.secret,
        message_id=message_id(delivery),
        timestamp=int(time.time()),
        body=body,
    )
    try:
        response = requests.post(
            subscription.target_url,
            data=body,
            headers=headers,
            timeout=(settings.WEBHOOK_CONNECT_TIMEOUT, settings.WEBHOOK_READ_TIMEOUT),
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return done(None, f"{type(error).__name__}: {error}")
    if 200 <= response.status_code < 300:
        return done(response.status_code)
    return done(response.status_code, response.text[:ERROR_LIMIT])


def _claim(delivery_id: int) -> WebhookDelivery | float | None:
    """Mark a pending, due delivery as being sent; None if there is nothing to send, or the
    seconds to wait if it is not due yet."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription", "event__framework")
            .filter(pk=delivery_id, state=DeliveryState.PENDING)
            .first()
        )
        if delivery is None or delivery.subscription.state != SubscriptionState.ACTIVE:
            return None
        wait = (delivery.next_attempt_at - now).total_seconds()
        if wait > 1:
            return wait
        delivery.state = DeliveryState.SENDING
        delivery.claimed_at = now
        delivery.attempts += 1
        delivery.save(update_fields=["state", "claimed_at", "attempts"])
    return delivery


@transaction.atomic
def _record(
    delivery: WebhookDelivery, started_at: datetime.datetime, outcome: Outcome
) -> float | None:
    locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    subscription = _lock(delivery.subscription)
    WebhookAttempt.objects.create(
        delivery=locked,
        number=locked.attempts,
        started_at=started_at,
        duration_ms=outcome.duration_ms,
        status_code=outcome.status_code,
        error=outcome.error,
        succeeded=outcome.succeeded,
    )
    locked.last_status_code = outcome.status_code
    locked.last_error = outcome.error
    locked.claimed_at = None
    retry_in = None
    if outcome.succeeded:
        locked.state = DeliveryState.DELIVERED
        locked.delivered_at = timezone.now()
        subscription.consecutive_failures = 0
    else:
        subscription.consecutive_failures += 1
        if locked.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            locked.state = DeliveryState.FAILED
        else:
            retry_in = backoff_seconds(locked.attempts)
            locked.state = DeliveryState.PENDING
            locked.next_attempt_at = timezone.now() + datetime.timedelta(seconds=retry_in)
    locked.save()
    subscription.save(update_fields=["consecutive_failures", "updated_at"])
    if (
        subscription.state == SubscriptionState.ACTIVE
        and subscription.consecutive_failures >= settings.WEBHOOK_PAUSE_AFTER_FAILURES
    ):
        _pause_for_failures(subscription, outcome)
        retry_in = None
    return retry_in


def _pause_for_failures(subscription: WebhookSubscription, outcome: Outcome) -> None:
    what = outcome.status_code or outcome.error
    webhook_subscription_pause(
        actor=None,
        subscription=subscription,
        reason=_("Paused after %(n)s failed attempts in a row; the last answered: %(what)s")
        % {"n": subscription.consecutive_failures, "what": what},
    )
    pk = subscription.pk
    transaction.on_commit(lambda: _notify_task(pk))


def _notify_task(pk: int) -> None:
    app.send_task(PAUSED_NOTIFY_TASK, args=[pk])


def webhook_attempt(*, delivery_id: int) -> float | None:
    """Send one delivery if it is pending and due; return the seconds until its retry, if any.

    Safe to run twice at once or again later: only the run that claims the row sends, and a
    delivered row is never claimed again.
    """
    claimed = _claim(delivery_id)
    if not isinstance(claimed, WebhookDelivery):
        return claimed
    started_at = timezone.now()
    outcome = _post(claimed)
    return _record(claimed, started_at, outcome)


def webhook_paused_notify(*, subscription_id: int) -> bool:
    """Tell the owner their subscription was paused, and how to resume it."""
    subscription = WebhookSubscription.objects.select_related("owner").get(pk=subscription_id)
    if subscription.state != SubscriptionState.PAUSED or not subscription.owner.email:
        return False
    EmailMessage(
        subject=_("Webhook paused: %(name)s") % {"name": subscription.name},
        body=_(
            "Your webhook subscription “%(name)s” to %(url)s was paused.\n\n%(reason)s\n\n"
            "Nothing is lost: every change waits for it. Fix the receiver, then resume the "
            "subscription (POST /api/v1/webhooks/%(pk)s/resume/ or the admin); the waiting "
            "changes are sent then."
        )
        % {
            "name": subscription.name,
            "url": subscription.target_url,
            "reason": subscription.pause_reason,
            "pk": subscription.pk,
        },
        to=[subscription.owner.email],
    ).send()
    return True


# --- Reaper -------------------------------------------------------------------------------


def webhook_reap() -> int:
    """Free claims a dead worker left, and queue again active deliveries long overdue."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.WEBHOOK_SENDING_TIMEOUT)
    WebhookDelivery.objects.filter(state=DeliveryState.SENDING, claimed_at__lt=stale).update(
        state=DeliveryState.PENDING, claimed_at=None, next_attempt_at=now
    )
    due = list(
        WebhookDelivery.objects.filter(
            # Due a while ago: a message for it was lost, not merely still in the queue.
            Q(state=DeliveryState.PENDING, next_attempt_at__lte=stale),
            subscription__state=SubscriptionState.ACTIVE,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:DISPATCH_BATCH]
    )
    _send_tasks(due)
    return len(due)
