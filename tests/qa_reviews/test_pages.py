"""Review pages: queue, review page, board and their forms, per persona; the public QA summary."""

import dataclasses
import datetime

import pytest
from django.urls import reverse

from credentials.choices import CredentialStatus
from credentials.services import credential_update
from qa_reviews.choices import ConditionState, DecisionOutcome, ReviewStage, ReviewType
from qa_reviews.models import Judgement, Review
from qa_reviews.services import review_declare_no_conflict
from tests.factories import MembershipFactory
from tests.qa_reviews.workflow import (
    PERSONAS,
    Scene,
    approve,
    condition,
    days,
    judge_all,
    open_review,
    submitted,
)

pytestmark = pytest.mark.django_db


def _as(client, scene: Scene, persona: str):
    user = scene.world.personas.by_name(persona)
    if user is not None:
        client.force_login(user)
    return client


def _review_url(name: str, review: Review) -> str:
    return reverse(f"reviews:{name}", kwargs={"pk": review.pk})


QUEUE_EXPECTED = {
    "anonymous": 302,
    "a_admin": 403,
    "a_editor": 403,
    "b_admin": 403,
    "reviewer": 200,
    "registry_admin": 302,  # to the board
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_queue_is_for_reviewers(client, scene, persona):
    response = _as(client, scene, persona).get(reverse("reviews:queue"))
    assert response.status_code == QUEUE_EXPECTED[persona]
    if persona == "anonymous":
        assert response.url.startswith(reverse("login"))
    if persona == "registry_admin":
        assert response.url == reverse("reviews:board")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["reviews:board", "reviews:open"])
def test_the_board_and_opening_are_for_registry_staff(client, scene, persona, page):
    response = _as(client, scene, persona).get(reverse(page))
    expected = {"anonymous": 302, "registry_admin": 200}.get(persona, 403)
    assert response.status_code == expected


REVIEW_PAGE = {
    "anonymous": (302, None),
    "a_admin": (200, "provider"),
    "a_editor": (200, "provider"),
    "b_admin": (404, None),
    "reviewer": (200, "full"),
    "registry_admin": (200, "full"),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_review_page_shows_internal_matters_only_to_reviewers_and_staff(client, scene, persona):
    response = _as(client, scene, persona).get(_review_url("review", scene.decided))

    status, access = REVIEW_PAGE[persona]
    assert response.status_code == status
    if status != 200:
        return
    page = response.content.decode()
    assert "Approved; publish the moderation policy." in page
    assert "Publish the moderation policy." in page
    internal = ["Tutor numbers look thin.", "judged met", scene.world.reviewer.get_username()]
    for text in internal:
        assert (text in page) is (access == "full"), text


@pytest.mark.parametrize("persona", ["reviewer", "a_admin", "a_editor"])
def test_others_reviews_are_not_found(client, scene, persona):
    response = _as(client, scene, persona).get(_review_url("review", scene.other))
    assert response.status_code == 404


def test_the_review_page_shows_the_record_its_completeness_and_history(client, scene):
    world = scene.world
    credential = scene.decided.credential
    credential_update(
        actor=world.admin,
        credential=credential,
        # An editorial change: substantive ones to a registered record wait for approval.
        values={"summary_en": "Taught in English at Kowloon Tong."},
        reason="Clarified entry requirements.",
    )
    periodic = open_review(
        dataclasses.replace(world, credential=credential), review_type=ReviewType.PERIODIC
    )

    page = _as(client, scene, "reviewer").get(_review_url("review", periodic)).content.decode()

    assert "Build a reproducible analysis pipeline" in page  # the full record
    assert "Completeness" in page and "%" in page
    assert "Compared with the record as registered on" in page
    assert "summary" in page and "Taught in English at Kowloon Tong." in page
    assert "Clarified entry requirements." in page
    assert "Previous reviews of this record" in page
    assert "Initial accreditation" in page  # the earlier review, with its decision
    assert "Declare no conflict of interest" in page


def test_a_reviewer_declares_judges_and_decides_through_the_pages(client, scene):
    world = scene.world
    credential = submitted(world.personas.provider_a)
    review = open_review(dataclasses.replace(world, credential=credential))
    _as(client, scene, "reviewer")

    response = client.post(_review_url("declare", review))
    assert response.status_code == 302
    page = client.get(_review_url("review", review)).content.decode()
    assert "Record your judgement" in page

    for standard in world.standards:
        prefix = f"standard-{standard.pk}"
        response = client.post(
            _review_url("judge", review),
            {
                "standard_pk": standard.pk,
                f"{prefix}-standard": standard.pk,
                f"{prefix}-outcome": "met",
                f"{prefix}-comment": f"{standard.title_en} is met.",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert Judgement.objects.filter(review=review).count() == 3

    response = client.post(
        _review_url("decide", review),
        {
            "decision-outcome": DecisionOutcome.APPROVED_WITH_CONDITIONS,
            "decision-rationale": "Approved with one condition.",
            "decision-valid_from": days(1).isoformat(),
            "decision-valid_to": days(1000).isoformat(),
            "conditions-TOTAL_FORMS": "3",
            "conditions-INITIAL_FORMS": "0",
            "conditions-0-text": "Name the tutors.",
            "conditions-0-due_date": days(30).isoformat(),
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    credential.refresh_from_db()
    assert review.stage == ReviewStage.DECIDED
    assert credential.status == CredentialStatus.REGISTERED
    assert review.decisions.get().conditions.get().text == "Name the tutors."


def test_a_refused_decision_is_shown_on_the_form_and_changes_nothing(client, scene):
    judge_all(scene.world, scene.in_progress)
    response = _as(client, scene, "reviewer").post(
        _review_url("decide", scene.in_progress),
        {
            "decision-outcome": DecisionOutcome.APPROVED,
            "decision-rationale": "Fine.",
            "conditions-TOTAL_FORMS": "3",
            "conditions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert "An approval grants a validity period: give its start." in response.content.decode()
    scene.in_progress.refresh_from_db()
    assert scene.in_progress.stage == ReviewStage.IN_PROGRESS


def test_judging_before_declaring_is_refused_on_the_page(client, scene):
    world = scene.world
    review = open_review(
        dataclasses.replace(world, credential=submitted(world.personas.provider_a)),
        reviewers=[world.reviewer, world.reviewer2],
    )
    review_declare_no_conflict(actor=world.reviewer2, review=review)
    standard = world.standards[0]
    prefix = f"standard-{standard.pk}"
    response = _as(client, scene, "reviewer").post(
        _review_url("judge", review),
        {
            "standard_pk": standard.pk,
            f"{prefix}-standard": standard.pk,
            f"{prefix}-outcome": "met",
            f"{prefix}-comment": "Early.",
        },
    )
    assert response.status_code == 400
    assert "Declare that you have no conflict of interest" in response.content.decode()
    assert not Judgement.objects.filter(review=review).exists()


ACTION_EXPECTED = {
    # (declare, judge, decide, assign, cancel)
    "anonymous": (302, 302, 302, 302, 302),
    "a_admin": (403, 403, 403, 403, 403),
    "a_editor": (403, 403, 403, 403, 403),
    "b_admin": (404, 404, 404, 403, 403),
    "reviewer": (302, 400, 400, 403, 403),  # declared already: a message, back to the page
    "registry_admin": (403, 400, 400, 400, 400),  # staff, but not assigned: no declaring
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_page_actions_per_persona(client, scene, persona):
    """Refusals are 403 (seen, not allowed) or 404 (not seen); empty forms are 400s."""
    client = _as(client, scene, persona)
    review = scene.in_progress
    codes = tuple(
        client.post(_review_url(name, review), {}).status_code
        for name in ("declare", "judge", "decide", "assign", "cancel")
    )
    assert codes == ACTION_EXPECTED[persona]
    review.refresh_from_db()
    assert review.stage == ReviewStage.IN_PROGRESS


def test_opening_a_review_from_the_board(client, scene):
    world = scene.world
    credential = submitted(world.personas.provider_a)
    _as(client, scene, "registry_admin")
    board = client.get(reverse("reviews:board")).content.decode()
    assert credential.registration_number in board  # awaiting a review

    response = client.post(
        reverse("reviews:open"),
        {
            "registration_number": credential.registration_number.replace("/", ""),
            "review_type": ReviewType.FAST_TRACK,
            "target_working_days": "10",
            "reviewers": [world.reviewer2.pk],
        },
    )
    review = Review.objects.get(credential=credential)
    assert response.status_code == 302
    assert response.url == _review_url("review", review)
    assert review.target_working_days == 10
    assert list(review.reviewers.all()) == [world.reviewer2]

    again = client.post(
        reverse("reviews:open"),
        {"registration_number": credential.registration_number, "review_type": "initial"},
    )
    assert again.status_code == 400
    assert "already has a review under way" in again.content.decode()


def test_a_conflicted_assignment_is_refused_on_the_page(client, scene):
    MembershipFactory(provider=scene.world.personas.provider_a, user=scene.world.reviewer2)
    response = _as(client, scene, "registry_admin").post(
        _review_url("assign", scene.in_progress), {"reviewer": scene.world.reviewer2.pk}
    )
    assert response.status_code == 400
    assert "cannot review its records" in response.content.decode()


def test_staff_confirm_a_condition_from_the_board(client, scene):
    target = scene.decided.decisions.get().conditions.get()
    _as(client, scene, "registry_admin")
    assert "Publish the moderation policy." in client.get(reverse("reviews:board")).text

    response = client.post(
        reverse("reviews:condition-confirm", kwargs={"pk": target.pk}),
        {"next": "https://evil.example.org/"},
    )
    assert response.url == reverse("reviews:board")
    target.refresh_from_db()
    assert target.state == ConditionState.MET


@pytest.mark.parametrize("persona", ["a_admin", "reviewer"])
def test_others_cannot_confirm_a_condition(client, scene, persona):
    target = scene.decided.decisions.get().conditions.get()
    response = _as(client, scene, persona).post(
        reverse("reviews:condition-confirm", kwargs={"pk": target.pk})
    )
    assert response.status_code == 403


def test_the_queue_puts_overdue_reviews_first(client, scene):
    world = scene.world
    late = open_review(
        dataclasses.replace(world, credential=submitted(world.personas.provider_a)),
        due_date=days(2),
    )
    Review.objects.filter(pk=late.pk).update(due_date=days(-3))
    soon = open_review(
        dataclasses.replace(world, credential=submitted(world.personas.provider_a)),
        due_date=days(1),
    )
    Review.objects.filter(pk=scene.in_progress.pk).update(due_date=days(50))

    response = _as(client, scene, "reviewer").get(reverse("reviews:queue"))

    order = [item.review.pk for item in response.context["items"]]
    assert order == [late.pk, soon.pk, scene.in_progress.pk]
    assert response.context["items"][0].overdue
    assert "overdue" in response.content.decode()


def test_the_board_shows_backlog_timings_and_months(client, scene):
    response = _as(client, scene, "registry_admin").get(reverse("reviews:board"))
    board = response.context["board"]
    page = response.content.decode()

    initial = next(row for row in board.backlog if row["code"] == "initial")
    stages = [code for code, _label in board.backlog_stages]
    assert initial["cells"][stages.index("decided")] == 1
    assert initial["cells"][stages.index("open")] == 1
    assert initial["cells"][stages.index("in_progress")] == 1
    assert board.months[-1].total == 1
    assert "Median days from opening to decision" in page
    assert "Decisions per month" in page
    assert scene.other not in board.unassigned  # it has a reviewer


def test_the_public_record_shows_who_accredited_and_until_when(client, scene):
    credential = scene.decided.credential
    decision = scene.decided.decisions.get()

    page = client.get(reverse("credentials:detail", kwargs={"pk": credential.pk})).text

    assert "Accredited by <strong>HKCAAVQ</strong>" in page
    assert f"Valid until <strong>{decision.valid_to:%Y-%m-%d}</strong>" in page
    assert "Tutor numbers look thin." not in page
    assert "moderation policy" not in page  # conditions are the provider's business


def test_the_nav_offers_reviews_to_reviewers_and_staff_only(client, scene):
    for persona, shown in (("reviewer", True), ("registry_admin", True), ("a_admin", False)):
        client.logout()
        page = _as(client, scene, persona).get(reverse("credentials:home")).text
        assert (reverse("reviews:queue") in page) is shown, persona


def test_the_workspace_record_links_its_reviews_for_the_provider(client, scene):
    url = reverse("workspace:credential", kwargs={"pk": scene.decided.credential.pk})
    page = _as(client, scene, "a_admin").get(url).text
    assert _review_url("review", scene.decided) in page


def test_the_review_page_renders_in_chinese(client, scene):
    _as(client, scene, "reviewer")
    url = "/zh-hant" + _review_url("review", scene.in_progress)
    response = client.get(url)
    assert response.status_code == 200
    assert "評核" in response.text  # the standard's Chinese title


def test_a_demo_like_day_of_due_dates_does_not_break_the_board(client, scene):
    Review.objects.filter(pk=scene.other.pk).update(due_date=datetime.date(2020, 1, 1))
    response = _as(client, scene, "registry_admin").get(reverse("reviews:board"))
    assert scene.other in response.context["board"].overdue


def test_a_correction_on_the_page_carries_the_conditions_when_ticked(client, world):
    """The carry checkbox appears only once there is a decision to correct, and carries."""
    review = open_review(world)
    review_declare_no_conflict(actor=world.reviewer, review=review)
    judge_all(world, review)
    client.force_login(world.reviewer)
    assert (
        'name="decision-carry_conditions"'
        not in client.get(_review_url("review", review)).content.decode()
    )
    original = _decide_with_a_condition(world, review)
    assert (
        'name="decision-carry_conditions"'
        in client.get(_review_url("review", review)).content.decode()
    )

    response = client.post(
        _review_url("decide", review),
        {
            "decision-outcome": DecisionOutcome.APPROVED_WITH_CONDITIONS,
            "decision-rationale": "Corrected: the rubric condition stands.",
            "decision-valid_from": days(1).isoformat(),
            "decision-valid_to": days(900).isoformat(),
            "decision-supersedes": original.pk,
            "decision-carry_conditions": "on",
            "conditions-TOTAL_FORMS": "3",
            "conditions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    correction = review.decisions.get(supersedes=original)
    carried = correction.conditions.get()
    assert carried.carried_from == original.conditions.get()
    assert carried.state == ConditionState.OPEN
    assert original.conditions.get().state == ConditionState.SUPERSEDED


def _decide_with_a_condition(world, review):
    """Approve with one condition, as the reviewer."""
    return approve(
        world,
        review,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish the rubric.", 30)],
    )


def test_a_condition_shows_its_history_on_the_review_page(client, scene):
    target = scene.decided.decisions.get().conditions.get()
    admin = scene.world.admin
    _as(client, scene, "registry_admin").post(
        reverse("reviews:condition-confirm", kwargs={"pk": target.pk})
    )

    page = client.get(_review_url("review", scene.decided)).text

    assert "Set by the decision: Open" in page
    assert f"Confirmed met: Open → Met · {admin.get_username()}" in page


def test_the_provider_sees_a_conditions_history_but_not_who_made_it(client, scene):
    target = scene.decided.decisions.get().conditions.get()
    decided_by = scene.decided.decisions.get().decided_by

    page = _as(client, scene, "a_admin").get(_review_url("review", scene.decided)).text

    assert target.text in page
    assert "Set by the decision: Open" in page
    assert decided_by.get_username() not in page
