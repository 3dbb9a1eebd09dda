"""The review API: each persona × endpoint × action, cross-tenant 404s, and what providers see."""

import dataclasses

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from credentials.choices import CredentialStatus
from qa_reviews.choices import DecisionOutcome, JudgementOutcome, ReviewStage
from tests.factories import MembershipFactory
from tests.qa_reviews.workflow import (
    PERSONAS,
    Scene,
    days,
    decided,
    judge_all,
    open_review,
    submitted,
)

pytestmark = pytest.mark.django_db


def _client(scene: Scene, persona: str) -> APIClient:
    client = APIClient()
    user = scene.world.personas.by_name(persona)
    if user is not None:
        client.force_authenticate(user)
    return client


def _url(name: str, **kwargs) -> str:
    return reverse(f"api:{name}", kwargs=kwargs)


# --- Reading -----------------------------------------------------------------------------------

LIST_EXPECTED = {
    "anonymous": (403, None),
    "a_admin": (200, {"decided", "in_progress"}),
    "a_editor": (200, {"decided", "in_progress"}),
    "b_admin": (200, {"other"}),
    "reviewer": (200, {"decided", "in_progress"}),
    "registry_admin": (200, {"decided", "in_progress", "other"}),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_holds_only_the_reviews_a_persona_may_see(scene, persona):
    response = _client(scene, persona).get(_url("review-list"))

    status, names = LIST_EXPECTED[persona]
    assert response.status_code == status
    if names is not None:
        ids = {row["id"] for row in response.json()["results"]}
        assert ids == {getattr(scene, name).pk for name in names}


DETAIL_EXPECTED = {
    "anonymous": (403, None),
    "a_admin": (200, "provider"),
    "a_editor": (200, "provider"),
    "b_admin": (404, None),
    "reviewer": (200, "full"),
    "registry_admin": (200, "full"),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_detail_shows_internal_notes_only_to_the_registry_and_reviewers(scene, persona):
    response = _client(scene, persona).get(_url("review-detail", pk=scene.decided.pk))

    status, visibility = DETAIL_EXPECTED[persona]
    assert response.status_code == status
    if status != 200:
        return
    data = response.json()
    assert data["visibility"] == visibility
    decision = data["decisions"][0]
    assert decision["rationale"] == "Approved; publish the moderation policy."
    assert decision["conditions"][0]["text"] == "Publish the moderation policy."
    assert decision["valid_from"] is not None
    if visibility == "provider":
        assert "internal_notes" not in decision
        assert "decided_by" not in decision
        assert "assignments" not in data and "opened_by" not in data
        assert "Tutor numbers" not in response.content.decode()
        assert scene.world.reviewer.get_username() not in response.content.decode()
    else:
        assert decision["internal_notes"].startswith("Tutor numbers look thin")
        assert data["assignments"][0]["reviewer"] == scene.world.reviewer.get_username()


@pytest.mark.parametrize("persona", ["reviewer", "a_admin", "a_editor"])
def test_another_providers_or_reviewers_review_is_not_found(scene, persona):
    response = _client(scene, persona).get(_url("review-detail", pk=scene.other.pk))
    assert response.status_code == 404


JUDGEMENTS_EXPECTED = {
    "anonymous": 403,
    "a_admin": 403,
    "a_editor": 403,
    "b_admin": 404,
    "reviewer": 200,
    "registry_admin": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_judgements_are_internal(scene, persona):
    response = _client(scene, persona).get(_url("review-judgements", pk=scene.decided.pk))

    assert response.status_code == JUDGEMENTS_EXPECTED[persona]
    if response.status_code == 200:
        rows = response.json()
        assert len(rows) == len(scene.world.standards)
        assert {row["standing"] for row in rows} == {True}


def test_list_query_count_does_not_grow_with_reviews(scene, django_assert_max_num_queries):
    client = _client(scene, "registry_admin")
    with django_assert_max_num_queries(12) as few:
        client.get(_url("review-list"))
    for _ in range(4):
        credential = submitted(scene.world.personas.provider_a)
        decided(dataclasses.replace(scene.world, credential=credential))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(_url("review-list")).json()["count"] == 7


def test_filters(scene):
    client = _client(scene, "registry_admin")
    by_stage = client.get(_url("review-list"), {"stage": ReviewStage.DECIDED}).json()
    assert [row["id"] for row in by_stage["results"]] == [scene.decided.pk]
    number = scene.other.credential.registration_number
    by_number = client.get(_url("review-list"), {"q": number.replace("/", "-")}).json()
    assert [row["id"] for row in by_number["results"]] == [scene.other.pk]
    by_provider = client.get(
        _url("review-list"), {"provider": scene.world.personas.provider_b.slug}
    ).json()
    assert [row["id"] for row in by_provider["results"]] == [scene.other.pk]
    assert client.get(_url("review-list"), {"q": "\x00"}).status_code == 400


# --- Acting ------------------------------------------------------------------------------------

OPEN_EXPECTED = {
    "anonymous": 403,
    "a_admin": 403,
    "a_editor": 403,
    "b_admin": 403,
    "reviewer": 403,
    "registry_admin": 201,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_registry_staff_open_reviews(scene, persona):
    credential = submitted(scene.world.personas.provider_a)
    body = {
        "credential": credential.pk,
        "review_type": "fast_track",
        "target_working_days": 10,
        "reviewers": [scene.world.reviewer.pk],
    }

    response = _client(scene, persona).post(_url("review-list"), body, format="json")

    assert response.status_code == OPEN_EXPECTED[persona]
    if response.status_code == 201:
        data = response.json()
        assert (data["stage"], data["review_type"]) == ("open", "fast_track")
        assert [a["reviewer"] for a in data["assignments"]] == [scene.world.reviewer.get_username()]


def test_opening_refusals_are_400s_with_reasons(scene):
    client = _client(scene, "registry_admin")
    response = client.post(
        _url("review-list"),
        {"credential": scene.decided.credential.pk, "review_type": "initial"},
        format="json",
    )
    assert response.status_code == 400
    assert "review needs a record that is submitted" in response.json()["credential"][0]
    fast = client.post(
        _url("review-list"),
        {
            "credential": submitted(scene.world.personas.provider_a).pk,
            "review_type": "fast_track",
        },
        format="json",
    )
    assert fast.status_code == 400
    assert "target_working_days" in fast.json()


ASSIGN_EXPECTED = {
    "anonymous": 403,
    "a_admin": 403,
    "a_editor": 403,
    "b_admin": 403,
    "reviewer": 403,
    "registry_admin": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_registry_staff_assign(scene, persona):
    response = _client(scene, persona).post(
        _url("review-assign", pk=scene.in_progress.pk),
        {"reviewer": scene.world.reviewer2.pk},
        format="json",
    )
    assert response.status_code == ASSIGN_EXPECTED[persona]


def test_assigning_a_member_of_the_provider_is_a_400(scene):
    MembershipFactory(provider=scene.world.personas.provider_a, user=scene.world.reviewer2)
    response = _client(scene, "registry_admin").post(
        _url("review-assign", pk=scene.in_progress.pk),
        {"reviewer": scene.world.reviewer2.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "cannot review its records" in response.json()["reviewer"][0]


DECLARE_EXPECTED = {
    "anonymous": 403,
    "a_admin": 403,
    "a_editor": 403,
    "b_admin": 404,
    "reviewer": 200,
    "registry_admin": 403,  # staff, but not assigned
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_assigned_reviewer_declares(scene, persona):
    world = scene.world
    credential = submitted(world.personas.provider_a)
    review = open_review(dataclasses.replace(world, credential=credential))

    response = _client(scene, persona).post(_url("review-declare", pk=review.pk))

    assert response.status_code == DECLARE_EXPECTED[persona]
    if response.status_code == 200:
        assert response.json()["stage"] == ReviewStage.IN_PROGRESS


JUDGE_EXPECTED = {
    "anonymous": 403,
    "a_admin": 403,
    "a_editor": 403,
    "b_admin": 404,
    "reviewer": 201,
    "registry_admin": 403,  # sees everything, but judges only reviews assigned to them
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_assigned_reviewer_judges(scene, persona):
    body = {
        "standard": scene.world.standards[0].pk,
        "outcome": JudgementOutcome.PARTLY_MET,
        "comment": "Outcome 2 is assessed only by attendance.",
        "evidence_url": "https://provider.example.org/handbook.pdf",
    }
    response = _client(scene, persona).post(
        _url("review-judgements", pk=scene.in_progress.pk), body, format="json"
    )
    assert response.status_code == JUDGE_EXPECTED[persona]
    if response.status_code == 201:
        assert response.json()["standard"] == scene.world.standards[0].code


def test_a_judgement_with_an_evidence_file_is_served_only_to_reviewers(scene, client):
    api = _client(scene, "reviewer")
    upload = SimpleUploadedFile("panel-notes.txt", b"Assessment map v2", "text/plain")
    response = api.post(
        _url("review-judgements", pk=scene.in_progress.pk),
        {
            "standard": scene.world.standards[1].pk,
            "outcome": "met",
            "comment": "Mapped.",
            "evidence_file": upload,
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    link = response.json()["evidence_file"]
    assert link.endswith(f"/reviews/judgements/{response.json()['id']}/evidence/")

    path = link.removeprefix("http://testserver")
    client.force_login(scene.world.reviewer)
    assert b"".join(client.get(path).streaming_content) == b"Assessment map v2"
    client.force_login(scene.world.personas.a_admin)
    assert client.get(path).status_code == 404
    client.force_login(scene.world.personas.b_admin)
    assert client.get(path).status_code == 404


DECIDE_EXPECTED = {
    "anonymous": 403,
    "a_admin": 403,
    "a_editor": 403,
    "b_admin": 404,
    "reviewer": 200,
    "registry_admin": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_deciding_needs_the_reviewer_or_registry_staff(scene, persona):
    judge_all(scene.world, scene.in_progress)
    body = {
        "outcome": DecisionOutcome.APPROVED_WITH_CONDITIONS,
        "rationale": "Approved with one condition.",
        "valid_from": str(days(1)),
        "valid_to": str(days(1000)),
        "conditions": [{"text": "Name the tutors.", "due_date": str(days(20))}],
    }

    response = _client(scene, persona).post(
        _url("review-decide", pk=scene.in_progress.pk), body, format="json"
    )

    assert response.status_code == DECIDE_EXPECTED[persona]
    credential = scene.in_progress.credential
    credential.refresh_from_db()
    if response.status_code == 200:
        assert response.json()["stage"] == ReviewStage.DECIDED
        assert credential.status == CredentialStatus.REGISTERED
    else:
        assert credential.status == CredentialStatus.UNDER_REVIEW


def test_deciding_twice_is_a_400_pointing_to_a_correction(scene):
    client = _client(scene, "reviewer")
    body = {"outcome": "not_approved", "rationale": "Second thoughts."}
    response = client.post(_url("review-decide", pk=scene.decided.pk), body, format="json")
    assert response.status_code == 400
    assert "record a correction" in response.json()["non_field_errors"][0]

    current = scene.decided.decisions.get()
    correction = client.post(
        _url("review-decide", pk=scene.decided.pk),
        {**body, "supersedes": current.pk},
        format="json",
    )
    assert correction.status_code == 200, correction.json()
    decisions = correction.json()["decisions"]
    assert [d["standing"] for d in decisions] == [False, True]
    assert decisions[1]["supersedes"] == current.pk


def test_a_bad_decision_body_names_its_fields(scene):
    judge_all(scene.world, scene.in_progress)
    response = _client(scene, "reviewer").post(
        _url("review-decide", pk=scene.in_progress.pk),
        {"outcome": "approved", "rationale": "Fine."},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"valid_from", "valid_to"}


CANCEL_EXPECTED = {
    "anonymous": 403,
    "a_admin": 403,
    "a_editor": 403,
    "b_admin": 403,
    "reviewer": 403,
    "registry_admin": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_registry_staff_cancel(scene, persona):
    response = _client(scene, persona).post(
        _url("review-cancel", pk=scene.in_progress.pk),
        {"reason": "Withdrawn by the provider."},
        format="json",
    )
    assert response.status_code == CANCEL_EXPECTED[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_board_is_for_registry_staff(scene, persona):
    response = _client(scene, persona).get(_url("review-board"))
    assert response.status_code == (200 if persona == "registry_admin" else 403)
    if response.status_code == 200:
        board = response.json()
        assert board["backlog"]["initial"]["decided"] == 1
        assert {row["label"] for row in board["timings"]} >= {"Initial accreditation"}


def test_the_queue_lists_the_reviewers_work_under_way(scene):
    rows = _client(scene, "reviewer").get(_url("review-queue")).json()
    assert [row["id"] for row in rows] == [scene.in_progress.pk]
    assert _client(scene, "a_admin").get(_url("review-queue")).json() == []


# --- Conditions and standards --------------------------------------------------------------

CONDITIONS_EXPECTED = {
    "anonymous": (403, None),
    "a_admin": (200, 1),
    "a_editor": (200, 1),
    "b_admin": (200, 0),
    "reviewer": (200, 1),
    "registry_admin": (200, 1),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_conditions_follow_the_reviews_a_persona_may_see(scene, persona):
    response = _client(scene, persona).get(_url("review-condition-list"))
    status, count = CONDITIONS_EXPECTED[persona]
    assert response.status_code == status
    if count is not None:
        assert response.json()["count"] == count


CONFIRM_EXPECTED = {
    "anonymous": 403,
    "a_admin": 403,
    "a_editor": 403,
    "b_admin": 404,
    "reviewer": 403,
    "registry_admin": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_registry_staff_confirm_a_condition_met(scene, persona):
    target = scene.decided.decisions.get().conditions.get()
    response = _client(scene, persona).post(_url("review-condition-confirm-met", pk=target.pk))
    assert response.status_code == CONFIRM_EXPECTED[persona]
    target.refresh_from_db()
    assert (target.state == "met") is (response.status_code == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_standard_sets_are_readable_when_signed_in(scene, persona):
    response = _client(scene, persona).get(_url("review-standard-set-list"))
    assert response.status_code == (403 if persona == "anonymous" else 200)
    if response.status_code == 200:
        codes = [s["code"] for s in response.json()["results"][0]["standards"]]
        assert codes == ["design", "assessment", "resources"]


def test_the_schema_documents_the_review_endpoints(client):
    schema = client.get(reverse("schema")).content.decode()
    for path in ("/api/v1/reviews/{id}/decide/", "/api/v1/review-conditions/{id}/confirm-met/"):
        assert path in schema


def test_a_condition_shows_its_history_without_who_made_it(scene, django_assert_max_num_queries):
    target = scene.decided.decisions.get().conditions.get()
    client = _client(scene, "registry_admin")
    client.post(_url("review-condition-confirm-met", pk=target.pk))

    with django_assert_max_num_queries(8):
        rows = client.get(_url("review-condition-list")).json()["results"]

    history = next(row for row in rows if row["id"] == target.pk)["history"]
    assert [(e["kind"], e["from_state"], e["to_state"]) for e in history] == [
        ("created", "", "open"),
        ("met", "open", "met"),
    ]
    assert set(history[0]) == {"kind", "from_state", "to_state", "recorded_at"}
