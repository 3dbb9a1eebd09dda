from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.db import TimeStampedModel
from config.sent_marks import sent_marks_claim

from .choices import (
    ACTIVE_STAGES,
    APPROVING_OUTCOMES,
    ConditionEventKind,
    ConditionState,
    DecisionOutcome,
    JudgementOutcome,
    NoticeKind,
    ReviewStage,
    ReviewType,
)


class ReviewStandardSet(TimeStampedModel):
    """A versioned set of review standards; a review keeps the version current when it opened."""

    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("review standard set")
        verbose_name_plural = _("review standard sets")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "version"], name="%(app_label)s_%(class)s_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ReviewStandard(models.Model):
    """One standard a submission is judged against."""

    standard_set = models.ForeignKey(
        ReviewStandardSet,
        on_delete=models.PROTECT,
        related_name="standards",
        verbose_name=_("standard set"),
    )
    code = models.SlugField(_("code"), max_length=40)
    ordinal = models.PositiveSmallIntegerField(_("ordinal"))
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    guidance = models.TextField(_("guidance"), blank=True)

    class Meta:
        ordering = ["standard_set", "ordinal"]
        verbose_name = _("review standard")
        verbose_name_plural = _("review standards")
        constraints = [
            models.UniqueConstraint(
                fields=["standard_set", "code"], name="%(app_label)s_%(class)s_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ordinal}. {self.title_en}"


class Review(TimeStampedModel):
    """A quality-assurance review of one credential."""

    credential = models.ForeignKey(
        "credentials.Credential",
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("credential"),
    )
    review_type = models.CharField(_("type"), max_length=20, choices=ReviewType.choices)
    standard_set = models.ForeignKey(
        ReviewStandardSet,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("standard set"),
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=ReviewStage.choices, default=ReviewStage.OPEN
    )
    target_working_days = models.PositiveSmallIntegerField(
        _("target working days"), null=True, blank=True
    )
    due_date = models.DateField(_("due date"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    reviewers: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ReviewAssignment",
        through_fields=("review", "reviewer"),
        related_name="assigned_reviews",
        verbose_name=_("reviewers"),
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        ordering = ["due_date"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [models.Index(fields=["stage", "due_date"], name="review_stage_due")]
        constraints = [
            # Two live reviews of one record would race to move its status.
            models.UniqueConstraint(
                fields=["credential"],
                condition=Q(stage__in=ACTIVE_STAGES),
                name="%(app_label)s_%(class)s_one_active_per_credential",
                violation_error_message=_("This record already has a review under way."),
            ),
            models.CheckConstraint(
                condition=~Q(stage=ReviewStage.CANCELLED) | ~Q(cancel_reason=""),
                name="%(app_label)s_%(class)s_cancel_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(review_type=ReviewType.FAST_TRACK)
                | Q(target_working_days__isnull=False),
                name="%(app_label)s_%(class)s_fast_track_has_target",
            ),
            models.CheckConstraint(
                condition=Q(review_type__in=ReviewType.values),
                name="%(app_label)s_%(class)s_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=ReviewStage.values),
                name="%(app_label)s_%(class)s_stage_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_review_type_display()} of {self.credential.registration_number}"


class ReviewAssignment(models.Model):
    """A reviewer assigned to a review, and their declaration of no conflict of interest."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("review")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_assignments",
        verbose_name=_("reviewer"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True, editable=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    no_conflict_declared_at = models.DateTimeField(
        _("no conflict declared at"), null=True, blank=True
    )

    class Meta:
        ordering = ["review", "assigned_at"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "reviewer"], name="%(app_label)s_%(class)s_unique_reviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.review}"


class Judgement(models.Model):
    """A reviewer's judgement against one standard. Append-only: corrections supersede."""

    review = models.ForeignKey(
        Review, on_delete=models.PROTECT, related_name="judgements", verbose_name=_("review")
    )
    standard = models.ForeignKey(
        ReviewStandard,
        on_delete=models.PROTECT,
        related_name="judgements",
        verbose_name=_("standard"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=JudgementOutcome.choices)
    comment = models.TextField(_("comment"))
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="evidence/%Y/%m/", blank=True)
    # A default rather than auto_now_add, so that loaded history can keep its own moments.
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )

    class Meta:
        ordering = ["review", "standard__ordinal", "recorded_at"]
        verbose_name = _("judgement")
        verbose_name_plural = _("judgements")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=JudgementOutcome.values),
                name="%(app_label)s_%(class)s_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("id")), name="%(app_label)s_%(class)s_not_self"
            ),
            # A second judgement of the same standard by the same reviewer must be a correction.
            models.UniqueConstraint(
                fields=["review", "standard", "reviewer"],
                condition=Q(supersedes__isnull=True),
                name="%(app_label)s_%(class)s_one_original",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard.title_en}: {self.get_outcome_display()}"


class Decision(models.Model):
    """The outcome of a review. Append-only: a correction is a new decision that supersedes."""

    review = models.ForeignKey(
        Review, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("review")
    )
    outcome = models.CharField(_("outcome"), max_length=32, choices=DecisionOutcome.choices)
    rationale = models.TextField(_("rationale"), help_text=_("Shown to the provider."))
    internal_notes = models.TextField(
        _("internal notes"), blank=True, help_text=_("Seen only by reviewers and registry staff.")
    )
    valid_from = models.DateField(_("validity granted from"), null=True, blank=True)
    valid_to = models.DateField(_("validity granted to"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now, editable=False)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )
    accreditation = models.ForeignKey(
        "credentials.AccreditationRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("accreditation record"),
        help_text=_("The accreditation record this decision granted or changed."),
    )

    class Meta:
        ordering = ["review", "decided_at"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=DecisionOutcome.values),
                name="%(app_label)s_%(class)s_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~Q(outcome__in=APPROVING_OUTCOMES)
                | (Q(valid_from__isnull=False) & Q(valid_to__gte=F("valid_from"))),
                name="%(app_label)s_%(class)s_approval_has_validity",
            ),
            models.CheckConstraint(
                condition=~Q(rationale=""), name="%(app_label)s_%(class)s_rationale_not_empty"
            ),
            # Deciding twice is refused here too: later entries must correct the first.
            models.UniqueConstraint(
                fields=["review"],
                condition=Q(supersedes__isnull=True),
                name="%(app_label)s_%(class)s_one_original_per_review",
                violation_error_message=_("This review has already been decided."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} — {self.review}"


class Condition(TimeStampedModel):
    """A condition attached to an approval, due by a date; meeting it needs confirmation."""

    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="conditions", verbose_name=_("decision")
    )
    text = models.TextField(_("condition"))
    due_date = models.DateField(_("due date"))
    state = models.CharField(
        _("state"), max_length=16, choices=ConditionState.choices, default=ConditionState.OPEN
    )
    met_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("met, confirmed by"),
    )
    met_confirmed_at = models.DateTimeField(_("met, confirmed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(
        _("reminder sent at"),
        null=True,
        blank=True,
        help_text=_("When the provider was reminded that the condition falls due."),
    )
    carried_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name=_("carried from"),
        help_text=_("The corrected decision's condition this one continues."),
    )

    class Meta:
        ordering = ["due_date"]
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        indexes = [models.Index(fields=["state", "due_date"], name="condition_state_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ConditionState.values),
                name="%(app_label)s_%(class)s_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state=ConditionState.MET)
                | (Q(met_confirmed_by__isnull=False) & Q(met_confirmed_at__isnull=False)),
                name="%(app_label)s_%(class)s_met_is_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.text[:60]} (due {self.due_date}, {self.get_state_display()})"


class ConditionEvent(models.Model):
    """One change to a condition: who, when, from which state to which. Append-only.

    The condition row holds its current state; these rows are how it got there, written in
    the same transaction by the services that change it (``qa_reviews.services``,
    ``qa_reviews.conditions``).
    """

    condition = models.ForeignKey(
        Condition, on_delete=models.PROTECT, related_name="events", verbose_name=_("condition")
    )
    kind = models.CharField(_("event"), max_length=16, choices=ConditionEventKind.choices)
    from_state = models.CharField(
        _("from"),
        max_length=16,
        choices=ConditionState.choices,
        blank=True,
        help_text=_("Blank when the condition was set."),
    )
    to_state = models.CharField(_("to"), max_length=16, choices=ConditionState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Blank for the registry's daily condition check."),
    )
    # A default rather than auto_now_add, so that loaded history can keep its own moments.
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["condition", "recorded_at", "pk"]
        verbose_name = _("condition event")
        verbose_name_plural = _("condition events")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ConditionEventKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(to_state__in=ConditionState.values)
                & (Q(from_state="") | Q(from_state__in=ConditionState.values)),
                name="%(app_label)s_%(class)s_states_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.from_state or '—'} → {self.to_state}"


class SentNoticeManager(models.Manager["SentNotice"]):
    def claim(self, kind: NoticeKind, object_ids: Iterable[int]) -> set[int]:
        """Mark the notices sent (in the transaction that sends); return the ids new here."""
        return sent_marks_claim(
            self.model, about="object_id", ids=object_ids, fixed={"kind": kind.value}
        )


class SentNotice(models.Model):
    """An e-mail notice that went out, kept so that a redelivered task never sends it again.

    In PostgreSQL rather than the cache: a cache flush or a Redis outage must not make a
    retried task mail a provider twice.
    """

    kind = models.CharField(_("notice"), max_length=24, choices=NoticeKind.choices)
    object_id = models.BigIntegerField(
        _("about"), help_text=_("The assignment, decision or condition the notice was about.")
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, editable=False)

    objects = SentNoticeManager()

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("sent notice")
        verbose_name_plural = _("sent notices")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="%(app_label)s_%(class)s_once"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NoticeKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.object_id} ({self.sent_at:%Y-%m-%d %H:%M})"
