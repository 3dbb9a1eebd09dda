"""Drafting, editing, submitting and moving records: who may do what, and what is kept."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credentials.choices import ChangeRequestState, CredentialStatus, DeliveryMode
from credentials.completeness import credential_completeness
from credentials.services import (
    change_request_decide,
    credential_create,
    credential_submit,
    credential_transition,
    credential_update,
)
from providers.choices import MembershipRole
from tests.factories import CredentialFactory, MembershipFactory, ProviderFactory, hkqf_level

pytestmark = pytest.mark.django_db

COMPLETE = {
    "kind": "micro_credential",
    "title_en": "Certificate in Ageing-Friendly Care Practice",
    "title_zh": "關愛長者護理實務證書",
    "learning_outcomes_en": ["Plan person-centred care for older adults"],
    "notional_hours": 60,
    "credits": 6,
    "assessment_type": "Case study and practical observation",
    "mode_of_delivery": DeliveryMode.BLENDED,
    "quality_assurance_type": "HKCAAVQ accreditation",
}


@pytest.fixture
def provider_admin():
    return MembershipFactory(role=MembershipRole.ADMIN)


@pytest.fixture
def draft(provider_admin):
    return credential_create(
        actor=provider_admin.user,
        provider=provider_admin.provider,
        values={**COMPLETE, "level": hkqf_level("3")},
    )


def test_create_makes_a_draft_with_version_one(draft, provider_admin):
    assert draft.status == CredentialStatus.DRAFT
    assert draft.registration_number.startswith("P/")
    version = draft.versions.get()
    assert (version.number, version.actor) == (1, provider_admin.user)
    assert version.changes["title_en"] == [None, COMPLETE["title_en"]]


def test_create_for_another_provider_is_refused(provider_admin):
    with pytest.raises(PermissionDenied, match="your own providers"):
        credential_create(actor=provider_admin.user, provider=ProviderFactory(), values=COMPLETE)


def test_create_validates_fields_before_saving(provider_admin):
    with pytest.raises(ValidationError) as error:
        credential_create(
            actor=provider_admin.user,
            provider=provider_admin.provider,
            values={**COMPLETE, "credits": -3},
        )
    assert "credits" in error.value.message_dict
    assert not provider_admin.provider.credentials.exists()


def test_update_keeps_each_version_with_a_diff(draft, provider_admin):
    result = credential_update(
        actor=provider_admin.user, credential=draft, values={"credits": 9, "notional_hours": 90}
    )

    assert result.version.number == 2
    assert result.version.changes == {"credits": ["6.0", "9.0"], "notional_hours": [60, 90]}
    assert result.change_request is None


def test_an_update_that_changes_nothing_records_nothing(draft, provider_admin):
    result = credential_update(actor=provider_admin.user, credential=draft, values={"credits": 6})

    assert result.version is None
    assert draft.versions.count() == 1


def test_submit_needs_every_mandatory_element(provider_admin):
    incomplete = credential_create(
        actor=provider_admin.user,
        provider=provider_admin.provider,
        values={"kind": "micro_credential", "title_en": "Untitled idea"},
    )

    with pytest.raises(ValidationError, match=r"missing: Learning outcomes, .*Framework level"):
        credential_submit(actor=provider_admin.user, credential=incomplete)
    incomplete.refresh_from_db()
    assert incomplete.status == CredentialStatus.DRAFT


def test_submitted_record_is_locked(draft, provider_admin):
    credential_submit(actor=provider_admin.user, credential=draft)

    with pytest.raises(ValidationError, match="submitted record is locked"):
        credential_update(actor=provider_admin.user, credential=draft, values={"credits": 1})


def test_editor_may_edit_but_not_submit(draft, provider_admin):
    editor = MembershipFactory(provider=provider_admin.provider, role=MembershipRole.EDITOR).user
    credential_update(actor=editor, credential=draft, values={"prerequisites": "None"})

    with pytest.raises(PermissionDenied):
        credential_submit(actor=editor, credential=draft)


def test_illegal_move_is_refused_with_the_reason(draft, provider_admin):
    with pytest.raises(
        ValidationError, match=r"provider administrator cannot move .* to registered"
    ):
        credential_transition(
            actor=provider_admin.user, credential=draft, to_status=CredentialStatus.REGISTERED
        )


def test_registry_admin_suspends_and_history_keeps_who_and_why(registry_admin):
    credential = CredentialFactory(status=CredentialStatus.REGISTERED)

    change = credential_transition(
        actor=registry_admin,
        credential=credential,
        to_status=CredentialStatus.SUSPENDED,
        reason="Complaint under investigation",
    )

    assert (change.changed_by, change.from_status, change.reason) == (
        registry_admin,
        "registered",
        "Complaint under investigation",
    )


def test_withdrawal_needs_a_reason(provider_admin):
    credential = CredentialFactory(provider=provider_admin.provider)

    with pytest.raises(ValidationError, match="Say why"):
        credential_transition(
            actor=provider_admin.user, credential=credential, to_status=CredentialStatus.WITHDRAWN
        )


def test_title_change_of_registered_record_waits_for_review(provider_admin, registry_admin):
    credential = CredentialFactory(provider=provider_admin.provider, title_en="Old title")

    result = credential_update(
        actor=provider_admin.user,
        credential=credential,
        values={"title_en": "New title", "summary_en": "Now online."},
        reason="Rebranded",
    )

    credential.refresh_from_db()
    assert credential.title_en == "Old title"
    assert credential.summary_en == "Now online."
    assert result.change_request.changes == {"title_en": ["Old title", "New title"]}

    change_request_decide(actor=registry_admin, change_request=result.change_request, approve=True)

    credential.refresh_from_db()
    assert credential.title_en == "New title"
    assert credential.versions.order_by("-number").first().changes == {
        "title_en": ["Old title", "New title"]
    }


def test_only_one_pending_change_request_per_record(provider_admin):
    credential = CredentialFactory(provider=provider_admin.provider)
    credential_update(actor=provider_admin.user, credential=credential, values={"title_en": "A"})

    with pytest.raises(ValidationError, match="already has a change awaiting review"):
        credential_update(
            actor=provider_admin.user, credential=credential, values={"title_en": "B"}
        )


def test_provider_cannot_decide_its_own_change_request(provider_admin):
    credential = CredentialFactory(provider=provider_admin.provider)
    result = credential_update(
        actor=provider_admin.user, credential=credential, values={"level": hkqf_level("5")}
    )

    with pytest.raises(PermissionDenied):
        change_request_decide(
            actor=provider_admin.user, change_request=result.change_request, approve=True
        )
    assert result.change_request.state == ChangeRequestState.PENDING


def test_completeness_scores_and_names_what_is_missing():
    credential = CredentialFactory(
        learning_outcomes_en=[],
        assessment_type="",
        mode_of_delivery="",
        quality_assurance_type="",
        valid_to=datetime.date(2030, 1, 1),
    )

    report = credential_completeness(credential=credential)

    assert [element.key for element in report.missing_mandatory] == [
        "learning_outcomes",
        "assessment_type",
        "mode_of_delivery",
        "quality_assurance_type",
    ]
    assert not report.can_submit
    assert 0 < report.score < 100


def test_complete_record_scores_full_marks(draft):
    draft.prerequisites = "HKDSE"
    draft.supervision = "supervised_onsite_id"
    draft.languages = ["en", "yue"]
    draft.further_information_url = "https://example.org/course"

    assert credential_completeness(credential=draft).score == 100


def test_credits_and_hours_must_agree_at_ten_hours_a_credit(provider_admin):
    with pytest.raises(ValidationError, match="6 credits means 60 hours, not 75"):
        credential_create(
            actor=provider_admin.user,
            provider=provider_admin.provider,
            values={**COMPLETE, "level": hkqf_level("3"), "notional_hours": 75},
        )
    assert not provider_admin.provider.credentials.exists()


def test_hours_rounded_within_one_credit_are_accepted(draft, provider_admin):
    result = credential_update(
        actor=provider_admin.user, credential=draft, values={"notional_hours": 65}
    )
    assert result.version.changes == {"notional_hours": [60, 65]}
