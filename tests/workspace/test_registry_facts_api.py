"""The workspace API: registry-owned facts, reviewed changes, asking the registry, bad input."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from credentials.choices import ChangeRequestState, CredentialStatus, QualityMark
from credentials.models import ChangeRequest
from credentials.services import change_request_decide
from tests.factories import CredentialFactory
from tests.personas import make_personas

pytestmark = pytest.mark.django_db

REGISTERED_UNTIL = datetime.date(2029, 8, 31)


@pytest.fixture
def world():
    personas = make_personas()
    registered = CredentialFactory(
        provider=personas.provider_a,
        valid_to=REGISTERED_UNTIL,
        title_en="Certificate in Harbour Logistics",
        summary_en="",
    )
    return personas, registered


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _detail(credential) -> str:
    return reverse("api:workspace-credential-detail", kwargs={"pk": credential.pk})


def _public_valid_to(credential) -> str:
    response = APIClient().get(
        reverse("api:verify", kwargs={"registration_number": credential.registration_number})
    )
    return response.json()["valid_to"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("valid_to", "2045-12-31"),
        ("valid_from", "2020-01-01"),
        ("quality_marks", [QualityMark.HTQ]),
        ("registration_number", "26/999999/L4"),
        ("external_status", "Active"),
        ("external_register", "ofqual"),
    ],
)
def test_a_provider_cannot_set_a_registry_owned_fact(world, field, value):
    personas, registered = world

    response = _client(personas.a_admin).patch(_detail(registered), {field: value}, format="json")

    assert response.status_code == 400
    assert "registry" in response.json()[field][0]
    registered.refresh_from_db()
    assert registered.valid_to == REGISTERED_UNTIL
    assert registered.quality_marks == []
    assert not registered.versions.exists()
    assert not registered.change_requests.exists()


def test_the_public_record_keeps_the_decisions_validity(world):
    personas, registered = world

    _client(personas.a_admin).patch(_detail(registered), {"valid_to": "2045-12-31"}, format="json")

    assert _public_valid_to(registered) == "2029-08-31"


def test_the_message_says_how_to_ask(world):
    personas, registered = world

    response = _client(personas.a_admin).patch(
        _detail(registered), {"valid_to": "2045-12-31"}, format="json"
    )

    assert "change-requests" in response.json()["valid_to"][0]


def test_a_new_draft_cannot_carry_registry_facts(world):
    personas, _registered = world

    response = _client(personas.a_admin).post(
        reverse("api:workspace-credential-list"),
        {
            "provider": personas.provider_a.pk,
            "kind": "micro_credential",
            "title_en": "Certificate in Tidal Energy",
            "registration_number": "26/000001/L4",
            "quality_marks": ["htq"],
        },
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"registration_number", "quality_marks"}


def test_a_new_draft_gets_a_provisional_number(world):
    personas, _registered = world

    response = _client(personas.a_editor).post(
        reverse("api:workspace-credential-list"),
        {"provider": personas.provider_a.pk, "kind": "micro_credential", "title_en": "Tidal"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["registration_number"].startswith("P/")


def test_a_registry_administrator_changes_validity_with_a_reason_kept_in_the_history(world):
    personas, registered = world
    client = _client(personas.registry_admin)

    without = client.patch(_detail(registered), {"valid_to": "2030-08-31"}, format="json")
    with_reason = client.patch(
        _detail(registered),
        {"valid_to": "2030-08-31", "reason": "Extension granted by the board, minute 26/14."},
        format="json",
    )

    assert without.status_code == 400 and "reason" in without.json()
    assert with_reason.status_code == 200
    version = registered.versions.get()
    assert version.changes == {"valid_to": ["2029-08-31", "2030-08-31"]}
    assert version.reason == "Extension granted by the board, minute 26/14."
    assert version.actor == personas.registry_admin


def test_a_substantive_change_to_a_registered_record_answers_202_with_the_request(world):
    personas, registered = world

    response = _client(personas.a_admin).patch(
        _detail(registered),
        {"title_en": "Certificate in Port Logistics", "credits": "9.0", "notional_hours": 90},
        format="json",
    )

    assert response.status_code == 202
    body = response.json()
    request = ChangeRequest.objects.get()
    assert body["change_request"]["id"] == request.pk
    assert body["change_request"]["state"] == ChangeRequestState.PENDING
    assert body["change_request"]["fields"] == ["credits", "notional_hours", "title_en"]
    assert "Sent for approval" in body["detail"]
    assert body["credential"]["title_en"] == "Certificate in Harbour Logistics"
    registered.refresh_from_db()
    assert registered.title_en == "Certificate in Harbour Logistics"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("learning_outcomes_en", ["Plan a berth schedule"]),
        ("assessment_type", "Portfolio"),
        ("mode_of_delivery", "online"),
        ("languages", ["en", "yue"]),
        ("prerequisites", "HKDSE Level 2"),
        ("level", None),
    ],
)
def test_each_substantive_field_goes_to_review(world, field, value):
    personas, registered = world
    if field == "level":
        value = registered.level.pk

    response = _client(personas.a_admin).patch(_detail(registered), {field: value}, format="json")

    if field == "level":
        # The same level is no change at all.
        assert response.status_code == 200
        return
    assert response.status_code == 202, response.content
    assert response.json()["change_request"]["fields"] == [field]


def test_an_editorial_change_applies_directly_and_is_versioned(world):
    personas, registered = world

    response = _client(personas.a_editor).patch(
        _detail(registered),
        {"summary_en": "Now taught at Kwai Chung.", "reason": "New campus"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["summary_en"] == "Now taught at Kwai Chung."
    assert registered.versions.get().reason == "New campus"


def test_a_provider_asks_for_a_validity_extension_and_the_registry_decides(world):
    personas, registered = world
    url = reverse("api:workspace-credential-change-requests", kwargs={"pk": registered.pk})

    response = _client(personas.a_admin).post(
        url,
        {"valid_to": "2031-08-31", "quality_marks": ["cef"], "reason": "Re-accredited"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["fields"] == ["quality_marks", "valid_to"]
    registered.refresh_from_db()
    assert registered.valid_to == REGISTERED_UNTIL
    change_request_decide(
        actor=personas.registry_admin,
        change_request=ChangeRequest.objects.get(pk=response.json()["id"]),
        approve=True,
        note="Accreditation letter seen.",
    )
    registered.refresh_from_db()
    assert registered.valid_to == datetime.date(2031, 8, 31)
    assert registered.quality_marks == ["cef"]


@pytest.mark.parametrize(
    ("persona", "body", "expected"),
    [
        ("a_editor", {"valid_to": "2031-08-31", "reason": "x"}, 403),
        ("b_admin", {"valid_to": "2031-08-31", "reason": "x"}, 404),
        ("a_admin", {"valid_to": "2031-08-31"}, 400),
        ("a_admin", {"title_en": "New", "reason": "x"}, 400),
        ("a_admin", {"valid_to": "2029-08-31", "reason": "x"}, 400),
        ("a_admin", {"valid_to": "2020-01-01", "reason": "before the start"}, 400),
    ],
)
def test_asking_is_refused_with_a_reason(world, persona, body, expected):
    personas, registered = world
    url = reverse("api:workspace-credential-change-requests", kwargs={"pk": registered.pk})

    response = _client(personas.by_name(persona)).post(url, body, format="json")

    assert response.status_code == expected, response.content
    assert not ChangeRequest.objects.exists()


def test_provider_in_an_update_is_fine_when_it_is_the_same_and_a_400_when_it_moves(world):
    personas, registered = world
    client = _client(personas.a_admin)
    current = client.get(_detail(registered)).json()
    body = {
        key: value
        for key, value in current.items()
        if key not in ("id", "status", "status_changed_at", "completeness")
    }

    same = client.put(_detail(registered), body, format="json")
    moved = client.patch(_detail(registered), {"provider": personas.provider_b.pk}, format="json")

    assert same.status_code == 200, same.content
    assert moved.status_code == 400
    assert moved.json()["provider"] == ["A record cannot move to another provider."]
    registered.refresh_from_db()
    assert registered.provider == personas.provider_a


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/workspace/credentials/AAA/",
        "/api/v1/workspace/credentials/AAA/change-requests/",
        "/api/v1/workspace/credentials/1e3/versions/",
        "/api/v1/workspace/credentials/-1/transition/",
    ],
)
def test_a_malformed_id_is_not_found(world, path):
    personas, _registered = world

    assert _client(personas.a_admin).get(path).status_code == 404


def test_another_providers_record_is_not_found_for_asking(world):
    personas, registered = world
    url = reverse("api:workspace-credential-change-requests", kwargs={"pk": registered.pk})

    assert _client(personas.b_admin).get(url).status_code == 404


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"languages": ["en", "klingon"]}, "languages"),
        ({"languages": ["e n"]}, "languages"),
        ({"summary_en": "x" * 5001}, "summary_en"),
        ({"prerequisites": "x" * 2001}, "prerequisites"),
        ({"learning_outcomes_en": ["x" * 1001]}, "learning_outcomes_en"),
        ({"learning_outcomes_en": [f"Outcome {n}" for n in range(51)]}, "learning_outcomes_en"),
        ({"title_en": "x" * 501}, "title_en"),
    ],
)
def test_bad_text_and_language_codes_are_refused_on_the_field(world, values, field):
    personas, _registered = world
    draft = CredentialFactory(provider=personas.provider_a, status=CredentialStatus.DRAFT)

    response = _client(personas.a_editor).patch(_detail(draft), values, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not draft.versions.exists()


def test_known_language_codes_are_accepted(world):
    personas, _registered = world
    draft = CredentialFactory(provider=personas.provider_a, status=CredentialStatus.DRAFT)

    response = _client(personas.a_editor).patch(
        _detail(draft), {"languages": ["en", "zh-hant", "yue", "cy"]}, format="json"
    )

    assert response.status_code == 200


def test_a_legacy_language_code_does_not_block_an_unrelated_edit(world):
    personas, _registered = world
    draft = CredentialFactory(
        provider=personas.provider_a, status=CredentialStatus.DRAFT, languages=["english"]
    )

    summary = _client(personas.a_editor).patch(
        _detail(draft), {"summary_en": "Evening classes."}, format="json"
    )
    languages = _client(personas.a_editor).patch(
        _detail(draft), {"languages": ["english", "cy"]}, format="json"
    )

    assert summary.status_code == 200
    assert languages.status_code == 400
    assert "english" in languages.json()["languages"][0]
