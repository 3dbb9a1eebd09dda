"""The demo register's reviews fill the queue and the board, and follow the services' rules."""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from credentials.choices import CredentialStatus, StatusSource
from providers.models import ProviderMembership
from qa_reviews.choices import (
    APPROVING_OUTCOMES,
    DecisionOutcome,
    JudgementOutcome,
    ReviewStage,
)
from qa_reviews.models import Decision, Review, ReviewAssignment
from qa_reviews.selectors import credential_qa_summary, review_board, reviewer_queue
from qa_reviews.services import judgement_record, review_decide, review_declare_no_conflict
from tests.qa_reviews.workflow import days

FIRST_REVIEWS = ("initial", "fast_track")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        users = get_user_model().objects.in_bulk(
            ["reviewer", "reviewer2", "registry-admin"], field_name="username"
        )
        yield SimpleNamespace(users=users)
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestDemoReviews:
    def test_the_queue_has_overdue_work_first(self, demo):
        items = reviewer_queue(reviewer=demo.users["reviewer"])
        assert len(items) >= 3
        assert items[0].overdue
        assert any(not item.declared for item in items)

    def test_the_board_shows_something_real(self, demo):
        board = review_board()
        assert board.overdue
        assert board.unassigned
        assert board.conditions
        timings = {t.label: t.median_days for t in board.timings}
        for label in ("Initial accreditation", "Fast-track", "Change approval"):
            assert timings[label] and timings[label] > 1, label
        assert sum(month.total for month in board.months) == 5
        assert all(t.median_days for t in board.fast_vs_standard)

    def test_demo_rows_follow_the_workflow_rules(self, demo):
        for review in Review.objects.select_related("credential"):
            status = review.credential.status
            if review.stage == ReviewStage.OPEN and review.review_type in FIRST_REVIEWS:
                assert status == CredentialStatus.SUBMITTED, review
            if review.stage == ReviewStage.IN_PROGRESS and review.review_type in FIRST_REVIEWS:
                assert status == CredentialStatus.UNDER_REVIEW, review
            if review.stage == ReviewStage.CANCELLED:
                assert review.cancel_reason
            if review.stage == ReviewStage.DECIDED:
                judged = set(review.judgements.values_list("standard_id", flat=True))
                assert judged == set(review.standard_set.standards.values_list("pk", flat=True))
                decision = review.decisions.get()
                assert decision.decided_at > review.created_at
                assert review.assignments.filter(
                    reviewer=decision.decided_by, no_conflict_declared_at__isnull=False
                ).exists()
        for assignment in ReviewAssignment.objects.select_related("review__credential"):
            assert not ProviderMembership.objects.filter(
                user=assignment.reviewer, provider=assignment.review.credential.provider
            ).exists()

    def test_approvals_stand_behind_their_accreditation_records(self, demo):
        for decision in Decision.objects.filter(outcome__in=APPROVING_OUTCOMES):
            record = decision.accreditation
            assert record is not None
            assert record.source == StatusSource.REVIEW_DECISION
            summary = credential_qa_summary(credential=decision.review.credential)
            assert summary.accreditor == "HKCAAVQ"

    def test_an_open_demo_review_can_be_worked_to_a_registration(self, demo):
        reviewer = demo.users["reviewer"]
        review = Review.objects.get(
            credential__registration_number="26/008807/L4", stage=ReviewStage.OPEN
        )
        review_declare_no_conflict(actor=reviewer, review=review)
        for standard in review.standard_set.standards.all():
            judgement_record(
                actor=reviewer,
                review=review,
                standard=standard,
                outcome=JudgementOutcome.MET,
                comment="Met.",
            )
        review_decide(
            actor=reviewer,
            review=review,
            outcome=DecisionOutcome.APPROVED,
            rationale="Fast-track approval.",
            valid_from=days(1),
            valid_to=days(1000),
        )
        review.credential.refresh_from_db()
        assert review.credential.status == CredentialStatus.REGISTERED
