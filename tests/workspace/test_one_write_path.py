"""One write path: the workspace API, the workspace pages and the admin refuse what the
services refuse, and a refused write changes nothing."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from credentials.choices import CredentialStatus
from credentials.models import Credential
from credentials.services import credential_transition
from tests.factories import AccreditationRecordFactory, CredentialFactory
from tests.personas import make_personas

pytestmark = pytest.mark.django_db

PATHS = ["api", "page", "admin"]


def _form_data(response, context_key: str) -> dict:
    form = response.context[context_key]
    form = getattr(form, "form", form)
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        data[field.html_name] = "on" if value is True else value
    return data


def _admin_data(response) -> dict:
    data = _form_data(response, "adminform")
    for inline in response.context["inline_admin_formsets"]:
        for form in (inline.formset.management_form, *inline.formset.forms):
            for field in form:
                if field.value() is not None:
                    data[field.html_name] = field.value()
    return data


def _edit(path: str, user, credential: Credential, values: dict) -> tuple[bool, str]:
    """Try an edit through one path as ``user``: (refused, what the user was told)."""
    if path == "api":
        client = APIClient()
        client.force_authenticate(user)
        url = reverse("api:workspace-credential-detail", kwargs={"pk": credential.pk})
        response = client.patch(url, values, format="json")
        return response.status_code == 400, response.content.decode()
    client = Client()
    client.force_login(user)
    if path == "page":
        url = reverse("workspace:credential-edit", kwargs={"pk": credential.pk})
        data = _form_data(client.get(url), "form")
        data.update(values)
        response = client.post(url, data)
        return response.status_code == 200, response.content.decode()
    url = reverse("admin:credentials_credential_change", args=[credential.pk])
    data = _admin_data(client.get(url))
    data.update(values)
    response = client.post(url, data)
    told = " ".join(str(message) for message in get_messages(response.wsgi_request))
    refused = response.status_code == 200 or (
        response.status_code == 302 and response.url.endswith(url) and told != ""
    )
    return refused, told


@pytest.fixture
def world():
    personas = make_personas()
    # The admin needs model permissions too; a superuser has them all.
    personas.registry_admin.is_superuser = True
    personas.registry_admin.save(update_fields=["is_superuser"])
    return personas


@pytest.mark.parametrize("path", PATHS)
def test_credits_and_hours_that_disagree_are_refused_everywhere(world, path):
    draft = CredentialFactory(provider=world.provider_a, status=CredentialStatus.DRAFT)

    refused, told = _edit(path, world.registry_admin, draft, {"notional_hours": 200})

    assert refused
    assert "60 hours, not 200" in told
    draft.refresh_from_db()
    assert draft.notional_hours == 60
    assert not draft.versions.exists()


@pytest.mark.parametrize("path", PATHS)
def test_a_locked_record_is_refused_everywhere(world, path):
    submitted = CredentialFactory(provider=world.provider_a, status=CredentialStatus.SUBMITTED)

    refused, told = _edit(path, world.registry_admin, submitted, {"summary_en": "Changed"})

    assert refused
    assert "locked" in told
    submitted.refresh_from_db()
    assert submitted.summary_en == ""


@pytest.mark.parametrize("path", PATHS)
def test_validity_without_a_reason_is_refused_even_for_a_registry_administrator(world, path):
    registered = CredentialFactory(provider=world.provider_a)

    refused, told = _edit(path, world.registry_admin, registered, {"valid_to": "2045-12-31"})

    assert refused
    assert "Say why" in told
    registered.refresh_from_db()
    assert registered.valid_to == datetime.date(2028, 8, 31)


@pytest.mark.parametrize("path", ["api", "page"])
def test_a_provider_cannot_set_validity_on_any_path(world, path):
    registered = CredentialFactory(provider=world.provider_a)

    refused, told = _edit(path, world.a_admin, registered, {"valid_to": "2045-12-31"})

    assert refused
    assert "registry" in told
    registered.refresh_from_db()
    assert registered.valid_to == datetime.date(2028, 8, 31)


def _move(path: str, user, credential: Credential, to_status: str) -> None:
    if path == "api":
        client = APIClient()
        client.force_authenticate(user)
        url = reverse("api:workspace-credential-transition", kwargs={"pk": credential.pk})
        response = client.post(url, {"to_status": to_status}, format="json")
        assert response.status_code == 400
        return
    client = Client()
    client.force_login(user)
    if path == "page":
        url = reverse("workspace:credential-move", kwargs={"pk": credential.pk})
        client.post(url, {"to_status": to_status})
        return
    url = reverse("admin:credentials_credential_change", args=[credential.pk])
    data = _admin_data(client.get(url))
    data.update(status=to_status, status_reason="")
    response = client.post(url, data)
    told = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert "cannot move a record from draft to registered" in told


@pytest.mark.parametrize("path", PATHS)
def test_draft_straight_to_registered_is_refused_for_staff_on_every_path(world, path):
    draft = CredentialFactory(
        provider=world.provider_a,
        status=CredentialStatus.DRAFT,
        registration_number="P/26/ABCDEF12",
    )

    _move(path, world.registry_admin, draft, CredentialStatus.REGISTERED)

    draft.refresh_from_db()
    assert draft.status == CredentialStatus.DRAFT
    assert draft.registration_number == "P/26/ABCDEF12"
    assert not draft.status_changes.exists()


def _admin_post(user, credential: Credential, **changes):
    client = Client()
    client.force_login(user)
    url = reverse("admin:credentials_credential_change", args=[credential.pk])
    data = _admin_data(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    told = [str(message) for message in get_messages(response.wsgi_request)]
    if response.status_code == 200:
        # Refused by the form: the errors are on the page it shows again.
        told.append(str(response.context["adminform"].form.errors))
    return response, " ".join(told)


def test_an_admin_override_without_a_reason_is_refused(world):
    draft = CredentialFactory(provider=world.provider_a, status=CredentialStatus.DRAFT)

    _response, told = _admin_post(
        world.registry_admin, draft, status=CredentialStatus.REGISTERED, override_lifecycle="on"
    )

    assert "Say why you override the lifecycle" in told
    draft.refresh_from_db()
    assert draft.status == CredentialStatus.DRAFT


def test_an_admin_override_with_a_reason_is_recorded_and_assigns_the_registrys_number(world):
    draft = CredentialFactory(
        provider=world.provider_a,
        status=CredentialStatus.DRAFT,
        registration_number="P/26/0000ABCD",
    )

    _admin_post(
        world.registry_admin,
        draft,
        status=CredentialStatus.REGISTERED,
        override_lifecycle="on",
        status_reason="Approved on paper in 2025; the review was never entered.",
    )

    draft.refresh_from_db()
    assert draft.status == CredentialStatus.REGISTERED
    assert not draft.registration_number.startswith("P/")
    change = draft.status_changes.get()
    assert change.changed_by == world.registry_admin
    assert change.reason == (
        "Lifecycle override: Approved on paper in 2025; the review was never entered."
    )


def test_an_override_still_keeps_the_records_own_rules(world):
    draft = CredentialFactory(provider=world.provider_a, status=CredentialStatus.DRAFT, level=None)

    _response, told = _admin_post(
        world.registry_admin,
        draft,
        status=CredentialStatus.REGISTERED,
        override_lifecycle="on",
        status_reason="Repair",
    )

    assert "needs a level" in told
    draft.refresh_from_db()
    assert draft.status == CredentialStatus.DRAFT
    assert not draft.status_changes.exists()


def test_only_a_registry_administrator_may_override(world):
    draft = CredentialFactory(provider=world.provider_a, status=CredentialStatus.DRAFT)

    with pytest.raises(PermissionDenied):
        credential_transition(
            actor=world.a_admin,
            credential=draft,
            to_status=CredentialStatus.REGISTERED,
            reason="We are sure",
            force=True,
        )


def test_a_substantive_admin_edit_of_a_registered_record_becomes_a_change_request(world):
    registered = CredentialFactory(provider=world.provider_a, title_en="Old title")

    _response, told = _admin_post(world.registry_admin, registered, title_en="New title")

    assert "sent for approval" in told
    registered.refresh_from_db()
    assert registered.title_en == "Old title"
    assert registered.change_requests.get().changes == {"title_en": ["Old title", "New title"]}


def test_admin_validity_change_with_a_reason_is_versioned(world):
    registered = CredentialFactory(provider=world.provider_a)

    _admin_post(
        world.registry_admin,
        registered,
        valid_to="2030-08-31",
        status_reason="Board extended validity, minute 26/14.",
    )

    version = registered.versions.get()
    assert version.changes == {"valid_to": ["2028-08-31", "2030-08-31"]}
    assert version.reason == "Board extended validity, minute 26/14."


def test_accreditation_records_cannot_be_edited_in_the_admin(world):
    record = AccreditationRecordFactory(credential=CredentialFactory(provider=world.provider_a))
    client = Client()
    client.force_login(world.registry_admin)
    url = reverse("admin:credentials_accreditationrecord_change", args=[record.pk])

    response = client.post(url, {"accreditor": "Someone else", "valid_to": "2045-12-31"})

    assert response.status_code == 403
    record.refresh_from_db()
    assert record.valid_to == datetime.date(2028, 8, 31)
