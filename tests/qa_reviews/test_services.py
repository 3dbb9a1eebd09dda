"""The review workflow's services: the happy path end to end, and every refusal with its reason."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction

from credentials.choices import AccreditationStatus, CredentialStatus, StatusSource
from credentials.services import credential_transition
from providers.choices import MembershipRole
from qa_reviews.choices import (
    APPROVING_OUTCOMES,
    ConditionState,
    DecisionOutcome,
    JudgementOutcome,
    ReviewStage,
    ReviewType,
)
from qa_reviews.conditions import conditions_mark_overdue, conditions_remind
from qa_reviews.models import Condition, Decision, Judgement
from qa_reviews.services import (
    add_working_days,
    condition_confirm_met,
    judgement_record,
    review_assign,
    review_cancel,
    review_decide,
    review_declare_no_conflict,
    review_open,
    review_standard_set_current,
    review_standard_set_new_version,
    review_unassign,
)
from tests.factories import (
    AccreditationRecordFactory,
    CredentialFactory,
    MembershipFactory,
    ReviewStandardFactory,
    ReviewStandardSetFactory,
    hkqf_level,
)
from tests.qa_reviews.workflow import (
    approve,
    condition,
    days,
    decided,
    judge_all,
    make_world,
    open_review,
    ready_to_decide,
)

pytestmark = pytest.mark.django_db


# --- The workflow end to end -----------------------------------------------------------------


def test_open_assign_declare_judge_decide_registers_the_credential(world):
    """A submitted record, reviewed and approved, is registered with validity and a record."""
    credential = world.credential
    review = review_open(actor=world.admin, credential=credential, review_type=ReviewType.INITIAL)
    assert (review.stage, review.standard_set) == (ReviewStage.OPEN, world.standard_set)
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.SUBMITTED

    review_assign(actor=world.admin, review=review, reviewer=world.reviewer)
    review_declare_no_conflict(actor=world.reviewer, review=review)
    review.refresh_from_db()
    credential.refresh_from_db()
    assert review.stage == ReviewStage.IN_PROGRESS
    assert credential.status == CredentialStatus.UNDER_REVIEW

    judge_all(world, review)
    decision = review_decide(
        actor=world.reviewer,
        review=review,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        rationale="Sound design; publish the moderation policy.",
        internal_notes="Panel split on resources; majority view recorded.",
        valid_from=days(1),
        valid_to=days(1095),
        conditions=[condition("Publish the moderation policy.", 60)],
    )

    review.refresh_from_db()
    credential.refresh_from_db()
    assert review.stage == ReviewStage.DECIDED
    assert credential.status == CredentialStatus.REGISTERED
    assert (credential.valid_from, credential.valid_to) == (days(1), days(1095))
    record = credential.accreditations.get()
    assert decision.accreditation == record
    assert (record.accreditor, record.status, record.source) == (
        "HKCAAVQ",
        AccreditationStatus.CURRENT,
        StatusSource.REVIEW_DECISION,
    )
    assert (record.valid_from, record.valid_to) == (days(1), days(1095))
    assert record.reference == f"QA review #{review.pk}"
    assert decision.conditions.get().state == ConditionState.OPEN
    moves = list(credential.status_changes.values_list("from_status", "to_status", "source"))
    assert moves == [
        (CredentialStatus.SUBMITTED, CredentialStatus.UNDER_REVIEW, StatusSource.REVIEW_DECISION),
        (CredentialStatus.UNDER_REVIEW, CredentialStatus.REGISTERED, StatusSource.REVIEW_DECISION),
    ]
    version = credential.versions.order_by("-number").first()
    assert version.source == StatusSource.REVIEW_DECISION
    assert set(version.changes) == {"valid_from", "valid_to"}


def test_registration_replaces_a_provisional_number_with_the_registrys():
    """A draft's provisional number becomes an HKQR-style registry number on registration."""
    world = make_world(registration_number="P/26/ABCD1234", level=hkqf_level("5"))
    decided(world)
    world.credential.refresh_from_db()
    number = world.credential.registration_number
    assert not number.startswith("P/")
    year, serial, level = number.split("/")
    assert (len(year), len(serial), level) == (2, 6, "L5")
    assert world.credential.versions.filter(changes__has_key="registration_number").exists()


def test_referral_and_refusal_move_a_first_review_off_the_path_to_registration(world):
    review = ready_to_decide(world)
    review_decide(
        actor=world.reviewer,
        review=review,
        outcome=DecisionOutcome.REFERRED_BACK,
        rationale="Outcome 2 is not assessed; revise and resubmit.",
    )
    world.credential.refresh_from_db()
    assert world.credential.status == CredentialStatus.REFERRED_BACK
    assert not world.credential.accreditations.exists()

    # Resubmitted, a new review can refuse it.
    credential_transition(
        actor=world.personas.a_admin,
        credential=world.credential,
        to_status=CredentialStatus.SUBMITTED,
    )
    second = ready_to_decide(world)
    review_decide(
        actor=world.reviewer,
        review=second,
        outcome=DecisionOutcome.NOT_APPROVED,
        rationale="Still not assessed.",
    )
    world.credential.refresh_from_db()
    assert world.credential.status == CredentialStatus.NOT_APPROVED


def test_a_registry_administrator_may_decide_for_the_panel(world):
    review = ready_to_decide(world)
    decision = approve(world, review, actor=world.admin)
    assert decision.decided_by == world.admin


def test_fast_track_due_date_counts_working_days(world):
    review = open_review(world, review_type=ReviewType.FAST_TRACK, target_working_days=10)
    assert review.due_date == add_working_days(world.today, 10)
    assert (review.due_date - world.today).days >= 12  # two weekends at least


def test_add_working_days_skips_weekends():
    friday = datetime.date(2026, 11, 27)
    assert add_working_days(friday, 1) == datetime.date(2026, 11, 30)
    assert add_working_days(friday, 5) == datetime.date(2026, 12, 4)


# --- Standards are versioned -----------------------------------------------------------------


def test_a_review_keeps_the_standard_set_current_when_it_opened(world):
    review = open_review(world)
    newer = review_standard_set_new_version(
        actor=world.admin, standard_set=world.standard_set, effective_from=world.today
    )

    assert newer.version == world.standard_set.version + 1
    assert [s.code for s in newer.standards.all()] == [s.code for s in world.standards]
    assert review_standard_set_current() == newer
    review.refresh_from_db()
    assert review.standard_set == world.standard_set
    other = CredentialFactory(status=CredentialStatus.SUBMITTED)
    assert open_review(world, credential=other).standard_set == newer


def test_a_standard_of_another_set_is_refused(world):
    review = open_review(world)
    review_declare_no_conflict(actor=world.reviewer, review=review)
    stranger = ReviewStandardFactory(standard_set=ReviewStandardSetFactory())

    with pytest.raises(ValidationError, match="not in the set the review uses"):
        judgement_record(
            actor=world.reviewer,
            review=review,
            standard=stranger,
            outcome=JudgementOutcome.MET,
            comment="n/a",
        )


def test_a_future_set_is_not_yet_in_force(world):
    ReviewStandardFactory(standard_set=ReviewStandardSetFactory(effective_from=days(10)))
    assert review_standard_set_current() == world.standard_set


# --- Conflict of interest --------------------------------------------------------------------


@pytest.mark.parametrize("role", [MembershipRole.ADMIN, MembershipRole.EDITOR])
def test_a_member_of_the_provider_cannot_be_assigned(world, role):
    member = world.reviewer2
    MembershipFactory(provider=world.personas.provider_a, user=member, role=role)
    review = open_review(world, reviewers=[])

    with pytest.raises(ValidationError, match=r"is a member of Provider A and cannot review"):
        review_assign(actor=world.admin, review=review, reviewer=member)
    assert not review.assignments.exists()


def test_a_member_of_the_awarding_body_cannot_be_assigned(world):
    awarding_body = MembershipFactory(user=world.reviewer2).provider
    world.credential.awarding_body = awarding_body
    world.credential.save(update_fields=["awarding_body"])
    review = open_review(world, reviewers=[])

    with pytest.raises(ValidationError, match="cannot review its records"):
        review_assign(actor=world.admin, review=review, reviewer=world.reviewer2)


def test_only_members_of_the_reviewers_group_are_assigned(world):
    review = open_review(world, reviewers=[])
    with pytest.raises(ValidationError, match="not in the reviewers group"):
        review_assign(actor=world.admin, review=review, reviewer=world.personas.b_admin)


def test_a_conflict_that_arises_after_assignment_blocks_the_declaration(world):
    review = open_review(world)
    MembershipFactory(provider=world.personas.provider_a, user=world.reviewer)

    with pytest.raises(ValidationError, match="cannot review its records"):
        review_declare_no_conflict(actor=world.reviewer, review=review)
    review.refresh_from_db()
    assert review.stage == ReviewStage.OPEN


def test_a_conflicted_registry_administrator_cannot_decide(world):
    review = ready_to_decide(world)
    MembershipFactory(provider=world.personas.provider_a, user=world.admin)
    with pytest.raises(ValidationError, match="cannot review its records"):
        approve(world, review, actor=world.admin)


# --- Who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["a_admin", "b_admin", "reviewer"])
def test_only_registry_administrators_open_assign_cancel_and_confirm(world, persona):
    user = world.personas.by_name(persona)
    with pytest.raises(PermissionDenied, match="Only registry administrators open"):
        review_open(actor=user, credential=world.credential, review_type=ReviewType.INITIAL)
    review = open_review(world, reviewers=[])
    with pytest.raises(PermissionDenied, match="Only registry administrators assign"):
        review_assign(actor=user, review=review, reviewer=world.reviewer2)
    with pytest.raises(PermissionDenied, match="Only registry administrators cancel"):
        review_cancel(actor=user, review=review, reason="No.")


def test_a_reviewer_not_assigned_can_neither_declare_nor_judge_nor_decide(world):
    review = ready_to_decide(world)
    with pytest.raises(PermissionDenied, match="not assigned"):
        review_declare_no_conflict(actor=world.reviewer2, review=review)
    with pytest.raises(PermissionDenied, match="not assigned"):
        judge_all(world, review, reviewer=world.reviewer2)
    with pytest.raises(PermissionDenied, match="not assigned"):
        approve(world, review, actor=world.reviewer2)
    with pytest.raises(PermissionDenied, match="not assigned"):
        approve(world, review, actor=world.personas.a_admin)


# --- Illegal transitions -----------------------------------------------------------------------


def test_judging_before_declaring_is_refused(world):
    review = open_review(world, reviewers=[world.reviewer, world.reviewer2])
    review_declare_no_conflict(actor=world.reviewer, review=review)

    with pytest.raises(ValidationError, match="Declare that you have no conflict"):
        judge_all(world, review, reviewer=world.reviewer2)


def test_deciding_before_every_standard_is_judged_is_refused(world):
    review = open_review(world)
    review_declare_no_conflict(actor=world.reviewer, review=review)
    judgement_record(
        actor=world.reviewer,
        review=review,
        standard=world.standards[0],
        outcome=JudgementOutcome.MET,
        comment="Fine.",
    )
    with pytest.raises(ValidationError, match="not yet judged: Assessment; Teaching"):
        approve(world, review)


def test_deciding_an_open_review_is_refused(world):
    review = open_review(world)
    with pytest.raises(ValidationError, match="No reviewer has started this review"):
        approve(world, review, actor=world.admin)


def test_deciding_twice_is_refused_and_points_to_a_correction(world):
    decision = decided(world)
    with pytest.raises(ValidationError, match="already been decided; record a correction"):
        approve(world, decision.review)
    assert Decision.objects.filter(review=decision.review).count() == 1


def test_the_database_refuses_a_second_original_decision(world):
    decision = decided(world)
    with pytest.raises(IntegrityError, match="one_original_per_review"), transaction.atomic():
        Decision.objects.create(
            review=decision.review,
            outcome=DecisionOutcome.NOT_APPROVED,
            rationale="Second thoughts.",
            decided_by=world.admin,
        )


def test_deciding_or_judging_a_cancelled_review_is_refused(world):
    review = ready_to_decide(world)
    review_cancel(actor=world.admin, review=review, reason="Provider withdrew the course.")

    with pytest.raises(ValidationError, match="cancelled, so it cannot be decided"):
        approve(world, review)
    with pytest.raises(ValidationError, match="cancelled, so it cannot be judged"):
        judgement_record(
            actor=world.reviewer,
            review=review,
            standard=world.standards[0],
            outcome=JudgementOutcome.MET,
            comment="Late.",
            supersedes=review.judgements.filter(standard=world.standards[0]).get(),
        )
    with pytest.raises(ValidationError, match="Only a review under way can be cancelled"):
        review_cancel(actor=world.admin, review=review, reason="Again.")


def test_cancelling_a_started_first_review_returns_the_record_to_submitted(world):
    review = ready_to_decide(world)
    review_cancel(actor=world.admin, review=review, reason="Reviewer unavailable; reopening.")

    world.credential.refresh_from_db()
    assert world.credential.status == CredentialStatus.SUBMITTED
    assert open_review(world).stage == ReviewStage.OPEN


def test_a_cancel_needs_a_reason(world):
    review = open_review(world)
    with pytest.raises(ValidationError, match="Say why"):
        review_cancel(actor=world.admin, review=review, reason="  ")


def test_a_record_has_one_review_under_way(world):
    open_review(world)
    with pytest.raises(ValidationError, match="already has a review under way"):
        open_review(world)


@pytest.mark.parametrize(
    ("review_type", "status"),
    [
        (ReviewType.INITIAL, CredentialStatus.DRAFT),
        (ReviewType.INITIAL, CredentialStatus.REGISTERED),
        (ReviewType.PERIODIC, CredentialStatus.SUBMITTED),
        (ReviewType.CHANGE, CredentialStatus.WITHDRAWN),
    ],
)
def test_a_review_needs_a_record_in_the_right_status(review_type, status):
    world = make_world(
        status=status,
        valid_from=days(-100) if status != CredentialStatus.DRAFT else None,
    )
    with pytest.raises(ValidationError, match="review needs a record that is"):
        open_review(world, review_type=review_type)


def test_a_record_pulled_back_to_draft_cannot_start_its_review(world):
    review = open_review(world)
    credential_transition(
        actor=world.personas.a_admin,
        credential=world.credential,
        to_status=CredentialStatus.DRAFT,
    )
    with pytest.raises(ValidationError, match="no longer submitted"):
        review_declare_no_conflict(actor=world.reviewer, review=review)


def test_declaring_twice_is_refused(world):
    review = open_review(world)
    review_declare_no_conflict(actor=world.reviewer, review=review)
    with pytest.raises(ValidationError, match="already declared"):
        review_declare_no_conflict(actor=world.reviewer, review=review)


def test_fast_track_needs_a_target(world):
    with pytest.raises(ValidationError, match="target number of working days"):
        open_review(world, review_type=ReviewType.FAST_TRACK)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"valid_from": None}, "give its start"),
        ({"valid_to": None}, "give its end"),
        ({"valid_to": datetime.date(2020, 1, 1)}, "must end on or after its start"),
        ({"rationale": " "}, "rationale the provider will read"),
        ({"conditions": [condition("Publish it.", 30)]}, "Only an approval with conditions"),
        ({"outcome": DecisionOutcome.APPROVED_WITH_CONDITIONS}, "at least one condition"),
        (
            {
                "outcome": DecisionOutcome.APPROVED_WITH_CONDITIONS,
                "conditions": [condition("Publish it.", -1)],
            },
            "Condition 1: the due date cannot be in the past",
        ),
    ],
)
def test_a_decision_with_bad_values_changes_nothing(world, values, message):
    review = ready_to_decide(world)
    with pytest.raises(ValidationError, match=message):
        approve(world, review, **values)
    review.refresh_from_db()
    world.credential.refresh_from_db()
    assert review.stage == ReviewStage.IN_PROGRESS
    assert world.credential.status == CredentialStatus.UNDER_REVIEW
    assert not world.credential.accreditations.exists()


def test_a_refusal_grants_no_validity(world):
    review = ready_to_decide(world)
    with pytest.raises(ValidationError, match="Only an approval grants a validity period"):
        review_decide(
            actor=world.reviewer,
            review=review,
            outcome=DecisionOutcome.NOT_APPROVED,
            rationale="No.",
            valid_from=days(1),
        )


def test_an_approval_of_a_record_without_a_level_is_refused_whole(world):
    world.credential.level = None
    world.credential.save(update_fields=["level"])
    review = ready_to_decide(world)

    with pytest.raises(ValidationError, match="needs a level"):
        approve(world, review)
    review.refresh_from_db()
    assert review.stage == ReviewStage.IN_PROGRESS
    assert not Decision.objects.filter(review=review).exists()
    assert not world.credential.accreditations.exists()


# --- Corrections: append-only ------------------------------------------------------------------


def test_a_judgement_is_corrected_by_a_new_entry(world):
    review = open_review(world)
    review_declare_no_conflict(actor=world.reviewer, review=review)
    original = judge_all(world, review)[0]

    with pytest.raises(ValidationError, match="already judged this standard"):
        judgement_record(
            actor=world.reviewer,
            review=review,
            standard=original.standard,
            outcome=JudgementOutcome.NOT_MET,
            comment="Changed my mind.",
        )
    correction = judgement_record(
        actor=world.reviewer,
        review=review,
        standard=original.standard,
        outcome=JudgementOutcome.PARTLY_MET,
        comment="Outcome 3 is not assessed.",
        supersedes=original,
    )

    original.refresh_from_db()
    assert original.outcome == JudgementOutcome.MET
    assert original.superseded_by == correction
    with pytest.raises(ValidationError, match="must supersede your latest judgement"):
        judgement_record(
            actor=world.reviewer,
            review=review,
            standard=original.standard,
            outcome=JudgementOutcome.MET,
            comment="Back again.",
            supersedes=original,
        )


def test_the_database_refuses_a_second_original_judgement(world):
    review = open_review(world)
    review_declare_no_conflict(actor=world.reviewer, review=review)
    first = judge_all(world, review)[0]
    with pytest.raises(IntegrityError, match="judgement_one_original"), transaction.atomic():
        Judgement.objects.create(
            review=review,
            standard=first.standard,
            reviewer=world.reviewer,
            outcome=JudgementOutcome.NOT_MET,
            comment="Sneaked in.",
        )


def test_a_decision_is_corrected_by_a_new_entry_and_the_original_survives_raw_sql(world):
    """The correction flow: a new decision supersedes the old, which the database keeps."""
    original = decided(world, rationale="Every standard is met.")

    correction = review_decide(
        actor=world.reviewer,
        review=original.review,
        outcome=DecisionOutcome.APPROVED,
        rationale="Every standard is met; validity corrected to two years.",
        valid_from=days(1),
        valid_to=days(730),
        supersedes=original,
    )

    original.refresh_from_db()
    assert original.superseded_by == correction
    assert original.rationale == "Every standard is met."
    world.credential.refresh_from_db()
    assert world.credential.valid_to == days(730)
    record = world.credential.accreditations.get()
    assert correction.accreditation == original.accreditation == record
    assert record.valid_to == days(730)
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE qa_reviews_decision SET rationale = 'rewritten' WHERE id = %s", [original.pk]
        )
    with pytest.raises(ValidationError, match="must supersede this review's current decision"):
        review_decide(
            actor=world.reviewer,
            review=original.review,
            outcome=DecisionOutcome.APPROVED,
            rationale="A second correction of the first.",
            valid_from=days(1),
            valid_to=days(730),
            supersedes=original,
        )


def test_a_correction_that_refuses_takes_the_record_off_the_register(world):
    original = decided(world)
    review_decide(
        actor=world.admin,
        review=original.review,
        outcome=DecisionOutcome.NOT_APPROVED,
        rationale="The evidence for standard 2 was another course's.",
        supersedes=original,
    )
    world.credential.refresh_from_db()
    assert world.credential.status == CredentialStatus.NOT_APPROVED
    assert world.credential.accreditations.get().status == AccreditationStatus.WITHDRAWN
    moves = list(world.credential.status_changes.values_list("to_status", flat=True))
    assert moves[-2:] == [CredentialStatus.UNDER_REVIEW, CredentialStatus.NOT_APPROVED]


def test_a_correction_keeps_a_condition_already_confirmed_met(world):
    original = decided(
        world,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish the rubric.", 30), condition("Name the tutors.", 60)],
    )
    met = original.conditions.get(text="Publish the rubric.")
    condition_confirm_met(actor=world.admin, condition=met)

    correction = approve(
        world,
        original.review,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish the rubric.", 30), condition("Name three tutors.", 60)],
        supersedes=original,
    )

    states = dict(correction.conditions.values_list("text", "state"))
    assert states == {"Publish the rubric.": ConditionState.MET, "Name three tutors.": "open"}
    with pytest.raises(ValidationError, match="has since been corrected"):
        condition_confirm_met(
            actor=world.admin, condition=original.conditions.get(text="Name the tutors.")
        )


def test_a_correction_that_does_not_carry_closes_the_open_conditions_as_superseded(world):
    """Without carrying, the corrected decision's unmet conditions are closed, met ones stay."""
    original = decided(
        world,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish the rubric.", 30), condition("Name the tutors.", 60)],
    )
    condition_confirm_met(
        actor=world.admin, condition=original.conditions.get(text="Name the tutors.")
    )

    correction = approve(world, original.review, supersedes=original)

    assert dict(original.conditions.values_list("text", "state")) == {
        "Publish the rubric.": ConditionState.SUPERSEDED,
        "Name the tutors.": ConditionState.MET,
    }
    assert not correction.conditions.exists()


def test_a_correction_approving_with_conditions_carries_them_when_it_says_so(world):
    """Carried conditions keep their state, due date and reminder; the originals are closed."""
    original = decided(
        world,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish the rubric.", 30), condition("Name the tutors.", 60)],
    )
    met = original.conditions.get(text="Name the tutors.")
    condition_confirm_met(actor=world.admin, condition=met)
    open_one = original.conditions.get(text="Publish the rubric.")

    correction = approve(
        world,
        original.review,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish the appeals policy.", 90)],
        supersedes=original,
        carry_conditions=True,
    )

    carried = {c.text: c for c in correction.conditions.all()}
    assert {text: c.state for text, c in carried.items()} == {
        "Publish the rubric.": ConditionState.OPEN,
        "Name the tutors.": ConditionState.MET,
        "Publish the appeals policy.": ConditionState.OPEN,
    }
    assert carried["Publish the rubric."].carried_from == open_one
    assert carried["Publish the rubric."].due_date == open_one.due_date
    assert carried["Name the tutors."].met_confirmed_by == world.admin
    assert carried["Publish the appeals policy."].carried_from is None
    open_one.refresh_from_db()
    assert open_one.state == ConditionState.SUPERSEDED
    assert conditions_mark_overdue(today=world.today + datetime.timedelta(days=40)) == [
        carried["Publish the rubric."].pk
    ]


def test_carrying_alone_satisfies_an_approval_with_conditions(world):
    original = decided(
        world,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish the rubric.", 30)],
    )
    correction = approve(
        world,
        original.review,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        supersedes=original,
        carry_conditions=True,
    )
    assert list(correction.conditions.values_list("text", flat=True)) == ["Publish the rubric."]


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        (DecisionOutcome.APPROVED, "only to an approval with conditions"),
        (DecisionOutcome.NOT_APPROVED, "only to an approval with conditions"),
    ],
)
def test_conditions_are_carried_only_to_an_approval_with_conditions(world, outcome, message):
    original = decided(
        world,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish the rubric.", 30)],
    )
    values = {} if outcome in APPROVING_OUTCOMES else {"valid_from": None, "valid_to": None}
    with pytest.raises(ValidationError, match=message):
        approve(
            world,
            original.review,
            outcome=outcome,
            supersedes=original,
            carry_conditions=True,
            **values,
        )
    assert original.conditions.get().state == ConditionState.OPEN
    assert Decision.objects.filter(review=original.review).count() == 1


def test_a_first_decision_carries_nothing(world):
    review = ready_to_decide(world)
    with pytest.raises(ValidationError, match="Only a correction carries"):
        approve(
            world,
            review,
            outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
            conditions=[condition("Publish the rubric.", 30)],
            carry_conditions=True,
        )
    assert not Decision.objects.filter(review=review).exists()


def test_a_carried_condition_listed_again_is_refused_and_nothing_changes(world):
    original = decided(
        world,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish the rubric.", 30)],
    )
    with pytest.raises(ValidationError, match="carried from the corrected decision already"):
        approve(
            world,
            original.review,
            outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
            conditions=[condition("Publish the rubric.", 45)],
            supersedes=original,
            carry_conditions=True,
        )
    assert Decision.objects.filter(review=original.review).count() == 1
    assert original.conditions.get().state == ConditionState.OPEN


# --- Reviews of records already on the register -----------------------------------------------


def _registered_world():
    world = make_world(status=CredentialStatus.REGISTERED, valid_from=days(-700), valid_to=days(30))
    AccreditationRecordFactory(
        credential=world.credential,
        accreditor="HKCAAVQ",
        valid_from=days(-700),
        valid_to=days(30),
    )
    return world


def test_a_periodic_review_keeps_the_record_registered_and_amends_its_accreditation():
    world = _registered_world()
    review = ready_to_decide(world, review_type=ReviewType.PERIODIC)
    world.credential.refresh_from_db()
    assert world.credential.status == CredentialStatus.REGISTERED

    approve(world, review, valid_from=days(-700), valid_to=days(400))

    world.credential.refresh_from_db()
    assert world.credential.status == CredentialStatus.REGISTERED
    assert not world.credential.status_changes.exists()
    record = world.credential.accreditations.get()
    assert (record.valid_to, record.source) == (days(400), StatusSource.REVIEW_DECISION)


def test_a_failed_periodic_review_ends_the_registration():
    world = _registered_world()
    review = ready_to_decide(world, review_type=ReviewType.PERIODIC)
    review_decide(
        actor=world.reviewer,
        review=review,
        outcome=DecisionOutcome.NOT_APPROVED,
        rationale="Delivery no longer meets the standards.",
    )
    world.credential.refresh_from_db()
    assert world.credential.status == CredentialStatus.NOT_APPROVED
    assert world.credential.accreditations.get().status == AccreditationStatus.WITHDRAWN


def test_a_refused_change_leaves_the_registration_in_force():
    world = _registered_world()
    review = ready_to_decide(world, review_type=ReviewType.CHANGE)
    review_decide(
        actor=world.reviewer,
        review=review,
        outcome=DecisionOutcome.NOT_APPROVED,
        rationale="Moving assessment online is not approved.",
    )
    world.credential.refresh_from_db()
    assert world.credential.status == CredentialStatus.REGISTERED
    assert world.credential.accreditations.get().status == AccreditationStatus.CURRENT


def test_re_accreditation_of_an_expired_record_registers_it_for_a_new_period():
    world = _registered_world()
    credential_transition(
        actor=world.admin,
        credential=world.credential,
        to_status=CredentialStatus.EXPIRED,
        reason="Validity ended.",
    )
    review = ready_to_decide(world, review_type=ReviewType.RE_ACCREDITATION)
    approve(world, review, valid_from=days(0), valid_to=days(1095))

    world.credential.refresh_from_db()
    assert world.credential.status == CredentialStatus.REGISTERED
    assert world.credential.accreditations.count() == 2
    moves = list(world.credential.status_changes.values_list("to_status", flat=True))
    assert moves[-2:] == [CredentialStatus.UNDER_REVIEW, CredentialStatus.REGISTERED]


# --- Conditions: deadlines and confirmation ----------------------------------------------------


def _conditions(world):
    decision = decided(
        world,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[
            condition("Publish the moderation policy.", 5),
            condition("Submit tutor CVs.", 40),
        ],
    )
    return decision, {c.text: c for c in decision.conditions.all()}


def test_conditions_past_their_due_date_become_overdue_once(world):
    decision, conditions = _conditions(world)
    later = world.today + datetime.timedelta(days=10)

    assert conditions_mark_overdue(today=later) == [conditions["Publish the moderation policy."].pk]
    assert conditions_mark_overdue(today=later) == []
    states = dict(decision.conditions.values_list("text", "state"))
    assert states == {
        "Publish the moderation policy.": ConditionState.OVERDUE,
        "Submit tutor CVs.": ConditionState.OPEN,
    }


def test_conditions_of_a_corrected_decision_are_not_marked_overdue(world):
    decision, _conditions_by_text = _conditions(world)
    approve(world, decision.review, supersedes=decision)
    assert conditions_mark_overdue(today=world.today + datetime.timedelta(days=100)) == []


def test_a_reminder_goes_once_when_a_condition_comes_within_the_window(world, settings):
    settings.QA_CONDITION_REMINDER_DAYS = 14
    _decision, conditions = _conditions(world)

    assert conditions_remind(today=world.today) == [conditions["Publish the moderation policy."].pk]
    assert conditions_remind(today=world.today) == []
    later = world.today + datetime.timedelta(days=30)
    assert conditions_remind(today=later) == [conditions["Submit tutor CVs."].pk]


def test_an_administrator_confirms_a_condition_met_even_when_overdue(world):
    _decision, conditions = _conditions(world)
    overdue = conditions["Publish the moderation policy."]
    conditions_mark_overdue(today=world.today + datetime.timedelta(days=10))

    confirmed = condition_confirm_met(actor=world.admin, condition=overdue)

    assert confirmed.state == ConditionState.MET
    assert confirmed.met_confirmed_by == world.admin
    assert confirmed.met_confirmed_at is not None
    with pytest.raises(ValidationError, match="already been confirmed"):
        condition_confirm_met(actor=world.admin, condition=overdue)


@pytest.mark.parametrize("persona", ["a_admin", "reviewer"])
def test_only_administrators_confirm_conditions(world, persona):
    _decision, conditions = _conditions(world)
    with pytest.raises(PermissionDenied, match="Only registry administrators confirm"):
        condition_confirm_met(
            actor=world.personas.by_name(persona), condition=conditions["Submit tutor CVs."]
        )
    assert Condition.objects.filter(state=ConditionState.MET).count() == 0


# --- Assignments -------------------------------------------------------------------------------


def test_a_reviewer_who_has_not_judged_can_be_taken_off(world):
    review = open_review(world, reviewers=[world.reviewer, world.reviewer2])
    review_declare_no_conflict(actor=world.reviewer, review=review)
    judge_all(world, review)

    review_unassign(actor=world.admin, assignment=review.assignments.get(reviewer=world.reviewer2))
    with pytest.raises(ValidationError, match="has judged standards"):
        review_unassign(
            actor=world.admin, assignment=review.assignments.get(reviewer=world.reviewer)
        )
    assert list(review.assignments.values_list("reviewer", flat=True)) == [world.reviewer.pk]


def test_assigning_twice_is_refused(world):
    review = open_review(world)
    with pytest.raises(ValidationError, match="already assigned"):
        review_assign(actor=world.admin, review=review, reviewer=world.reviewer)


def test_evidence_files_have_a_size_limit(world, settings):
    settings.QA_EVIDENCE_MAX_MB = 0
    review = open_review(world)
    review_declare_no_conflict(actor=world.reviewer, review=review)
    with pytest.raises(ValidationError, match="at most 0 MB"):
        judgement_record(
            actor=world.reviewer,
            review=review,
            standard=world.standards[0],
            outcome=JudgementOutcome.MET,
            comment="See the file.",
            evidence_file=SimpleUploadedFile("big.pdf", b"%PDF-1.7 ..."),
        )
