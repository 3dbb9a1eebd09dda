"""What the review page and the API offer follows the rules the services apply, stage by stage."""

import pytest

from qa_reviews.selectors import Access, ReviewActions, review_actions
from qa_reviews.services import review_declare_no_conflict
from tests.factories import MembershipFactory
from tests.qa_reviews.workflow import approve, open_review, ready_to_decide

pytestmark = pytest.mark.django_db


def offered(actions: ReviewActions) -> set[str]:
    return {
        name
        for name in ("assign", "cancel", "declare", "judge", "decide", "correct")
        if getattr(actions, name)
    }


def test_each_stage_offers_what_the_services_allow(world):
    review = open_review(world)
    assert offered(review_actions(review, world.reviewer)) == {"declare"}
    assert offered(review_actions(review, world.admin)) == {"assign", "cancel"}

    review_declare_no_conflict(actor=world.reviewer, review=review)
    review.refresh_from_db()
    assert offered(review_actions(review, world.reviewer)) == {"judge", "decide"}
    assert offered(review_actions(review, world.admin)) == {"assign", "cancel", "decide"}


def test_a_decided_review_offers_only_a_correction(world):
    review = ready_to_decide(world)
    approve(world, review)
    review.refresh_from_db()
    assert offered(review_actions(review, world.reviewer)) == {"correct"}
    assert offered(review_actions(review, world.admin)) == {"correct"}


def test_the_provider_and_a_conflicted_administrator_are_offered_nothing(world):
    review = ready_to_decide(world)
    provider_member = world.personas.a_admin
    assert review_actions(review, provider_member).access is Access.PROVIDER
    assert offered(review_actions(review, provider_member)) == set()

    MembershipFactory(user=world.admin, provider=world.personas.provider_a)
    assert offered(review_actions(review, world.admin)) == {"assign", "cancel"}
