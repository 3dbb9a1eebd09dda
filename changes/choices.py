from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """What happened to a public record. The SQL trigger writes these values."""

    CREATED = "created", _("Added to the register")
    CONTENT_CHANGED = "content_changed", _("Content changed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    VALIDITY_CHANGED = "validity_changed", _("Validity changed")
    REMOVED = "removed", _("Removed from the public register")


class SubscriptionState(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed, attempts used up")
