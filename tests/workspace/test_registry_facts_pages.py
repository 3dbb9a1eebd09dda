"""Workspace pages: registry facts are shown, not edited; reviewed changes say so; asking."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from credentials.choices import ChangeRequestState
from credentials.models import ChangeRequest
from tests.factories import CredentialFactory
from tests.personas import make_personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    personas = make_personas()
    registered = CredentialFactory(
        provider=personas.provider_a,
        title_en="Certificate in Harbour Logistics",
        learning_outcomes_en=["Plan a berth schedule"],
        valid_to=datetime.date(2029, 8, 31),
    )
    return personas, registered


def _edit_data(client, credential, **changes) -> dict:
    url = reverse("workspace:credential-edit", kwargs={"pk": credential.pk})
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(changes)
    return data


def _told(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def test_the_provider_form_has_no_registry_owned_fields(client, world):
    personas, registered = world
    client.force_login(personas.a_admin)

    form = client.get(reverse("workspace:credential-edit", kwargs={"pk": registered.pk})).context[
        "form"
    ]

    assert not {"valid_from", "valid_to", "quality_marks", "registration_number"} & set(form.fields)


def test_a_forged_validity_post_is_refused_and_changes_nothing(client, world):
    personas, registered = world
    client.force_login(personas.a_admin)
    url = reverse("workspace:credential-edit", kwargs={"pk": registered.pk})

    response = client.post(
        url, _edit_data(client, registered, valid_to="2045-12-31", summary_en="New")
    )

    assert response.status_code == 200
    assert "set by the registry" in response.content.decode()
    registered.refresh_from_db()
    assert registered.valid_to == datetime.date(2029, 8, 31)
    assert registered.summary_en == ""


def test_a_title_change_on_a_registered_record_is_sent_for_approval(client, world):
    personas, registered = world
    client.force_login(personas.a_editor)
    url = reverse("workspace:credential-edit", kwargs={"pk": registered.pk})

    response = client.post(url, _edit_data(client, registered, title_en="Port Logistics"))

    assert response.status_code == 302
    assert "Sent for approval" in _told(response)
    assert ChangeRequest.objects.get().changes == {
        "title_en": ["Certificate in Harbour Logistics", "Port Logistics"]
    }
    registered.refresh_from_db()
    assert registered.title_en == "Certificate in Harbour Logistics"


def test_sent_for_approval_is_said_in_chinese(client, world):
    personas, registered = world
    client.force_login(personas.a_editor)
    url = "/zh-hant" + reverse("workspace:credential-edit", kwargs={"pk": registered.pk})
    data = _edit_data(client, registered, title_en="Port Logistics")

    response = client.post(url, data, follow=True)

    assert "已送交批准" in response.content.decode()


def test_a_provider_administrator_asks_the_registry_from_the_record_page(client, world):
    personas, registered = world
    client.force_login(personas.a_admin)
    page = client.get(reverse("workspace:credential", kwargs={"pk": registered.pk}))
    assert "Ask the registry" in page.content.decode()

    response = client.post(
        reverse("workspace:credential-ask", kwargs={"pk": registered.pk}),
        {
            "valid_from": "2025-09-01",
            "valid_to": "2031-08-31",
            "reason": "Re-accreditation granted in June.",
        },
    )

    assert "Sent for approval" in _told(response)
    request = ChangeRequest.objects.get()
    assert request.changes == {"valid_to": ["2029-08-31", "2031-08-31"]}
    assert request.state == ChangeRequestState.PENDING
    assert request.requested_by == personas.a_admin


def test_an_editor_is_not_offered_asking_and_is_refused(client, world):
    personas, registered = world
    client.force_login(personas.a_editor)
    page = client.get(reverse("workspace:credential", kwargs={"pk": registered.pk}))

    response = client.post(
        reverse("workspace:credential-ask", kwargs={"pk": registered.pk}),
        {"valid_to": "2031-08-31", "reason": "Please"},
    )

    assert "Ask the registry" not in page.content.decode()
    assert "administrators" in _told(response)
    assert not ChangeRequest.objects.exists()


def test_a_malformed_record_id_on_a_page_is_not_found(client, world):
    personas, _registered = world
    client.force_login(personas.a_admin)

    assert client.get("/workspace/records/AAA/").status_code == 404
