from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewType(models.TextChoices):
    INITIAL = "initial", _("Initial accreditation")
    RE_ACCREDITATION = "re_accreditation", _("Re-accreditation")
    PERIODIC = "periodic", _("Periodic review")
    CHANGE = "change", _("Change approval")
    FAST_TRACK = "fast_track", _("Fast-track")


class ReviewStage(models.TextChoices):
    OPEN = "open", _("Open, awaiting reviewers")
    IN_PROGRESS = "in_progress", _("In progress")
    DECIDED = "decided", _("Decided")
    CANCELLED = "cancelled", _("Cancelled")


# Stages in which a review is still being worked; a record has at most one such review.
ACTIVE_STAGES = (ReviewStage.OPEN, ReviewStage.IN_PROGRESS)


class JudgementOutcome(models.TextChoices):
    MET = "met", _("Met")
    PARTLY_MET = "partly_met", _("Partly met")
    NOT_MET = "not_met", _("Not met")


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("Approved with conditions")
    REFERRED_BACK = "referred_back", _("Referred back")
    NOT_APPROVED = "not_approved", _("Not approved")


APPROVING_OUTCOMES = (DecisionOutcome.APPROVED, DecisionOutcome.APPROVED_WITH_CONDITIONS)


class ConditionState(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    OVERDUE = "overdue", _("Overdue")
    # Closed because the decision was corrected without carrying it; history, not a to-do.
    SUPERSEDED = "superseded", _("Closed: decision corrected")


class ConditionEventKind(models.TextChoices):
    """What happened to a condition; each is one row of its append-only history."""

    CREATED = "created", _("Set by the decision")
    # Continued on the decision that corrected the one it was set by.
    CARRIED = "carried", _("Carried to the correcting decision")
    MET = "met", _("Confirmed met")
    OVERDUE = "overdue", _("Fell overdue")
    SUPERSEDED = "superseded", _("Closed: decision corrected")
    REMINDED = "reminded", _("Provider reminded")
    # Written once, by the migration that started condition events, for rows older than it.
    STATE_AT_START = "state_at_start", _("State when condition history began")


class NoticeKind(models.TextChoices):
    """The e-mails that go out once per row they are about."""

    ASSIGNMENT = "assignment", _("Assignment, to the reviewer")
    DECISION = "decision", _("Decision, to the provider")
    CONDITION_DUE = "condition_due", _("Condition falling due, to the provider")
    CONDITION_OVERDUE = "condition_overdue", _("Condition overdue, to the provider")
