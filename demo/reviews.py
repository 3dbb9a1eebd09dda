"""Review standards and QA reviews in every stage, matching the demo entries' statuses.

Read from ``reviews.json``; ``*_day`` values are days from the day the seed runs.
Judgements and decisions are append-only in the database, so they are written only
for a review that has none; stages, declarations and condition states are set only
when their row is created, because the QA workflow owns them afterwards. Each review
carries the day it opened (and was decided), so the board's time to decision and
decisions per month show the demo's history rather than the moment it was loaded.

The rows follow the rules of ``qa_reviews.services``: an open review leaves its record
submitted, the first declaration starts the review and takes a first review's record
under review, every standard is judged before a decision, an approval links the
accreditation record it stands behind, and a cancelled review says why.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from config.types import User
from credentials.models import AccreditationRecord, Credential
from qa_reviews.choices import APPROVING_OUTCOMES, ConditionEventKind, ConditionState
from qa_reviews.conditions import condition_event_record
from qa_reviews.models import (
    Condition,
    ConditionEvent,
    Decision,
    Judgement,
    Review,
    ReviewAssignment,
    ReviewStandard,
    ReviewStandardSet,
)

from .accounts import REGISTRY_ADMIN
from .base import DemoDataError, SeedContext, build, upsert_by_fields

REVIEWS_FILE = "reviews.json"


@dataclass(frozen=True)
class StandardSpec:
    """One review standard, in the registry's own words, with a comment per outcome."""

    code: str
    title_en: str
    title_zh: str
    guidance: str
    comments: dict[str, str]


@dataclass(frozen=True)
class ConditionSpec:
    """A condition on an approval: its text, due day and state."""

    text: str
    due_day: int
    state: str


@dataclass(frozen=True)
class ReviewSpec:
    """One review of a demo entry, with its people, judgements and outcome."""

    credential: str
    review_type: str
    stage: str
    due_day: int
    opened_day: int
    decided_day: int | None = None
    target_working_days: int | None = None
    reviewers: list[str] = field(default_factory=list)
    declared: bool = False
    judgements: list[str] = field(default_factory=list)
    decision: str = ""
    rationale: str = ""
    internal_notes: str = ""
    conditions: list[ConditionSpec] = field(default_factory=list)
    cancel_reason: str = ""


@dataclass(frozen=True)
class ReviewData:
    """Everything ``reviews.json`` holds."""

    accreditor: str
    standard_set: dict
    standards: list[StandardSpec]
    reviews: list[ReviewSpec]


def read_reviews(ctx: SeedContext) -> ReviewData:
    """Read and check the shape of ``reviews.json``."""
    data = ctx.read_json(REVIEWS_FILE)
    reviews = []
    for row in data["reviews"]:
        conditions = [build(ConditionSpec, REVIEWS_FILE, c) for c in row.get("conditions", [])]
        reviews.append(build(ReviewSpec, REVIEWS_FILE, {**row, "conditions": conditions}))
    return ReviewData(
        accreditor=data["accreditor"],
        standard_set=data["standard_set"],
        standards=[build(StandardSpec, REVIEWS_FILE, row) for row in data["standards"]],
        reviews=reviews,
    )


def _seed_standards(
    ctx: SeedContext, data: ReviewData
) -> tuple[ReviewStandardSet, list[ReviewStandard]]:
    spec = data.standard_set
    name, version = spec["name"], spec["version"]
    sets = upsert_by_fields(
        ReviewStandardSet,
        [
            {
                "name": name,
                "version": version,
                "effective_from": datetime.date.fromisoformat(spec["effective_from"]),
            }
        ],
        key_fields=["name", "version"],
        report=ctx.report,
        label="review standard sets",
    )
    standard_set = sets[(name, version)]
    standards = upsert_by_fields(
        ReviewStandard,
        [
            {
                "standard_set_id": standard_set.pk,
                "code": standard.code,
                "ordinal": ordinal,
                "title_en": standard.title_en,
                "title_zh": standard.title_zh,
                "guidance": standard.guidance,
            }
            for ordinal, standard in enumerate(data.standards, start=1)
        ],
        key_fields=["standard_set_id", "code"],
        report=ctx.report,
        label="review standards",
    )
    return standard_set, [standards[(standard_set.pk, s.code)] for s in data.standards]


def _recorded_at(ctx: SeedContext, spec: ReviewSpec, index: int) -> datetime.datetime:
    """Spread a review's judgements over the days between its start and decision (or today)."""
    first = spec.opened_day + 1
    last = spec.decided_day if spec.decided_day is not None else 0
    step = max((last - first) // (len(spec.judgements) + 1), 0)
    return ctx.moment(first + step * (index + 1), hour=10 + index)


def _seed_judgements_and_decisions(
    ctx: SeedContext,
    data: ReviewData,
    reviews: dict[tuple, Review],
    specs: dict[tuple, ReviewSpec],
    standards: list[ReviewStandard],
    users: dict[str, User],
    credentials: dict[str, Credential],
) -> None:
    review_ids = [review.pk for review in reviews.values()]
    judged = set(
        Judgement.objects.filter(review_id__in=review_ids).values_list("review_id", flat=True)
    )
    decided = {
        d.review_id: d
        for d in Decision.objects.filter(review_id__in=review_ids, superseded_by__isnull=True)
    }
    # An approval stands behind the record's accreditation, as review_decide links it.
    accreditations = {
        record.credential_id: record
        for record in AccreditationRecord.objects.filter(
            credential_id__in=[credentials[spec.credential].pk for spec in specs.values()],
            accreditor=data.accreditor,
        )
    }
    judgements: list[Judgement] = []
    new_decisions: list[Decision] = []
    for key, review in reviews.items():
        spec = specs[key]
        if review.pk not in judged:
            judgements.extend(
                Judgement(
                    review=review,
                    standard=standard,
                    reviewer=users[spec.reviewers[i % len(spec.reviewers)]],
                    outcome=outcome,
                    comment=data.standards[i].comments[outcome],
                    recorded_at=_recorded_at(ctx, spec, i),
                )
                for i, (standard, outcome) in enumerate(
                    zip(standards, spec.judgements, strict=False)
                )
            )
        if spec.decision and review.pk not in decided:
            credential = credentials[spec.credential]
            approving = spec.decision in APPROVING_OUTCOMES
            decision = Decision(
                review=review,
                outcome=spec.decision,
                rationale=spec.rationale,
                internal_notes=spec.internal_notes,
                valid_from=credential.valid_from if approving else None,
                valid_to=credential.valid_to if approving else None,
                decided_by=users[spec.reviewers[0]],
                # Every decided review in reviews.json names its decided_day.
                decided_at=ctx.moment(spec.decided_day, hour=16),  # type: ignore[arg-type]
                accreditation=accreditations.get(credential.pk) if approving else None,
            )
            new_decisions.append(decision)
            decided[review.pk] = decision
    if judgements:
        Judgement.objects.bulk_create(judgements)
        ctx.report.created["judgements"] += len(judgements)
    if new_decisions:
        Decision.objects.bulk_create(new_decisions)
        ctx.report.created["decisions"] += len(new_decisions)
    admin = users[REGISTRY_ADMIN]
    conditions = []
    for key, review in reviews.items():
        for condition in specs[key].conditions:
            met = condition.state == ConditionState.MET
            conditions.append(
                {
                    "decision_id": decided[review.pk].pk,
                    "text": condition.text,
                    "due_date": ctx.day(condition.due_day),
                    "state": condition.state,
                    "met_confirmed_by_id": admin.pk if met else None,
                    "met_confirmed_at": ctx.moment(condition.due_day - 1) if met else None,
                }
            )
    had_history = set(
        ConditionEvent.objects.filter(
            condition__decision_id__in=[row["decision_id"] for row in conditions]
        ).values_list("condition_id", flat=True)
    )
    seeded = upsert_by_fields(
        Condition,
        conditions,
        key_fields=["decision_id", "text"],
        report=ctx.report,
        label="conditions",
        create_only={"state", "met_confirmed_by_id", "met_confirmed_at"},
    )
    _seed_condition_history([c for c in seeded.values() if c.pk not in had_history], admin=admin)


def _seed_condition_history(conditions: list[Condition], *, admin: User) -> None:
    """The history a condition created in its seeded state would have: set by its
    decision, then confirmed met by the registry administrator or marked overdue by the
    daily check the day after it fell due, through ``condition_event_record``."""
    for condition in conditions:
        decision = condition.decision
        condition_event_record(
            condition=condition,
            kind=ConditionEventKind.CREATED,
            from_state="",
            actor=decision.decided_by,
            recorded_at=decision.decided_at,
            to_state=ConditionState.OPEN,
        )
        if condition.state == ConditionState.MET:
            condition_event_record(
                condition=condition,
                kind=ConditionEventKind.MET,
                from_state=ConditionState.OPEN,
                actor=admin,
                recorded_at=condition.met_confirmed_at,
            )
        elif condition.state == ConditionState.OVERDUE:
            day_after = condition.due_date + datetime.timedelta(days=1)
            condition_event_record(
                condition=condition,
                kind=ConditionEventKind.OVERDUE,
                from_state=ConditionState.OPEN,
                actor=None,
                recorded_at=timezone.make_aware(
                    datetime.datetime.combine(day_after, datetime.time(6))
                ),
            )


def seed_reviews(
    *,
    ctx: SeedContext,
    credentials: dict[str, Credential],
    users: dict[str, User],
) -> None:
    """Upsert the review standards and the demo reviews with everything recorded on them."""
    data = read_reviews(ctx)
    unknown = sorted({s.credential for s in data.reviews} - credentials.keys())
    if unknown:
        raise DemoDataError(f"{REVIEWS_FILE} names {', '.join(unknown)}, not in the register.")
    standard_set, standards = _seed_standards(ctx, data)
    admin = users[REGISTRY_ADMIN]
    specs = {(credentials[s.credential].pk, s.review_type): s for s in data.reviews}
    existing = set(
        Review.objects.filter(credential_id__in=[key[0] for key in specs]).values_list(
            "credential_id", "review_type"
        )
    )
    reviews = upsert_by_fields(
        Review,
        [
            {
                "credential_id": credential_id,
                "review_type": review_type,
                "standard_set_id": standard_set.pk,
                "stage": spec.stage,
                "target_working_days": spec.target_working_days,
                "due_date": ctx.day(spec.due_day),
                "opened_by_id": admin.pk,
                "cancel_reason": spec.cancel_reason,
            }
            for (credential_id, review_type), spec in specs.items()
        ],
        key_fields=["credential_id", "review_type"],
        report=ctx.report,
        label="reviews",
        create_only={"stage", "cancel_reason"},
    )
    # created_at is auto_now_add, so the insert stamped "now"; write the day each review
    # opened with bulk_update, which skips pre_save, on the rows this run created.
    opened = [review for key, review in reviews.items() if key not in existing]
    for review in opened:
        spec = specs[(review.credential_id, review.review_type)]
        review.created_at = ctx.moment(spec.opened_day)
    if opened:
        Review.objects.bulk_update(opened, ["created_at"])
    upsert_by_fields(
        ReviewAssignment,
        [
            {
                "review_id": reviews[key].pk,
                "reviewer_id": users[username].pk,
                "assigned_by_id": admin.pk,
                "no_conflict_declared_at": (
                    ctx.moment(spec.opened_day + 1) if spec.declared else None
                ),
            }
            for key, spec in specs.items()
            for username in spec.reviewers
        ],
        key_fields=["review_id", "reviewer_id"],
        report=ctx.report,
        label="review assignments",
        create_only={"no_conflict_declared_at"},
    )
    _seed_judgements_and_decisions(ctx, data, reviews, specs, standards, users, credentials)
