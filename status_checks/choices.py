"""Choices of the status checks: what a check found, what a sweep covers, how far it got."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckOutcome(models.TextChoices):
    UNCHANGED = "unchanged", _("No change")
    CHANGED = "changed", _("Status changed")
    ALERT = "alert", _("Alert raised")
    FLAGGED = "flagged", _("Flagged for attention")
    SOURCE_UNAVAILABLE = "source_unavailable", _("Source unavailable")


class SweepScope(models.TextChoices):
    REGISTER = "register", _("Whole register")
    PROVIDER = "provider", _("One provider")
    CREDENTIAL = "credential", _("One credential")


class SweepState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")
