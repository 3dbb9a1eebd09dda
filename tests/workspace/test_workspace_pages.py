"""Provider workspace pages: sign-in, dashboard, authoring and moves, per persona."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from credentials.choices import CredentialStatus
from qa_reviews.models import Decision
from tests.factories import CredentialFactory, ReviewFactory, hkqf_level
from tests.personas import make_personas

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "a_admin", "a_editor", "b_admin", "reviewer", "registry_admin"]


@pytest.fixture
def world():
    personas = make_personas()
    draft = CredentialFactory(
        provider=personas.provider_a,
        status=CredentialStatus.DRAFT,
        title_en="Certificate in Green Finance Reporting",
        learning_outcomes_en=["Prepare a TCFD-aligned climate disclosure"],
        assessment_type="Written report",
        mode_of_delivery="online",
        quality_assurance_type="Internal QA",
    )
    return personas, draft


def _client(client, personas, name):
    user = personas.by_name(name)
    if user is not None:
        client.force_login(user)
    return client


RECORD_PAGE = {
    "anonymous": 302,
    "a_admin": 200,
    "a_editor": 200,
    "b_admin": 404,
    "reviewer": 404,
    "registry_admin": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["workspace:credential", "workspace:credential-edit"])
def test_record_pages_are_only_for_the_providers_members(client, world, persona, page):
    personas, draft = world

    response = _client(client, personas, persona).get(reverse(page, kwargs={"pk": draft.pk}))

    assert response.status_code == RECORD_PAGE[persona]
    if persona == "anonymous":
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "page", ["workspace:dashboard", "workspace:credentials", "workspace:tokens"]
)
def test_workspace_pages_need_sign_in(client, world, persona, page):
    personas, _draft = world

    response = _client(client, personas, persona).get(reverse(page))

    assert response.status_code == (302 if persona == "anonymous" else 200)


def test_sign_in_page_leads_to_the_workspace(client, world):
    personas, _draft = world
    personas.a_admin.set_password("s3cret-pass-word")
    personas.a_admin.save()

    response = client.post(
        reverse("login"), {"username": personas.a_admin.username, "password": "s3cret-pass-word"}
    )

    assert response.status_code == 302
    assert response.url == reverse("workspace:dashboard")


def test_dashboard_shows_what_needs_action(client, world):
    personas, _draft = world
    incomplete = CredentialFactory(
        provider=personas.provider_a, status=CredentialStatus.DRAFT, title_en="Half-written idea"
    )
    soon = CredentialFactory(
        provider=personas.provider_a,
        title_en="Aviation Safety Essentials",
        valid_to=timezone.localdate() + datetime.timedelta(days=30),
    )

    page = _client(client, personas, "a_admin").get(reverse("workspace:dashboard")).content.decode()

    assert incomplete.title_en in page and "Learning outcomes" in page
    assert soon.title_en in page
    assert "Provider B" not in page


def test_creating_a_record_through_the_form(client, world):
    personas, _draft = world
    body = {
        "provider": personas.provider_a.pk,
        "kind": "micro_credential",
        "title_en": "Certificate in Python for Finance",
        "title_zh": "金融Python編程證書",
        "level": hkqf_level("4").pk,
        "credits": "3",
        "notional_hours": "30",
        "learning_outcomes_en": "Clean market data, with pandas\nBacktest a simple strategy",
    }

    response = _client(client, personas, "a_editor").post(reverse("workspace:credential-new"), body)

    assert response.status_code == 302
    created = personas.provider_a.credentials.get(title_en="Certificate in Python for Finance")
    assert created.learning_outcomes_en == [
        "Clean market data, with pandas",
        "Backtest a simple strategy",
    ]
    assert created.versions.get().actor == personas.a_editor


def test_form_shows_the_credit_hours_rule_on_the_field(client, world):
    personas, _draft = world
    body = {
        "provider": personas.provider_a.pk,
        "kind": "micro_credential",
        "title_en": "Mismatched",
        "level": hkqf_level("4").pk,
        "credits": "3",
        "notional_hours": "90",
    }

    response = _client(client, personas, "a_admin").post(reverse("workspace:credential-new"), body)

    assert response.status_code == 200
    assert "3 credits means 30 hours, not 90" in response.content.decode()
    assert not personas.provider_a.credentials.filter(title_en="Mismatched").exists()


def test_creating_for_another_provider_is_not_found(client, world):
    personas, _draft = world
    url = reverse("workspace:credential-new") + f"?provider={personas.provider_b.pk}"

    assert _client(client, personas, "a_admin").get(url).status_code == 404
    assert _client(client, personas, "a_admin").get(url + "x").status_code == 404


def test_editing_shows_the_diff_in_history(client, world):
    personas, draft = world
    client = _client(client, personas, "a_editor")
    edit = client.get(reverse("workspace:credential-edit", kwargs={"pk": draft.pk}))
    form = edit.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "prerequisites": "Basic accounting",
            "reason": "Clarified entry requirements",
            "learning_outcomes_en": "\n".join(draft.learning_outcomes_en),
            "quality_marks": [],
        }
    )

    response = client.post(reverse("workspace:credential-edit", kwargs={"pk": draft.pk}), data)

    assert response.status_code == 302
    page = client.get(reverse("workspace:credential", kwargs={"pk": draft.pk})).content.decode()
    assert "Basic accounting" in page and "Clarified entry requirements" in page


def test_submitting_from_the_record_page(client, world):
    personas, draft = world
    client = _client(client, personas, "a_admin")
    page = client.get(reverse("workspace:credential", kwargs={"pk": draft.pk}))
    assert "Move to Submitted" in page.content.decode()

    client.post(
        reverse("workspace:credential-move", kwargs={"pk": draft.pk}), {"to_status": "submitted"}
    )

    draft.refresh_from_db()
    assert draft.status == CredentialStatus.SUBMITTED


def test_editor_is_offered_no_moves_and_a_forged_one_is_refused(client, world):
    personas, draft = world
    client = _client(client, personas, "a_editor")
    page = client.get(reverse("workspace:credential", kwargs={"pk": draft.pk})).content.decode()
    assert "Move to" not in page

    response = client.post(
        reverse("workspace:credential-move", kwargs={"pk": draft.pk}),
        {"to_status": "submitted"},
        follow=True,
    )

    assert "You may not change the status of this record" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == CredentialStatus.DRAFT


def test_tokens_page_creates_shows_once_and_revokes(client, world):
    personas, _draft = world
    client = _client(client, personas, "a_admin")

    created = client.post(reverse("workspace:tokens"), {"name": "import script"})
    key = created.context["new_key"]
    token = personas.a_admin.api_tokens.get()
    client.post(reverse("workspace:token-revoke", kwargs={"pk": token.pk}))

    assert key and key not in client.get(reverse("workspace:tokens")).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_chinese_workspace_is_translated(client, world):
    personas, _draft = world

    page = _client(client, personas, "a_admin").get("/zh-hant/workspace/").content.decode()

    assert "工作區" in page


def test_dashboard_shows_only_standing_decisions(client, world):
    """A corrected decision is history; the dashboard shows the correction."""
    personas, draft = world
    review = ReviewFactory(credential=draft)
    original = Decision.objects.create(
        review=review,
        outcome="referred_back",
        rationale="Original rationale: assessment unclear.",
        decided_by=personas.registry_admin,
    )
    Decision.objects.create(
        review=review,
        outcome="not_approved",
        rationale="Corrected rationale: outcomes not assessed.",
        decided_by=personas.registry_admin,
        supersedes=original,
    )

    page = _client(client, personas, "a_admin").get(reverse("workspace:dashboard")).content.decode()

    assert "Corrected rationale" in page
    assert "Original rationale" not in page


@pytest.mark.parametrize("status", ["\x00", "not-a-status"])
def test_an_unknown_status_filter_lists_every_record(client, world, status):
    """A NUL byte in ?status= was a 500: an unknown status is no filter."""
    personas, draft = world

    response = _client(client, personas, "a_admin").get(
        reverse("workspace:credentials"), {"status": status}
    )

    assert response.status_code == 200
    assert draft in response.context["credentials"]
    assert response.context["status"] is None


def test_a_status_filter_lists_only_that_status(client, world):
    personas, draft = world

    response = _client(client, personas, "a_admin").get(
        reverse("workspace:credentials"), {"status": CredentialStatus.REGISTERED}
    )

    assert draft not in response.context["credentials"]
