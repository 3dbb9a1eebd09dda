"""The registry administrators' Django admin: every model reachable, cheap lists, safe history."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.forms import FileField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from credentials.choices import CredentialStatus, QualityMark, StatusSource
from credentials.models import (
    AccreditationRecord,
    ChangeRequest,
    Credential,
    CredentialStatusChange,
    CredentialVersion,
    Pathway,
    PathwayComponent,
    RecognitionAgreement,
    SearchTerm,
)
from imports.models import ImportJob
from providers.models import ApiToken
from providers.tokens import api_token_create
from qa_reviews.choices import (
    ConditionEventKind,
    DecisionOutcome,
    JudgementOutcome,
    NoticeKind,
    ReviewStage,
)
from qa_reviews.models import (
    Condition,
    ConditionEvent,
    Decision,
    Judgement,
    ReviewAssignment,
    ReviewStandard,
    SentNotice,
)
from qualifications.models import AreaOfStudy, CreditConvention, LevelReference
from status_checks.choices import CheckOutcome, SweepScope
from status_checks.models import AlertSent, StatusCheck, StatusSweep, StatusSweepChunk
from tests.factories import (
    AccreditationRecordFactory,
    CredentialFactory,
    MembershipFactory,
    ProviderFactory,
    ReviewFactory,
    ReviewStandardFactory,
    UserFactory,
    hkqf_level,
)

pytestmark = pytest.mark.django_db

REGISTRY_APPS = (
    "qualifications",
    "providers",
    "credentials",
    "qa_reviews",
    "status_checks",
    "imports",
)
# History written by services: shown, never added, changed or deleted in the admin.
# Accreditation records belong to QA decisions and status checks, the services that own them.
VIEW_ONLY = {
    AccreditationRecord,
    ConditionEvent,
    CredentialStatusChange,
    CredentialVersion,
    AlertSent,
    ImportJob,
    SearchTerm,
    SentNotice,
    StatusCheck,
    StatusSweep,
    StatusSweepChunk,
}
# Made by their owners or by services; staff review or revoke them, never add them by hand.
# QA conditions come with their decision and are then only confirmed met, by an action.
NOT_ADDED_HERE = {ApiToken, ChangeRequest, Condition}
# Refused UPDATE and DELETE by a database trigger: added, then only shown.
APPEND_ONLY = {Judgement, Decision}
# Made and withdrawn through the review services, never edited: assignments (declaring is
# the reviewer's own act), conditions, and the standards of a set reviews already use.
NOT_EDITED_HERE = {ReviewAssignment, Condition, ReviewStandard}
REGISTERED_MODELS = [
    model for label in REGISTRY_APPS for model in apps.get_app_config(label).get_models()
]


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _resubmit(response, **changes) -> dict:
    """Return the POST data a browser sends back for the rendered admin form, with changes."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(field.field, FileField):
                continue
            if value is not None and value is not False:
                data[field.html_name] = "on" if value is True else value
    data.update(changes)
    return data


@pytest.fixture
def staff_client(client, registry_admin):
    client.force_login(registry_admin)
    return client


@pytest.fixture
def register(registry_admin) -> dict:
    """One row of every registered model, linked the way the register links them."""
    credential = CredentialFactory(quality_marks=[QualityMark.CEF])
    award = CredentialFactory(provider=credential.provider, kind="qualification")
    review = ReviewFactory(
        credential=credential, opened_by=registry_admin, stage=ReviewStage.DECIDED
    )
    standard = ReviewStandardFactory(standard_set=review.standard_set)
    decision = Decision.objects.create(
        review=review,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        rationale="Meets every standard; one condition on assessment.",
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2030, 12, 31),
        decided_by=registry_admin,
    )
    sweep = StatusSweep.objects.create(scope=SweepScope.CREDENTIAL, credential=credential)
    pathway = Pathway.objects.create(
        award=award, name_en="Advanced Diploma in Data", name_zh="數據高級文憑", credits_required=12
    )
    version = CredentialVersion.objects.create(
        credential=credential, number=1, source=StatusSource.MANUAL, snapshot={}, changes={}
    )
    change_request = ChangeRequest.objects.create(
        credential=credential, changes={"title_en": ["Old", "New"]}, requested_by=registry_admin
    )
    rows = [
        api_token_create(user=registry_admin, name="admin test")[0],
        version,
        change_request,
        credential.level.framework,
        credential.level,
        LevelReference.objects.first(),
        CreditConvention.objects.first(),
        AreaOfStudy.objects.first(),
        credential.provider,
        MembershipFactory(provider=credential.provider),
        credential,
        AccreditationRecordFactory(credential=credential),
        SearchTerm.objects.create(word="nursing", frequency=1),
        CredentialStatusChange.objects.create(
            credential=credential,
            from_status=CredentialStatus.SUBMITTED,
            to_status=CredentialStatus.REGISTERED,
            source=StatusSource.REVIEW_DECISION,
            changed_by=registry_admin,
        ),
        sweep,
        StatusSweepChunk.objects.create(
            sweep=sweep,
            number=0,
            credential_ids=[credential.pk],
            first_id=credential.pk,
            last_id=credential.pk,
        ),
        ImportJob.objects.create(
            format="hkqr",
            filename="register.csv",
            content=b"Registration Number\n",
            provider=credential.provider,
            requested_by=registry_admin,
            report={"problems": [{"row": 2, "column": "QF Level", "message": "Bad level."}]},
        ),
        check := StatusCheck.objects.create(
            credential=credential,
            sweep=sweep,
            source="local rules",
            outcome=CheckOutcome.UNCHANGED,
            previous_status=CredentialStatus.REGISTERED,
            new_status=CredentialStatus.REGISTERED,
        ),
        AlertSent.objects.create(status_check=check),
        pathway,
        PathwayComponent.objects.create(pathway=pathway, credential=credential, credits_counted=6),
        RecognitionAgreement.objects.create(
            recognising_provider=ProviderFactory(),
            credential=credential,
            credits_recognised=6,
            valid_from=datetime.date(2026, 1, 1),
        ),
        review.standard_set,
        standard,
        review,
        ReviewAssignment.objects.create(
            review=review, reviewer=UserFactory(is_staff=True), assigned_by=registry_admin
        ),
        Judgement.objects.create(
            review=review,
            standard=standard,
            reviewer=registry_admin,
            outcome=JudgementOutcome.MET,
            comment="Outcomes are clear and assessed.",
        ),
        decision,
        SentNotice.objects.create(kind=NoticeKind.DECISION, object_id=decision.pk),
        condition := Condition.objects.create(
            decision=decision,
            text="Publish the assessment policy.",
            due_date=datetime.date(2026, 6, 30),
        ),
        ConditionEvent.objects.create(
            condition=condition,
            kind=ConditionEventKind.CREATED,
            to_state=condition.state,
            actor=registry_admin,
        ),
    ]
    return {type(row): row for row in rows}


def test_every_registry_model_is_registered_and_has_a_row_in_the_fixture(register):
    """Guards against a new model reaching production without an admin page or a test row."""
    missing = [m.__name__ for m in REGISTERED_MODELS if not admin.site.is_registered(m)]
    assert missing == []
    assert set(REGISTERED_MODELS) == set(register)


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda m: m.__name__)
def test_changelist_shows_rows(staff_client, register, model):
    response = staff_client.get(_url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda m: m.__name__)
def test_add_page_renders_except_for_history(staff_client, register, model):
    response = staff_client.get(_url(model, "add"))

    assert response.status_code == (403 if model in VIEW_ONLY | NOT_ADDED_HERE else 200)


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda m: m.__name__)
def test_change_page_renders_and_history_offers_no_save(staff_client, register, model):
    response = staff_client.get(_url(model, "change", register[model].pk))

    assert response.status_code == 200
    offers_save = 'name="_save"' in response.text
    assert offers_save is (model not in VIEW_ONLY | APPEND_ONLY | NOT_EDITED_HERE | {ChangeRequest})


def test_credential_search_finds_chinese_title_and_registration_number(staff_client):
    wanted = CredentialFactory(registration_number="24/000777/L4", title_zh="雲端保安證書")
    CredentialFactory(title_zh="應用數據分析證書")
    url = _url(Credential, "changelist")

    for term in ("雲端保安", "24/000777/L4", "24-000777-l4"):
        found = list(staff_client.get(url, {"q": term}).context["cl"].result_list)
        assert found == [wanted], term


def test_credential_autocomplete_matches_registration_key(staff_client):
    """Pickers elsewhere (pathways, reviews) find a credential however its number is typed."""
    wanted = CredentialFactory(registration_number="603/2476/0")
    params = {
        "app_label": "credentials",
        "model_name": "pathway",
        "field_name": "award",
        "term": "60324760",
    }

    response = staff_client.get(reverse("admin:autocomplete"), params)

    assert [row["id"] for row in response.json()["results"]] == [str(wanted.pk)]


def test_credential_changelist_queries_do_not_grow_with_rows(staff_client):
    url = _url(Credential, "changelist")

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url).status_code == 200
        return len(queries)

    def add_credentials(count: int) -> None:
        for n in range(count):
            CredentialFactory(level=hkqf_level(str(n % 6 + 1)))

    add_credentials(3)
    staff_client.get(url)
    with_three = count_queries()
    add_credentials(7)

    assert count_queries() == with_three


def test_credential_cannot_be_deleted_in_the_admin(staff_client):
    """Register entries are withdrawn through their status, never deleted."""
    credential = CredentialFactory()
    url = _url(Credential, "delete", credential.pk)

    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert Credential.objects.filter(pk=credential.pk).exists()
    assert "delete_selected" not in staff_client.get(_url(Credential, "changelist")).text


def test_credential_status_change_in_the_admin_is_recorded(staff_client, registry_admin):
    credential = CredentialFactory(status=CredentialStatus.REGISTERED)
    url = _url(Credential, "change", credential.pk)
    data = _resubmit(
        staff_client.get(url),
        status=CredentialStatus.WITHDRAWN,
        status_reason="Provider closed the programme.",
    )

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.WITHDRAWN
    assert credential.status_changed_at is not None
    assert credential.updated_by == registry_admin
    change = credential.status_changes.get()
    assert (change.from_status, change.to_status) == ("registered", "withdrawn")
    assert (change.changed_by, change.reason) == (registry_admin, "Provider closed the programme.")
    assert change.source == StatusSource.MANUAL


def test_credential_added_in_the_admin_keeps_outcomes_with_commas(staff_client, registry_admin):
    provider = ProviderFactory()
    url = _url(Credential, "add")
    data = _resubmit(
        staff_client.get(url),
        registration_number="25/000042/L5",
        kind="micro_credential",
        title_en="Certificate in Cloud Security",
        provider=provider.pk,
        level=hkqf_level("5").pk,
        valid_from="2026-01-01",
        status=CredentialStatus.REGISTERED,
        status_reason="Entered from the HKQR gazette of 2026-01-01.",
        override_lifecycle="on",
        learning_outcomes_en="Assess, prioritise and treat risks\r\nHarden a cloud tenancy\r\n",
        quality_marks=[QualityMark.CEF, QualityMark.HTQ],
    )

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    credential = Credential.objects.get(registration_key="25000042L5")
    assert credential.learning_outcomes_en == [
        "Assess, prioritise and treat risks",
        "Harden a cloud tenancy",
    ]
    assert credential.quality_marks == ["cef", "htq"]
    assert credential.created_by == registry_admin
    assert credential.status == CredentialStatus.REGISTERED
    change = credential.status_changes.get()
    assert (change.from_status, change.to_status) == ("draft", "registered")
    assert change.changed_by == registry_admin
    assert change.reason == "Lifecycle override: Entered from the HKQR gazette of 2026-01-01."


def test_decision_change_page_offers_no_save_and_refuses_updates(staff_client, register):
    decision = register[Decision]
    url = _url(Decision, "change", decision.pk)

    page = staff_client.get(url).text
    post = staff_client.post(url, {"rationale": "Rewritten", "outcome": "not_approved"})

    assert 'name="_save"' not in page
    assert 'name="_continue"' not in page
    assert post.status_code == 403
    assert staff_client.post(_url(Decision, "delete", decision.pk)).status_code == 403
    decision.refresh_from_db()
    assert decision.rationale.startswith("Meets every standard")


def test_judgement_cannot_be_changed_or_deleted(staff_client, register):
    url = _url(Judgement, "change", register[Judgement].pk)

    assert staff_client.post(url, {"comment": "Rewritten"}).status_code == 403
    assert staff_client.post(_url(Judgement, "delete", register[Judgement].pk)).status_code == 403


def test_review_shows_judgements_and_decisions_read_only_and_adds_only_reviewers(
    staff_client, register
):
    """Judgements and decisions are added through the review services, not the review form."""
    review = register[Judgement].review

    page = staff_client.get(_url(type(review), "change", review.pk)).text

    assert "Outcomes are clear and assessed." in page
    assert 'name="judgements-0-comment"' not in page
    assert 'name="decisions-0-rationale"' not in page
    assert 'name="judgements-__prefix__-comment"' not in page
    assert 'name="decisions-__prefix__-rationale"' not in page
    assert 'name="assignments-__prefix__-reviewer"' in page


def test_saving_a_review_leaves_its_judgements_and_decisions_untouched(staff_client, register):
    """The database trigger would refuse an UPDATE, so the admin must not send one; the stage
    moves only with the workflow, so a posted stage is ignored."""
    review = register[Judgement].review
    url = _url(type(review), "change", review.pk)
    tampered = {"judgements-0-comment": "Rewritten", "decisions-0-rationale": "Rewritten"}
    data = _resubmit(staff_client.get(url), stage="cancelled", due_date="2027-03-31", **tampered)

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    review.refresh_from_db()
    assert review.stage == "decided"
    assert review.due_date == datetime.date(2027, 3, 31)
    assert review.judgements.get().comment == "Outcomes are clear and assessed."
    assert review.decisions.get().rationale.startswith("Meets every standard")


def test_decision_is_added_with_its_conditions(staff_client, register, registry_admin):
    review = register[Decision].review
    data = {
        "review": review.pk,
        "outcome": DecisionOutcome.APPROVED_WITH_CONDITIONS,
        "rationale": "Approved once the handbook is updated.",
        "valid_from": "2026-01-01",
        "valid_to": "2029-12-31",
        "decided_by": registry_admin.pk,
        "supersedes": register[Decision].pk,
        "conditions-TOTAL_FORMS": "1",
        "conditions-INITIAL_FORMS": "0",
        "conditions-0-text": "Update the student handbook.",
        "conditions-0-due_date": str(timezone.localdate() + datetime.timedelta(days=90)),
    }

    response = staff_client.post(_url(Decision, "add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    correction = Decision.objects.get(supersedes=register[Decision])
    assert correction.conditions.get().text == "Update the student handbook."
    # Through review_decide: the decider is the signed-in administrator, and the record's
    # validity and accreditation follow the correction.
    assert correction.decided_by == registry_admin
    review.credential.refresh_from_db()
    assert review.credential.valid_to == datetime.date(2029, 12, 31)
    assert correction.accreditation.valid_to == datetime.date(2029, 12, 31)


def test_a_decision_the_service_refuses_is_reported_and_nothing_is_saved(staff_client, register):
    review = register[Decision].review
    data = {
        "review": review.pk,
        "outcome": DecisionOutcome.NOT_APPROVED,
        "rationale": "A second original decision.",
        "conditions-TOTAL_FORMS": "0",
        "conditions-INITIAL_FORMS": "0",
    }

    response = staff_client.post(_url(Decision, "add"), data, follow=True)

    assert "already been decided" in response.text
    assert review.decisions.count() == 1


def test_change_request_is_approved_through_the_admin_action(staff_client, registry_admin):
    credential = CredentialFactory(title_en="Old title")
    change_request = ChangeRequest.objects.create(
        credential=credential, changes={"title_en": ["Old title", "New title"]}
    )

    response = staff_client.post(
        _url(ChangeRequest, "changelist"),
        {"action": "approve", "_selected_action": [change_request.pk]},
    )

    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.title_en == "New title"
    assert credential.versions.get().actor == registry_admin


def test_admin_edit_of_a_credential_is_kept_as_a_version(staff_client, registry_admin):
    credential = CredentialFactory(summary_en="")
    page = staff_client.get(_url(Credential, "change", credential.pk))

    staff_client.post(
        _url(Credential, "change", credential.pk), _resubmit(page, summary_en="Taught online.")
    )

    version = credential.versions.get()
    assert version.changes == {"summary_en": ["", "Taught online."]}
    assert version.actor == registry_admin
