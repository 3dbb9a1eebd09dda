"""The review admin writes through the services: the same rules and refusals as the pages."""

import pytest
from django.urls import reverse

from qa_reviews.choices import ConditionState, DecisionOutcome, ReviewStage, ReviewType
from qa_reviews.models import Condition, Review, ReviewAssignment, ReviewStandardSet
from qa_reviews.services import review_declare_no_conflict
from tests.factories import MembershipFactory
from tests.qa_reviews.workflow import condition, decided, judge_all, open_review

pytestmark = pytest.mark.django_db


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:qa_reviews_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def staff(client, world):
    world.admin.is_superuser = True
    world.admin.save(update_fields=["is_superuser"])
    client.force_login(world.admin)
    return client


def test_adding_a_review_opens_it_under_the_current_standards(staff, world):
    response = staff.post(
        _url(Review, "add"),
        {
            "credential": world.credential.pk,
            "review_type": ReviewType.FAST_TRACK,
            "target_working_days": "5",
            "due_date": "",
            "assignments-TOTAL_FORMS": "1",
            "assignments-INITIAL_FORMS": "0",
            "assignments-0-reviewer": world.reviewer.pk,
            "judgements-TOTAL_FORMS": "0",
            "judgements-INITIAL_FORMS": "0",
            "decisions-TOTAL_FORMS": "0",
            "decisions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    review = Review.objects.get(credential=world.credential)
    assert (review.stage, review.standard_set, review.opened_by) == (
        ReviewStage.OPEN,
        world.standard_set,
        world.admin,
    )
    assert review.due_date is not None
    assert review.assignments.get().assigned_by == world.admin


def test_assigning_a_conflicted_reviewer_in_the_admin_is_refused(staff, world):
    review = open_review(world, reviewers=[])
    MembershipFactory(provider=world.personas.provider_a, user=world.reviewer2)

    response = staff.post(
        _url(ReviewAssignment, "add"),
        {"review": review.pk, "reviewer": world.reviewer2.pk},
        follow=True,
    )

    assert "cannot review its records" in response.text
    assert not review.assignments.exists()


def test_an_administrator_not_assigned_cannot_judge_in_the_admin(staff, world):
    review = open_review(world)
    response = staff.post(
        reverse("admin:qa_reviews_judgement_add"),
        {
            "review": review.pk,
            "standard": world.standards[0].pk,
            "outcome": "met",
            "comment": "From the admin.",
        },
        follow=True,
    )
    assert "You are not assigned to this review." in response.text
    assert not review.judgements.exists()


def test_conditions_are_confirmed_met_by_an_action(staff, world):
    decision = decided(
        world,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish the rubric.", 20)],
    )
    target = decision.conditions.get()

    staff.post(
        _url(Condition, "changelist"),
        {"action": "confirm_met", "_selected_action": [target.pk]},
    )

    target.refresh_from_db()
    assert (target.state, target.met_confirmed_by) == (ConditionState.MET, world.admin)


def test_a_standard_set_in_use_is_frozen_and_versioned_by_an_action(staff, world):
    open_review(world)
    page = staff.get(_url(ReviewStandardSet, "change", world.standard_set.pk)).text
    assert 'name="standards-0-title_en"' not in page

    staff.post(
        _url(ReviewStandardSet, "changelist"),
        {"action": "new_version", "_selected_action": [world.standard_set.pk]},
    )

    newer = ReviewStandardSet.objects.get(
        name=world.standard_set.name, version=world.standard_set.version + 1
    )
    assert newer.standards.count() == len(world.standards)
    page = staff.get(_url(ReviewStandardSet, "change", newer.pk)).text
    assert 'name="standards-0-title_en"' in page


def test_taking_a_reviewer_off_goes_through_the_service(staff, world):
    review = open_review(world, reviewers=[world.reviewer, world.reviewer2])
    review_declare_no_conflict(actor=world.reviewer, review=review)
    judge_all(world, review)
    idle = review.assignments.get(reviewer=world.reviewer2)
    busy = review.assignments.get(reviewer=world.reviewer)

    staff.post(_url(ReviewAssignment, "delete", idle.pk), {"post": "yes"})
    response = staff.post(_url(ReviewAssignment, "delete", busy.pk), {"post": "yes"}, follow=True)

    assert "has judged standards of this review" in response.text
    assert list(review.assignments.values_list("pk", flat=True)) == [busy.pk]


def test_a_conditions_admin_page_lists_its_history_read_only(staff, world):
    decision = decided(
        world,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish the rubric.", 30)],
    )
    target = decision.conditions.get()

    page = staff.get(_url(Condition, "change", target.pk)).text

    assert "Set by the decision" in page
    assert world.reviewer.get_username() in page
    assert 'name="events-0-note"' not in page
