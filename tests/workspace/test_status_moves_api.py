"""Teach-out and superseded through the workspace API: the registry moves, a provider asks."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from credentials.choices import CredentialStatus
from tests.factories import CredentialFactory
from tests.personas import make_personas

pytestmark = pytest.mark.django_db
S = CredentialStatus


@pytest.fixture
def world():
    personas = make_personas()
    old = CredentialFactory(provider=personas.provider_a, registration_number="19/000100/L4")
    new = CredentialFactory(provider=personas.provider_a, registration_number="25/000100/L4")
    return personas, old, new


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _transition(credential) -> str:
    return reverse("api:workspace-credential-transition", kwargs={"pk": credential.pk})


def _ask(credential) -> str:
    return reverse("api:workspace-credential-change-requests", kwargs={"pk": credential.pk})


def test_a_registry_administrator_moves_a_record_into_teach_out(world):
    personas, old, _ = world
    ends = timezone.localdate() + datetime.timedelta(days=120)

    response = _client(personas.registry_admin).post(
        _transition(old),
        {"to_status": S.TEACH_OUT, "reason": "Final intake done.", "teach_out_ends_on": ends},
        format="json",
    )

    assert response.status_code == 200, response.json()
    old.refresh_from_db()
    assert (old.status, old.teach_out_ends_on) == (S.TEACH_OUT, ends)


def test_a_registry_administrator_supersedes_by_registration_number(world):
    personas, old, new = world

    response = _client(personas.registry_admin).post(
        _transition(old),
        {"to_status": S.SUPERSEDED, "reason": "Replaced.", "superseded_by": "25-000100-L4"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    old.refresh_from_db()
    assert (old.status, old.superseded_by) == (S.SUPERSEDED, new)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"superseded_by": "99/999999/L9"}, "superseded_by"),
        ({"superseded_by": ""}, "superseded_by"),
        ({}, "superseded_by"),
    ],
)
def test_a_move_to_superseded_without_a_known_successor_is_a_400(world, body, field):
    personas, old, _ = world

    response = _client(personas.registry_admin).post(
        _transition(old), {"to_status": S.SUPERSEDED, "reason": "Replaced.", **body}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    old.refresh_from_db()
    assert old.status == S.REGISTERED


def test_a_provider_asks_to_mark_its_record_superseded(world):
    personas, old, new = world

    response = _client(personas.a_admin).post(
        _ask(old),
        {"status": S.SUPERSEDED, "superseded_by": new.registration_number, "reason": "v2 is live"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["changes"] == {
        "status": [S.REGISTERED, S.SUPERSEDED],
        "superseded_by": [None, new.pk],
    }
    old.refresh_from_db()
    assert old.status == S.REGISTERED


def test_a_provider_cannot_move_its_record_into_teach_out_directly(world):
    personas, old, _ = world
    ends = timezone.localdate() + datetime.timedelta(days=120)

    response = _client(personas.a_admin).post(
        _transition(old),
        {"to_status": S.TEACH_OUT, "reason": "closing", "teach_out_ends_on": ends},
        format="json",
    )

    assert response.status_code == 400
    old.refresh_from_db()
    assert old.status == S.REGISTERED
