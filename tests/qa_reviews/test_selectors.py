"""Read queries: the diff since approval, the board's numbers, the public QA summary."""

import dataclasses
import datetime

import pytest
from django.utils import timezone

from credentials.choices import CredentialStatus
from credentials.services import credential_transition, credential_update
from qa_reviews.choices import DecisionOutcome, ReviewType
from qa_reviews.models import Decision, Review
from qa_reviews.selectors import (
    Access,
    credential_changes_since_approval,
    credential_qa_summary,
    review_access,
    review_board,
    reviews_for_user,
)
from qa_reviews.services import review_decide
from tests.factories import CredentialFactory, MembershipFactory
from tests.qa_reviews.workflow import (
    COMPLETE,
    approve,
    decided,
    open_review,
    ready_to_decide,
)

pytestmark = pytest.mark.django_db


def test_changes_since_registration_compare_field_by_field(world):
    decided(world)
    credential = world.credential
    credential.refresh_from_db()
    credential_update(
        actor=world.personas.a_admin,
        credential=credential,
        values={"summary_en": "Evening classes from 2027.", "fee": "9800"},
        reason="New intake requirements.",
    )
    credential.refresh_from_db()

    changes = credential_changes_since_approval(credential=credential)

    assert changes.baseline == "registered"
    assert changes.diff["summary_en"] == ("", "Evening classes from 2027.")
    assert changes.diff["fee"][1] == "9800.00"
    assert [v.reason for v in changes.versions] == ["New intake requirements."]


def test_changes_of_a_never_registered_record_compare_with_its_last_decision(world):
    review = ready_to_decide(world)
    review_decide(
        actor=world.reviewer,
        review=review,
        outcome=DecisionOutcome.REFERRED_BACK,
        rationale="Name the assessment method.",
    )
    world.credential.refresh_from_db()
    credential_update(
        actor=world.personas.a_admin,
        credential=world.credential,
        values={"assessment_type": "Portfolio and viva"},
    )
    world.credential.refresh_from_db()

    changes = credential_changes_since_approval(credential=world.credential)

    assert changes.baseline == "decided"
    # The factory-made record has no version before the decision: the edits since tell.
    assert changes.diff["assessment_type"] == ("Project with an oral defence", "Portfolio and viva")


def test_a_record_never_decided_has_nothing_to_compare(world):
    assert credential_changes_since_approval(credential=world.credential).baseline == ""


def test_board_medians_and_months(world):
    now = timezone.now()
    fast_world = dataclasses.replace(
        world,
        credential=CredentialFactory(
            provider=world.personas.provider_a,
            status=CredentialStatus.SUBMITTED,
            valid_from=None,
            valid_to=None,
            **COMPLETE,
        ),
    )
    slow = decided(world)
    fast_review = ready_to_decide(
        fast_world, review_type=ReviewType.FAST_TRACK, target_working_days=5
    )
    fast = approve(fast_world, fast_review)
    # Opened 40 and 6 days before their decisions.
    Review.objects.filter(pk=slow.review_id).update(created_at=now - datetime.timedelta(days=40))
    Review.objects.filter(pk=fast.review_id).update(created_at=now - datetime.timedelta(days=6))

    board = review_board()

    timings = {t.label: t for t in board.timings}
    assert round(timings["Initial accreditation"].median_days) == 40
    assert round(timings["Fast-track"].median_days) == 6
    assert timings["Fast-track"].target_days == 5
    assert timings["Periodic review"].median_days is None
    fast_vs = {str(t.label): round(t.median_days) for t in board.fast_vs_standard}
    assert fast_vs == {"Fast-track": 6, "Standard (all other types)": 40}
    assert board.months[-1].total == 2
    assert len(board.months) == 12
    assert board.months[-1].by_outcome[DecisionOutcome.APPROVED] == 2


def test_corrections_do_not_count_twice_on_the_board(world):
    original = decided(world)
    approve(world, original.review, supersedes=original)
    assert review_board().months[-1].total == 1
    assert Decision.objects.count() == 2


def test_the_public_summary_follows_the_standing_approval(world):
    original = decided(world)
    summary = credential_qa_summary(credential=world.credential)
    assert (summary.accreditor, summary.valid_to) == ("HKCAAVQ", original.valid_to)

    review_decide(
        actor=world.admin,
        review=original.review,
        outcome=DecisionOutcome.NOT_APPROVED,
        rationale="Withdrawn on appeal evidence.",
        supersedes=original,
    )
    assert credential_qa_summary(credential=world.credential) is None


def test_access_levels(world):
    review = open_review(world)
    personas = world.personas
    assert review_access(personas.registry_admin, review) is Access.FULL
    assert review_access(personas.reviewer, review) is Access.FULL
    assert review_access(world.reviewer2, review) is Access.NONE
    assert review_access(personas.a_editor, review) is Access.PROVIDER
    assert review_access(personas.b_admin, review) is Access.NONE
    assert list(reviews_for_user(world.reviewer2)) == []
    assert list(reviews_for_user(personas.a_admin)) == [review]


def test_a_reviewer_who_also_belongs_to_another_provider_sees_both(world):
    mine = open_review(world)
    other_provider = MembershipFactory(user=world.reviewer).provider
    theirs = open_review(
        dataclasses.replace(
            world,
            credential=CredentialFactory(
                provider=other_provider, status=CredentialStatus.SUBMITTED, **COMPLETE
            ),
        ),
        reviewers=[world.reviewer2],
    )
    assert set(reviews_for_user(world.reviewer)) == {mine, theirs}
    assert review_access(world.reviewer, theirs) is Access.PROVIDER


def test_a_record_moved_back_to_draft_leaves_its_review_visible(world):
    review = open_review(world)
    credential_transition(
        actor=world.personas.a_admin, credential=world.credential, to_status="draft"
    )
    assert list(reviews_for_user(world.personas.a_admin)) == [review]
