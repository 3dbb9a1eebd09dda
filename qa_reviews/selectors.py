"""Read queries for reviews: who sees what, the reviewer queue, the board, the review page.

Visibility has two levels (docs/decisions/0002-what-providers-see-of-a-review.md):
registry administrators and the review's assigned reviewers see everything; members of the
record's provider see the review's stage, its decisions with their public rationale and the
validity granted, and the conditions. Internal notes, judgements, evidence and reviewers'
identities stay with the registry.
"""

import datetime
import enum
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Extract, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.types import RequestUser, StrOrPromise, User
from credentials.choices import AccreditationStatus, CredentialStatus
from credentials.models import Credential, CredentialStatusChange, CredentialVersion
from credentials.services import credential_snapshot
from providers.roles import is_registry_admin, is_reviewer, provider_ids

from . import rules
from .choices import (
    ACTIVE_STAGES,
    APPROVING_OUTCOMES,
    ConditionState,
    DecisionOutcome,
    ReviewStage,
    ReviewType,
)
from .models import Condition, Decision, Judgement, Review, ReviewAssignment


class Access(enum.Enum):
    """How much of a review a user may see."""

    NONE = "none"
    PROVIDER = "provider"
    FULL = "full"


def reviews_for_user(user: RequestUser) -> QuerySet[Review]:
    """Reviews a user may see at all: staff all, reviewers their assignments, providers theirs.

    Anyone else's review is simply not found, so guessing an id gives 404.
    """
    queryset = Review.objects.select_related(
        "credential__provider", "credential__level__framework", "standard_set"
    )
    if is_registry_admin(user):
        return queryset
    visible = Q(pk__in=[])
    if is_reviewer(user):
        visible |= Q(Exists(ReviewAssignment.objects.filter(review=OuterRef("pk"), reviewer=user)))
    providers = provider_ids(user)
    if providers:
        visible |= Q(credential__provider_id__in=providers)
    return queryset.filter(visible)


def review_access_for(user: RequestUser) -> Callable[[Review], Access]:
    """A per-review access check that costs one query for a whole list, not one a review."""
    if is_registry_admin(user):
        return lambda review: Access.FULL
    assigned = (
        set(ReviewAssignment.objects.filter(reviewer=user).values_list("review_id", flat=True))
        if is_reviewer(user)
        else set()
    )
    providers = provider_ids(user)

    def access(review: Review) -> Access:
        if review.pk in assigned:
            return Access.FULL
        if review.credential.provider_id in providers:
            return Access.PROVIDER
        return Access.NONE

    return access


def review_access(user: RequestUser, review: Review) -> Access:
    """Full for staff and the review's reviewers, provider for the record's provider members."""
    return review_access_for(user)(review)


@dataclass(frozen=True)
class ReviewActions:
    """What a user may do to a review now, by the rules the services apply."""

    access: Access
    assign: bool
    cancel: bool
    declare: bool
    judge: bool
    decide: bool
    correct: bool


def review_actions(review: Review, user: RequestUser) -> ReviewActions:
    """What the review page and the API offer the user: exactly what the services allow."""
    access = review_access(user, review)
    if access is not Access.FULL:
        return ReviewActions(access, False, False, False, False, False, False)
    decider = rules.decider_refusal(user, review) is None
    return ReviewActions(
        access=access,
        assign=rules.assign_refusal(user, review) is None,
        cancel=rules.cancel_refusal(user, review) is None,
        declare=rules.declare_refusal(user, review) is None,
        judge=rules.judge_refusal(user, review) is None,
        decide=decider and rules.decision_stage_refusal(review) is None,
        correct=decider and rules.correction_refusal(review) is None,
    )


def condition_confirmable(condition: Condition, user: User) -> bool:
    """Whether the user may confirm now that the provider has met the condition."""
    return rules.confirm_refusal(user, condition) is None


def current_decisions() -> QuerySet[Decision]:
    """Decisions that stand: none has superseded them."""
    return Decision.objects.filter(superseded_by__isnull=True)


def current_judgements(review: Review) -> QuerySet[Judgement]:
    """Each reviewer's latest judgement of each standard of the review."""
    return (
        review.judgements.filter(superseded_by__isnull=True)
        .select_related("standard", "reviewer", "supersedes")
        .order_by("standard__ordinal", "reviewer__username")
    )


def overdue_q(today: datetime.date) -> Q:
    return Q(stage__in=ACTIVE_STAGES, due_date__lt=today)


# --- Reviewer queue --------------------------------------------------------------------------


@dataclass
class QueueItem:
    review: Review
    overdue: bool
    declared: bool
    judged: int
    standards: int


def reviewer_queue(*, reviewer: User, today: datetime.date | None = None) -> list[QueueItem]:
    """The reviewer's reviews under way, overdue first, then by due date."""
    today = today or timezone.localdate()
    reviews = (
        Review.objects.filter(stage__in=ACTIVE_STAGES, assignments__reviewer=reviewer)
        .select_related("credential__provider", "standard_set")
        .annotate(
            is_overdue=ExpressionWrapper(Q(due_date__lt=today), output_field=BooleanField()),
            standard_count=Count("standard_set__standards", distinct=True),
            judged_count=Count(
                "judgements__standard",
                filter=Q(judgements__reviewer=reviewer, judgements__superseded_by__isnull=True),
                distinct=True,
            ),
        )
        .order_by("-is_overdue", "due_date", "pk")
    )
    declared = set(
        ReviewAssignment.objects.filter(
            reviewer=reviewer, no_conflict_declared_at__isnull=False
        ).values_list("review_id", flat=True)
    )
    return [
        QueueItem(
            review=review,
            overdue=review.is_overdue,
            declared=review.pk in declared,
            judged=review.judged_count,
            standards=review.standard_count,
        )
        for review in reviews
    ]


# --- Registry administrator board ------------------------------------------------------------


class Median(Aggregate):
    """PostgreSQL's continuous median."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass
class TypeTiming:
    """How long decisions take for one group of reviews."""

    label: StrOrPromise
    decided: int
    median_days: float | None
    percent: int = 0  # of the longest median, for the chart
    target_days: float | None = None


@dataclass
class MonthCount:
    month: datetime.date
    total: int
    by_outcome: dict[str, int]
    segments: list[dict[str, Any]] = field(default_factory=list)
    percent: int = 0


@dataclass
class ReviewBoard:
    backlog: list[dict[str, Any]]
    backlog_stages: list[tuple[str, StrOrPromise]]
    overdue: list[Review]
    unassigned: list[Review]
    awaiting_review: list[Credential]
    timings: list[TypeTiming]
    fast_vs_standard: list[TypeTiming]
    months: list[MonthCount]
    conditions: list[Condition]
    outcomes: list[tuple[str, StrOrPromise]]


def _backlog() -> tuple[list[dict[str, Any]], list[tuple[str, StrOrPromise]]]:
    counts = Counter(
        {
            (row["review_type"], row["stage"]): row["n"]
            for row in Review.objects.values("review_type", "stage").annotate(n=Count("id"))
        }
    )
    stages: list[tuple[str, StrOrPromise]] = [(stage.value, stage.label) for stage in ReviewStage]
    rows: list[dict[str, Any]] = []
    for review_type in ReviewType:
        cells = [counts[(review_type.value, stage)] for stage, _label in stages]
        rows.append({"type": review_type.label, "code": review_type.value, "cells": cells})
    rows.append(
        {
            "type": None,
            "code": "",
            "cells": [sum(row["cells"][i] for row in rows) for i in range(len(stages))],
        }
    )
    return rows, stages


def _days_to_decision():
    """Calendar days from a review's opening to its first decision (corrections excluded)."""
    return Extract(F("decided_at") - F("review__created_at"), "epoch") / 86400.0


def _timings() -> tuple[list[TypeTiming], list[TypeTiming]]:
    first = Decision.objects.filter(supersedes__isnull=True)
    by_type = {
        row["review__review_type"]: row
        for row in first.values("review__review_type").annotate(
            n=Count("id"),
            median=Median(_days_to_decision()),
            target=Median("review__target_working_days"),
        )
    }
    timings = [
        TypeTiming(
            label=review_type.label,
            decided=by_type.get(review_type.value, {}).get("n", 0),
            median_days=by_type.get(review_type.value, {}).get("median"),
            target_days=by_type.get(review_type.value, {}).get("target"),
        )
        for review_type in ReviewType
    ]
    groups = first.aggregate(
        fast_n=Count("id", filter=Q(review__review_type=ReviewType.FAST_TRACK)),
        fast=Median(_days_to_decision(), filter=Q(review__review_type=ReviewType.FAST_TRACK)),
        standard_n=Count("id", filter=~Q(review__review_type=ReviewType.FAST_TRACK)),
        standard=Median(_days_to_decision(), filter=~Q(review__review_type=ReviewType.FAST_TRACK)),
    )
    fast_vs_standard = [
        TypeTiming(_("Fast-track"), groups["fast_n"], groups["fast"]),
        TypeTiming(_("Standard (all other types)"), groups["standard_n"], groups["standard"]),
    ]
    for series in (timings, fast_vs_standard):
        longest = max((t.median_days or 0 for t in series), default=0) or 1
        for timing in series:
            timing.percent = round(100 * (timing.median_days or 0) / longest)
    return timings, fast_vs_standard


def _months(*, today: datetime.date, months: int) -> list[MonthCount]:
    """First decisions per calendar month for the last ``months`` months, oldest first."""
    start = today.replace(day=1)
    for _step in range(months - 1):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    rows = (
        Decision.objects.filter(
            supersedes__isnull=True,
            decided_at__date__gte=start,
        )
        .annotate(month=TruncMonth("decided_at"))
        .values("month", "outcome")
        .annotate(n=Count("id"))
    )
    counts: dict[datetime.date, Counter] = {}
    for row in rows:
        month = timezone.localtime(row["month"]).date().replace(day=1)
        counts.setdefault(month, Counter())[row["outcome"]] += row["n"]
    result = []
    month = start
    while month <= today:
        by_outcome = counts.get(month, Counter())
        result.append(
            MonthCount(
                month=month,
                total=sum(by_outcome.values()),
                by_outcome={o.value: by_outcome.get(o.value, 0) for o in DecisionOutcome},
            )
        )
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    busiest = max((m.total for m in result), default=0) or 1
    for item in result:
        item.percent = round(100 * item.total / busiest)
        item.segments = [
            {
                "outcome": outcome.value,
                "label": outcome.label,
                "count": item.by_outcome[outcome.value],
                "percent": round(100 * item.by_outcome[outcome.value] / busiest, 1),
            }
            for outcome in DecisionOutcome
            if item.by_outcome[outcome.value]
        ]
    return result


def review_board(*, today: datetime.date | None = None, months: int = 12) -> ReviewBoard:
    """Everything the registry administrators' board shows."""
    today = today or timezone.localdate()
    backlog, stages = _backlog()
    active = Review.objects.filter(stage__in=ACTIVE_STAGES).select_related(
        "credential__provider", "standard_set"
    )
    overdue = list(
        active.filter(due_date__lt=today)
        .prefetch_related("assignments__reviewer")
        .order_by("due_date", "pk")
    )
    unassigned = list(
        active.filter(~Exists(ReviewAssignment.objects.filter(review=OuterRef("pk")))).order_by(
            "due_date", "pk"
        )
    )
    awaiting_review = list(
        Credential.objects.filter(status=CredentialStatus.SUBMITTED)
        .filter(~Exists(Review.objects.filter(credential=OuterRef("pk"), stage__in=ACTIVE_STAGES)))
        .select_related("provider")
        .defer("search_document")
        .order_by("status_changed_at", "pk")[:50]
    )
    conditions = list(
        Condition.objects.filter(
            decision__superseded_by__isnull=True,
            state__in=(ConditionState.OPEN, ConditionState.OVERDUE),
        )
        .select_related("decision__review__credential__provider")
        .order_by("due_date", "pk")[:50]
    )
    timings, fast_vs_standard = _timings()
    return ReviewBoard(
        backlog=backlog,
        backlog_stages=stages,
        overdue=overdue,
        unassigned=unassigned,
        awaiting_review=awaiting_review,
        timings=timings,
        fast_vs_standard=fast_vs_standard,
        months=_months(today=today, months=months),
        conditions=conditions,
        outcomes=[(o.value, o.label) for o in DecisionOutcome],
    )


# --- The review page -------------------------------------------------------------------------


@dataclass
class ChangesSince:
    """How a record differs from its last approved state, and the versions in between."""

    baseline: str  # "registered", "decided" or "" when there is nothing to compare with
    baseline_at: datetime.datetime | None
    versions: list[CredentialVersion]
    diff: dict[str, tuple[Any, Any]]


def credential_changes_since_approval(*, credential: Credential) -> ChangesSince:
    """Compare the record with its state when last registered (or, never registered, when
    last decided on, e.g. referred back): field by field, and the versions saved since.
    """
    registered = (
        CredentialStatusChange.objects.filter(
            credential=credential, to_status=CredentialStatus.REGISTERED
        )
        .order_by("-changed_at", "-pk")
        .values_list("changed_at", flat=True)
        .first()
    )
    baseline, baseline_at = ("registered", registered) if registered else ("", None)
    if baseline_at is None:
        decided = (
            Decision.objects.filter(review__credential=credential)
            .order_by("-decided_at")
            .values_list("decided_at", flat=True)
            .first()
        )
        if decided is not None:
            baseline, baseline_at = "decided", decided
    if baseline_at is None:
        return ChangesSince("", None, [], {})
    versions = list(
        credential.versions.filter(created_at__gt=baseline_at)
        .select_related("actor")
        .order_by("number")
    )
    before = (
        credential.versions.filter(created_at__lte=baseline_at)
        .order_by("-number")
        .values_list("snapshot", flat=True)
        .first()
    )
    diff: dict[str, tuple[Any, Any]] = {}
    if before is not None:
        now = credential_snapshot(credential)
        diff = {
            name: (before.get(name), value)
            for name, value in now.items()
            if before.get(name) != value
        }
    else:
        # No version predates the baseline (records loaded in bulk): list what changed since.
        for version in versions:
            for name, (old, new) in version.changes.items():
                diff[name] = (diff.get(name, (old, None))[0], new)
    return ChangesSince(baseline, baseline_at, versions, diff)


def previous_reviews(*, review: Review) -> QuerySet[Review]:
    """The record's other reviews, newest first, with their standing decision."""
    return (
        Review.objects.filter(credential_id=review.credential_id)
        .exclude(pk=review.pk)
        .select_related("standard_set")
        .prefetch_related(
            Prefetch("decisions", queryset=current_decisions(), to_attr="standing_decisions")
        )
        .order_by("-created_at")
    )


# --- Public QA summary -----------------------------------------------------------------------


@dataclass(frozen=True)
class QaSummary:
    """What the public record page says about QA: who accredited, when, valid until."""

    accreditor: str
    review_type: str
    decided_at: datetime.datetime
    valid_from: datetime.date | None
    valid_to: datetime.date | None


def credential_qa_summary(*, credential: Credential) -> QaSummary | None:
    """The standing approval behind a record's registration, if a review granted it."""
    decision = (
        current_decisions()
        .filter(
            review__credential=credential,
            outcome__in=APPROVING_OUTCOMES,
            accreditation__status=AccreditationStatus.CURRENT,
        )
        .select_related("review", "accreditation")
        .defer("internal_notes", "rationale")
        .order_by("-decided_at")
        .first()
    )
    if decision is None:
        return None
    return QaSummary(
        accreditor=decision.accreditation.accreditor,  # type: ignore[union-attr]  # filtered on it
        review_type=decision.review.get_review_type_display(),
        decided_at=decision.decided_at,
        valid_from=decision.valid_from,
        valid_to=decision.valid_to,
    )
