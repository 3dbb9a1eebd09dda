"""Review standards and QA reviews in every stage, matching the demo credentials' statuses.

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
from dataclasses import dataclass

from django.contrib.auth.models import AbstractUser

from credentials.models import AccreditationRecord, Credential
from qa_reviews.choices import (
    ConditionState,
    DecisionOutcome,
    JudgementOutcome,
    ReviewStage,
    ReviewType,
)
from qa_reviews.models import (
    Condition,
    Decision,
    Judgement,
    Review,
    ReviewAssignment,
    ReviewStandard,
    ReviewStandardSet,
)

from .base import SeedContext, upsert_by_fields
from .micro_credentials import HKCAAVQ

STANDARD_SET_NAME = "Registry review standards"
STANDARD_SET_VERSION = 1
STANDARD_SET_EFFECTIVE_FROM = datetime.date(2025, 1, 1)
MET, PARTLY, NOT_MET = JudgementOutcome.MET, JudgementOutcome.PARTLY_MET, JudgementOutcome.NOT_MET


@dataclass(frozen=True)
class StandardSpec:
    """One review standard, in the registry's own words."""

    code: str
    title_en: str
    title_zh: str
    guidance: str
    comments: dict[str, str]


STANDARDS = [
    StandardSpec(
        "design-and-outcomes",
        "Programme design and learning outcomes",
        "課程設計及學習成果",
        "Outcomes are written at the level claimed and can be assessed; content, "
        "notional hours and credit value are enough for a learner to reach them.",
        {
            MET: "Outcomes are pitched at the claimed level and the hours add up.",
            PARTLY: "Two outcomes are too broad to assess; tighten their wording.",
            NOT_MET: "Outcomes read below the claimed level and the workload is not justified.",
        },
    ),
    StandardSpec(
        "assessment",
        "Assessment",
        "評核",
        "Every outcome is assessed; methods, weightings and identity checks suit the "
        "level and the mode of delivery; marking is moderated.",
        {
            MET: "Each outcome is mapped to a task, with moderation described.",
            PARTLY: "The online test lacks an identity check; the rest is sound.",
            NOT_MET: "Several outcomes are not assessed and nothing confirms who did the work.",
        },
    ),
    StandardSpec(
        "resources",
        "Teaching and learning resources",
        "教學及學習資源",
        "Teachers, facilities, platforms and learner support are sufficient for the "
        "intake planned.",
        {
            MET: "Teaching team and facilities are well matched to the planned intake.",
            PARTLY: "Tutor numbers are tight for the largest planned class.",
            NOT_MET: "The software licences the course depends on are not yet secured.",
        },
    ),
    StandardSpec(
        "quality-assurance",
        "Quality assurance arrangements",
        "質素保證安排",
        "The provider monitors delivery, acts on learner and employer feedback and "
        "reviews the credential at set intervals.",
        {
            MET: "Monitoring, feedback and periodic review are in place and evidenced.",
            PARTLY: "Feedback is collected but there is no record of action taken on it.",
            NOT_MET: "No internal review cycle is described for this credential.",
        },
    ),
    StandardSpec(
        "stackability",
        "Stackability and recognition",
        "疊加及認可",
        "Level, credit and outcomes are stated so that the credential can stack into, "
        "or be recognised toward, a larger award.",
        {
            MET: "Credit, level and the stacking route are clearly stated.",
            PARTLY: "Stacking is claimed but the receiving award is not yet named.",
            NOT_MET: "Credit value and level are not stated consistently across documents.",
        },
    ),
]


@dataclass(frozen=True)
class ConditionSpec:
    """A condition on an approval: its text, due date (days from today) and state."""

    text: str
    due: int
    state: str


@dataclass(frozen=True)
class ReviewSpec:
    """One review of a demo credential, with its people, judgements and outcome."""

    credential: str
    review_type: str
    stage: str
    due: int
    opened: int
    decided: int | None = None
    target_working_days: int | None = None
    reviewers: tuple[str, ...] = ()
    declared: bool = False
    judgements: tuple[str, ...] = ()
    decision: str = ""
    rationale: str = ""
    internal_notes: str = ""
    conditions: tuple[ConditionSpec, ...] = ()
    cancel_reason: str = ""


REVIEWS = [
    ReviewSpec(
        "25/002202/L4",
        ReviewType.INITIAL,
        ReviewStage.DECIDED,
        due=-12,
        opened=-70,
        decided=-10,
        reviewers=("reviewer", "reviewer2"),
        declared=True,
        judgements=(MET, MET, MET, MET, MET),
        decision=DecisionOutcome.APPROVED,
        rationale="All five standards are met; registered for three years.",
        internal_notes="Panel agreed without discussion; a model submission for this provider.",
    ),
    ReviewSpec(
        "25/004402/L4",
        ReviewType.FAST_TRACK,
        ReviewStage.DECIDED,
        due=-22,
        opened=-36,
        decided=-23,
        target_working_days=10,
        reviewers=("reviewer2",),
        declared=True,
        judgements=(MET, PARTLY, MET, PARTLY, MET),
        decision=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        rationale=(
            "Sound design and resources; assessment security and the use of learner "
            "feedback need the conditions below."
        ),
        conditions=(
            ConditionSpec(
                "Publish the moderation procedure for the online timed test.",
                45,
                ConditionState.OPEN,
            ),
            ConditionSpec(
                "Add a Scope 2 emissions calculation exercise to the assessment brief.",
                -10,
                ConditionState.MET,
            ),
            ConditionSpec(
                "Submit the CVs of the two additional tutors named in the staffing plan.",
                -3,
                ConditionState.OVERDUE,
            ),
        ),
    ),
    ReviewSpec(
        "25/002204/L3",
        ReviewType.INITIAL,
        ReviewStage.DECIDED,
        due=-8,
        opened=-30,
        decided=-5,
        reviewers=("reviewer",),
        declared=True,
        judgements=(PARTLY, NOT_MET, MET, PARTLY, MET),
        decision=DecisionOutcome.REFERRED_BACK,
        rationale=(
            "The unsupervised online quiz cannot show who took it and the second outcome "
            "is not assessed. Revise the assessment plan and resubmit."
        ),
    ),
    ReviewSpec(
        "25/005505/L5",
        ReviewType.INITIAL,
        ReviewStage.DECIDED,
        due=-6,
        opened=-44,
        decided=-5,
        reviewers=("reviewer2", "reviewer"),
        declared=True,
        judgements=(NOT_MET, NOT_MET, NOT_MET, PARTLY, PARTLY),
        decision=DecisionOutcome.NOT_APPROVED,
        rationale=(
            "The outcomes sit below HKQF level 5, the unsupervised project does not "
            "evidence them, and the simulation software is not licensed for the intake."
        ),
    ),
    ReviewSpec(
        "24/007701/L4",
        ReviewType.CHANGE,
        ReviewStage.DECIDED,
        due=-40,
        opened=-68,
        decided=-45,
        reviewers=("reviewer",),
        declared=True,
        judgements=(MET, MET, MET, MET, MET),
        decision=DecisionOutcome.APPROVED,
        rationale="Moving to blended delivery keeps assessment on site; validity unchanged.",
    ),
    ReviewSpec(
        "25/001105/L5",
        ReviewType.INITIAL,
        ReviewStage.IN_PROGRESS,
        due=-3,
        opened=-63,
        reviewers=("reviewer", "reviewer2"),
        declared=True,
        judgements=(MET, PARTLY, MET),
    ),
    ReviewSpec(
        "26/004406/L3",
        ReviewType.FAST_TRACK,
        ReviewStage.IN_PROGRESS,
        due=6,
        opened=-15,
        target_working_days=15,
        reviewers=("reviewer2",),
        declared=True,
        judgements=(MET, MET),
    ),
    ReviewSpec(
        "25/006606/L5",
        ReviewType.PERIODIC,
        ReviewStage.IN_PROGRESS,
        due=20,
        opened=-70,
        reviewers=("reviewer",),
        declared=True,
        judgements=(MET,),
    ),
    ReviewSpec("26/001106/L4", ReviewType.INITIAL, ReviewStage.OPEN, due=40, opened=-20),
    ReviewSpec(
        "26/008807/L4",
        ReviewType.FAST_TRACK,
        ReviewStage.OPEN,
        due=12,
        opened=-2,
        target_working_days=10,
        reviewers=("reviewer",),
    ),
    ReviewSpec("26/006607/L3", ReviewType.INITIAL, ReviewStage.OPEN, due=35, opened=-25),
    ReviewSpec("23/005503/L4", ReviewType.RE_ACCREDITATION, ReviewStage.OPEN, due=10, opened=-50),
    # The provider withdrew the programme while its periodic review was under way.
    ReviewSpec(
        "21/005506/L3",
        ReviewType.PERIODIC,
        ReviewStage.CANCELLED,
        due=-20,
        opened=-110,
        reviewers=("reviewer2",),
        cancel_reason="The provider withdrew the programme; nothing is left to review.",
    ),
]


# Records whose accreditation record stands on a demo review's approval.
APPROVED_BY_REVIEW = frozenset(
    spec.credential
    for spec in REVIEWS
    if spec.decision in (DecisionOutcome.APPROVED, DecisionOutcome.APPROVED_WITH_CONDITIONS)
)


def _seed_standards(ctx: SeedContext) -> tuple[ReviewStandardSet, list[ReviewStandard]]:
    sets = upsert_by_fields(
        ReviewStandardSet,
        [
            {
                "name": STANDARD_SET_NAME,
                "version": STANDARD_SET_VERSION,
                "effective_from": STANDARD_SET_EFFECTIVE_FROM,
            }
        ],
        key_fields=["name", "version"],
        report=ctx.report,
        label="review standard sets",
    )
    standard_set = sets[(STANDARD_SET_NAME, STANDARD_SET_VERSION)]
    standards = upsert_by_fields(
        ReviewStandard,
        [
            {
                "standard_set_id": standard_set.pk,
                "code": spec.code,
                "ordinal": ordinal,
                "title_en": spec.title_en,
                "title_zh": spec.title_zh,
                "guidance": spec.guidance,
            }
            for ordinal, spec in enumerate(STANDARDS, start=1)
        ],
        key_fields=["standard_set_id", "code"],
        report=ctx.report,
        label="review standards",
    )
    return standard_set, [standards[(standard_set.pk, spec.code)] for spec in STANDARDS]


def _recorded_at(ctx: SeedContext, spec: ReviewSpec, index: int) -> datetime.datetime:
    """Spread a review's judgements over the days between its start and decision (or today)."""
    first, last = spec.opened + 1, spec.decided if spec.decided is not None else 0
    step = max((last - first) // (len(spec.judgements) + 1), 0)
    return ctx.moment(first + step * (index + 1), hour=10 + index)


def _seed_judgements_and_decisions(
    ctx: SeedContext,
    reviews: dict[tuple, Review],
    specs: dict[tuple, ReviewSpec],
    standards: list[ReviewStandard],
    users: dict[str, AbstractUser],
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
            credential_id__in=[credential.pk for credential in credentials.values()],
            accreditor=HKCAAVQ,
        )
    }
    judgements, new_decisions = [], []
    for key, review in reviews.items():
        spec = specs[key]
        if review.pk not in judged:
            judgements.extend(
                Judgement(
                    review=review,
                    standard=standard,
                    reviewer=users[spec.reviewers[i % len(spec.reviewers)]],
                    outcome=outcome,
                    comment=STANDARDS[i].comments[outcome],
                    recorded_at=_recorded_at(ctx, spec, i),
                )
                for i, (standard, outcome) in enumerate(
                    zip(standards, spec.judgements, strict=False)
                )
            )
        if spec.decision and review.pk not in decided:
            credential = credentials[spec.credential]
            approving = spec.decision in (
                DecisionOutcome.APPROVED,
                DecisionOutcome.APPROVED_WITH_CONDITIONS,
            )
            decision = Decision(
                review=review,
                outcome=spec.decision,
                rationale=spec.rationale,
                internal_notes=spec.internal_notes,
                valid_from=credential.valid_from if approving else None,
                valid_to=credential.valid_to if approving else None,
                decided_by=users[spec.reviewers[0]],
                decided_at=ctx.moment(spec.decided, hour=16),
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
    conditions = []
    for key, review in reviews.items():
        for condition in specs[key].conditions:
            met = condition.state == ConditionState.MET
            conditions.append(
                {
                    "decision_id": decided[review.pk].pk,
                    "text": condition.text,
                    "due_date": ctx.day(condition.due),
                    "state": condition.state,
                    "met_confirmed_by_id": users["registry-admin"].pk if met else None,
                    "met_confirmed_at": ctx.moment(condition.due - 1) if met else None,
                }
            )
    upsert_by_fields(
        Condition,
        conditions,
        key_fields=["decision_id", "text"],
        report=ctx.report,
        label="conditions",
        create_only={"state", "met_confirmed_by_id", "met_confirmed_at"},
    )


def seed_reviews(
    *,
    ctx: SeedContext,
    credentials: dict[str, Credential],
    users: dict[str, AbstractUser],
) -> None:
    """Upsert the review standards and the demo reviews with everything recorded on them."""
    standard_set, standards = _seed_standards(ctx)
    admin = users["registry-admin"]
    specs = {(credentials[s.credential].pk, s.review_type): s for s in REVIEWS}
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
                "due_date": ctx.day(spec.due),
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
        review.created_at = ctx.moment(specs[(review.credential_id, review.review_type)].opened)
    if opened:
        Review.objects.bulk_update(opened, ["created_at"])
    upsert_by_fields(
        ReviewAssignment,
        [
            {
                "review_id": reviews[key].pk,
                "reviewer_id": users[username].pk,
                "assigned_by_id": admin.pk,
                "no_conflict_declared_at": ctx.moment(spec.opened + 1) if spec.declared else None,
            }
            for key, spec in specs.items()
            for username in spec.reviewers
        ],
        key_fields=["review_id", "reviewer_id"],
        report=ctx.report,
        label="review assignments",
        create_only={"no_conflict_declared_at"},
    )
    _seed_judgements_and_decisions(ctx, reviews, specs, standards, users, credentials)
