from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowState(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    ACTIVE = "active", _("Active")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    EXPIRED = "expired", _("Not confirmed in time")


class DigestState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    # Every follow it was for was unsubscribed before it went out.
    DROPPED = "dropped", _("Not sent: nobody left to tell")


FOLLOW_LANGUAGES = (("en", "English"), ("zh-hant", "繁體中文"))
