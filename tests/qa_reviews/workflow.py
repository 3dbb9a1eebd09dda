"""A small world for QA review tests, and the workflow steps as one-line helpers."""

import datetime
from dataclasses import dataclass, replace

from django.contrib.auth.models import Group
from django.utils import timezone

from credentials.choices import CredentialStatus
from credentials.models import Credential
from providers.roles import REVIEWERS_GROUP
from qa_reviews.choices import DecisionOutcome, JudgementOutcome, ReviewType
from qa_reviews.models import Decision, Review, ReviewStandard, ReviewStandardSet
from qa_reviews.services import (
    ConditionDraft,
    judgement_record,
    review_decide,
    review_declare_no_conflict,
    review_open,
)
from tests.factories import (
    CredentialFactory,
    ReviewStandardFactory,
    ReviewStandardSetFactory,
    UserFactory,
)
from tests.personas import Personas, make_personas

# Everyone the review pages and API answer differently.
PERSONAS = ["anonymous", "a_admin", "a_editor", "b_admin", "reviewer", "registry_admin"]

COMPLETE = {
    "learning_outcomes_en": ["Build a reproducible analysis pipeline"],
    "assessment_type": "Project with an oral defence",
    "mode_of_delivery": "blended",
    "quality_assurance_type": "External accreditation (HKCAAVQ)",
}


@dataclass
class World:
    personas: Personas
    reviewer2: object
    standard_set: ReviewStandardSet
    standards: list[ReviewStandard]
    credential: Credential
    today: datetime.date

    @property
    def admin(self):
        return self.personas.registry_admin

    @property
    def reviewer(self):
        return self.personas.reviewer


def make_world(**credential_values) -> World:
    personas = make_personas()
    reviewer2 = UserFactory(username="reviewer-two", email="reviewer2@example.org")
    reviewer2.groups.add(Group.objects.get_or_create(name=REVIEWERS_GROUP)[0])
    today = timezone.localdate()
    standard_set = ReviewStandardSetFactory(effective_from=today - datetime.timedelta(days=30))
    standards = [
        ReviewStandardFactory(
            standard_set=standard_set, ordinal=n, code=code, title_en=title, title_zh=title_zh
        )
        for n, (code, title, title_zh) in enumerate(
            [
                ("design", "Programme design and learning outcomes", "課程設計及學習成果"),
                ("assessment", "Assessment", "評核"),
                ("resources", "Teaching and learning resources", "教學及學習資源"),
            ],
            start=1,
        )
    ]
    values = {
        "provider": personas.provider_a,
        "status": CredentialStatus.SUBMITTED,
        "valid_from": None,
        "valid_to": None,
        **COMPLETE,
        **credential_values,
    }
    credential = CredentialFactory(**values)
    return World(personas, reviewer2, standard_set, standards, credential, today)


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def open_review(world: World, *, reviewers=None, **values) -> Review:
    values.setdefault("review_type", ReviewType.INITIAL)
    values.setdefault("credential", world.credential)
    return review_open(
        actor=world.admin,
        reviewers=[world.reviewer] if reviewers is None else reviewers,
        **values,
    )


def judge_all(world: World, review: Review, *, reviewer=None, outcome=JudgementOutcome.MET):
    reviewer = reviewer or world.reviewer
    return [
        judgement_record(
            actor=reviewer,
            review=review,
            standard=standard,
            outcome=outcome,
            comment=f"{standard.title_en}: judged {outcome}.",
        )
        for standard in world.standards
    ]


def approve(world: World, review: Review, *, actor=None, **values) -> Decision:
    values.setdefault("outcome", DecisionOutcome.APPROVED)
    values.setdefault("rationale", "Every standard is met.")
    values.setdefault("valid_from", days(1))
    values.setdefault("valid_to", days(3 * 365))
    return review_decide(actor=actor or world.reviewer, review=review, **values)


def ready_to_decide(world: World, **values) -> Review:
    """Open, assign the reviewer, declare and judge every standard."""
    review = open_review(world, **values)
    review_declare_no_conflict(actor=world.reviewer, review=review)
    judge_all(world, review)
    return review


def decided(world: World, **decision_values) -> Decision:
    review = ready_to_decide(world)
    return approve(world, review, **decision_values)


def condition(text: str, due_in: int) -> ConditionDraft:
    return ConditionDraft(text=text, due_date=days(due_in))


def submitted(provider) -> Credential:
    """A complete record of the provider's, submitted and waiting for a first review."""
    return CredentialFactory(
        provider=provider,
        status=CredentialStatus.SUBMITTED,
        valid_from=None,
        valid_to=None,
        **COMPLETE,
    )


@dataclass
class Scene:
    """Three reviews the persona tests look at; see the ``scene`` fixture."""

    world: World
    decided: Review  # provider A's record, decided with conditions and internal notes
    in_progress: Review  # provider A's record, the persona reviewer declared, nothing judged
    other: Review  # provider B's record, reviewed by someone else


def make_scene(world: World) -> Scene:
    decision = decided(
        world,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        rationale="Approved; publish the moderation policy.",
        internal_notes="Tutor numbers look thin. Check them at the periodic review.",
        conditions=[condition("Publish the moderation policy.", 30)],
    )
    second = replace(world, credential=submitted(world.personas.provider_a))
    in_progress = open_review(second)
    review_declare_no_conflict(actor=world.reviewer, review=in_progress)
    third = replace(world, credential=submitted(world.personas.provider_b))
    other = open_review(third, reviewers=[world.reviewer2])
    return Scene(world, decision.review, in_progress, other)
