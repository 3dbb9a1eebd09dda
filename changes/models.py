"""The change feed's events and the webhook subscriptions that deliver them.

``ChangeEvent`` rows are written only by PostgreSQL: a deferred trigger on the register's
table (migration 0001) records each change of a public record when its transaction commits,
whoever wrote it (services, the admin, bulk imports, sweeps). They are append-only.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.db import TimeStampedModel

from .choices import DeliveryState, EventKind, SubscriptionState


class ChangeEvent(models.Model):
    """One change of a public record, at its place in the feed.

    ``id`` is the feed position: the trigger that inserts a row takes it from a sequence
    under a lock held until the transaction ends, so positions are handed out in commit
    order and a reader never sees a position behind one it has already read appear later.
    """

    id = models.BigIntegerField(_("position"), primary_key=True, editable=False)
    recorded_at = models.DateTimeField(_("recorded at"), editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    credential = models.ForeignKey(
        "credentials.Credential",
        on_delete=models.PROTECT,
        related_name="change_events",
        verbose_name=_("credential"),
    )
    registration_number = models.CharField(_("registration number"), max_length=40)
    # The record's provider and framework when the event happened: a filter on them keeps
    # showing a record's removal even if it later moves.
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="+", verbose_name=_("provider")
    )
    framework = models.ForeignKey(
        "qualifications.Framework",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("framework"),
    )
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["id"]
        verbose_name = _("change event")
        verbose_name_plural = _("change events")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values), name="%(app_label)s_%(class)s_kind_valid"
            ),
        ]
        indexes = [
            # Each filter walks its own index in feed order: WHERE x = ? AND id > ? ORDER BY id.
            models.Index(fields=["provider", "id"], name="changeevent_provider_position"),
            models.Index(fields=["framework", "id"], name="changeevent_framework_position"),
            models.Index(fields=["kind", "id"], name="changeevent_kind_position"),
            models.Index(fields=["credential", "id"], name="changeevent_record_position"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.registration_number}: {self.kind}"


class WebhookSubscription(TimeStampedModel):
    """A subscriber's URL that receives the feed's events, signed with its secret.

    A provider's administrator subscribes to their own provider's records (``provider`` set
    to it); a registry administrator registers aggregators and employers (``registered_by``),
    with or without a provider filter.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="webhook_subscriptions",
        verbose_name=_("owner"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
        help_text=_("The registry administrator who registered this subscriber."),
    )
    name = models.CharField(_("name"), max_length=120)
    target_url = models.URLField(_("target URL"), max_length=500)
    # Kept readable: every delivery is signed with it. Shown to the owner once, on creation.
    secret = models.CharField(_("signing secret"), max_length=80, editable=False)
    provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="webhook_subscriptions",
        verbose_name=_("provider"),
        help_text=_("Only this provider's records; blank for every provider."),
    )
    framework = models.ForeignKey(
        "qualifications.Framework",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("framework"),
        help_text=_("Only records at a level of this framework; blank for every framework."),
    )
    kinds = ArrayField(
        models.CharField(max_length=20, choices=EventKind.choices),
        verbose_name=_("kinds of change"),
        default=list,
        blank=True,
        help_text=_("Only these kinds of change; empty for every kind."),
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=SubscriptionState.choices,
        default=SubscriptionState.ACTIVE,
    )
    consecutive_failures = models.PositiveIntegerField(_("failed attempts in a row"), default=0)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    pause_reason = models.TextField(_("why paused"), blank=True)
    # The feed position up to which matching events have their delivery rows.
    dispatched_through = models.BigIntegerField(_("dispatched through position"), default=0)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=SubscriptionState.values),
                name="%(app_label)s_%(class)s_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(state=SubscriptionState.ACTIVE) | Q(paused_at__isnull=False),
                name="%(app_label)s_%(class)s_paused_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.target_url}"


class WebhookDelivery(models.Model):
    """The record of work for one event to one subscription: at most one per pair.

    A worker claims a pending row (``sending``) before it sends and records the outcome
    after, so a duplicate task, a redelivered message or the reaper never sends a delivered
    event again. Each attempt is kept in ``WebhookAttempt``.
    """

    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    event = models.ForeignKey(
        ChangeEvent, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("event")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    replays = models.PositiveIntegerField(_("replays"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)

    class Meta:
        ordering = ["-event_id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="%(app_label)s_%(class)s_once_per_event"
            ),
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values),
                name="%(app_label)s_%(class)s_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.SENDING) | Q(claimed_at__isnull=False),
                name="%(app_label)s_%(class)s_sending_is_claimed",
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.DELIVERED) | Q(delivered_at__isnull=False),
                name="%(app_label)s_%(class)s_delivered_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhookdelivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} × #{self.event_id}: {self.state}"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: the delivery log. Append-only."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.PROTECT,
        related_name="attempt_log",
        verbose_name=_("delivery"),
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    succeeded = models.BooleanField(_("succeeded"))

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")

    def __str__(self) -> str:
        outcome = self.status_code or self.error[:40]
        return f"{self.delivery_id} attempt {self.number}: {outcome}"
