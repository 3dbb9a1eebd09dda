"""The provider workspace API: each persona × action, including cross-tenant 404s."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from credentials.choices import CredentialStatus
from tests.factories import CredentialFactory, hkqf_level
from tests.personas import make_personas

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "a_admin", "a_editor", "b_admin", "reviewer", "registry_admin"]

DRAFT_VALUES = {
    "kind": "micro_credential",
    "title_en": "Certificate in Drone Operations for Aviation Maintenance",
    "title_zh": "航空維修無人機操作證書",
    "credits": "6.0",
    "notional_hours": 60,
    "learning_outcomes_en": ["Plan a safe inspection flight", "Record defects to standard"],
    "assessment_type": "Practical flight assessment",
    "mode_of_delivery": "onsite",
    "quality_assurance_type": "Internal QA, HKCAAVQ programme area accreditation",
}


@pytest.fixture
def world():
    personas = make_personas()
    complete = {k: v for k, v in DRAFT_VALUES.items() if k not in ("credits", "kind")}
    draft = CredentialFactory(
        provider=personas.provider_a, status=CredentialStatus.DRAFT, **complete
    )
    return personas, draft


def _client(personas, name: str) -> APIClient:
    client = APIClient()
    user = personas.by_name(name)
    if user is not None:
        client.force_authenticate(user)
    return client


LIST_EXPECTED = {
    "anonymous": (403, None),
    "a_admin": (200, 1),
    "a_editor": (200, 1),
    "b_admin": (200, 0),
    "reviewer": (200, 0),
    "registry_admin": (200, 1),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_shows_only_own_providers_records(world, persona):
    personas, _draft = world
    response = _client(personas, persona).get(reverse("api:workspace-credential-list"))

    status, count = LIST_EXPECTED[persona]
    assert response.status_code == status
    if count is not None:
        assert response.json()["count"] == count


DETAIL_EXPECTED = {
    "anonymous": 403,
    "a_admin": 200,
    "a_editor": 200,
    "b_admin": 404,
    "reviewer": 404,
    "registry_admin": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_guessing_another_providers_record_id_gives_404(world, persona):
    personas, draft = world
    url = reverse("api:workspace-credential-detail", kwargs={"pk": draft.pk})

    assert _client(personas, persona).get(url).status_code == DETAIL_EXPECTED[persona]
    patch = _client(personas, persona).patch(url, {"prerequisites": "x"}, format="json")
    assert patch.status_code == DETAIL_EXPECTED[persona]


CREATE_EXPECTED = {
    "anonymous": 403,
    "a_admin": 201,
    "a_editor": 201,
    "b_admin": 400,
    "reviewer": 400,
    "registry_admin": 201,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_create_only_for_own_provider(world, persona):
    personas, _draft = world
    body = {**DRAFT_VALUES, "provider": personas.provider_a.pk, "level": hkqf_level("3").pk}

    response = _client(personas, persona).post(
        reverse("api:workspace-credential-list"), body, format="json"
    )

    assert response.status_code == CREATE_EXPECTED[persona]
    if response.status_code == 201:
        assert response.json()["status"] == "draft"
        assert response.json()["completeness"]["can_submit"] is True
    if response.status_code == 400:
        assert "provider" in response.json()


SUBMIT_EXPECTED = {
    "anonymous": 403,
    "a_admin": 200,
    "a_editor": 403,
    "b_admin": 404,
    "reviewer": 404,
    "registry_admin": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_provider_admins_and_staff_submit(world, persona):
    personas, draft = world
    url = reverse("api:workspace-credential-transition", kwargs={"pk": draft.pk})

    response = _client(personas, persona).post(url, {"to_status": "submitted"}, format="json")

    assert response.status_code == SUBMIT_EXPECTED[persona]
    draft.refresh_from_db()
    expected = "submitted" if SUBMIT_EXPECTED[persona] == 200 else "draft"
    assert draft.status == expected


def test_create_with_bad_values_gives_field_messages_and_writes_nothing(world):
    personas, _draft = world
    client = _client(personas, "a_admin")
    body = {**DRAFT_VALUES, "provider": personas.provider_a.pk, "credits": "-4"}

    response = client.post(reverse("api:workspace-credential-list"), body, format="json")

    assert response.status_code == 400
    assert "credits" in response.json()
    assert personas.provider_a.credentials.count() == 1


def test_illegal_transition_is_a_400_with_the_reason(world):
    personas, draft = world
    url = reverse("api:workspace-credential-transition", kwargs={"pk": draft.pk})

    response = _client(personas, "a_admin").post(url, {"to_status": "registered"}, format="json")

    assert response.status_code == 400
    assert "cannot move a record from draft to registered" in str(response.json())


def test_versions_show_the_diff_of_each_edit(world):
    personas, draft = world
    client = _client(personas, "a_editor")
    detail = reverse("api:workspace-credential-detail", kwargs={"pk": draft.pk})

    client.patch(detail, {"notional_hours": 64}, format="json")
    versions = client.get(
        reverse("api:workspace-credential-versions", kwargs={"pk": draft.pk})
    ).json()

    assert versions[0]["changes"] == {"notional_hours": [60, 64]}
    assert versions[0]["actor"] == personas.a_editor.username


def test_workspace_list_query_count_is_flat(world, django_assert_max_num_queries):
    personas, _draft = world
    client = _client(personas, "registry_admin")
    CredentialFactory.create_batch(10, provider=personas.provider_a)

    with django_assert_max_num_queries(6):
        client.get(reverse("api:workspace-credential-list"))
