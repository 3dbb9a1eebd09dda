import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credentials.choices import CredentialStatus, StatusSource
from credentials.services import (
    AccreditationFacts,
    accreditation_record_set,
    credential_change_status,
)
from tests.factories import CredentialFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_status_change_is_recorded_with_who_and_why():
    credential = CredentialFactory(status=CredentialStatus.REGISTERED)
    actor = UserFactory()

    change = credential_change_status(
        credential=credential,
        to_status=CredentialStatus.SUSPENDED,
        source=StatusSource.MANUAL,
        reason="Provider under investigation",
        actor=actor,
    )

    credential.refresh_from_db()
    assert credential.status == CredentialStatus.SUSPENDED
    assert credential.status_changed_at is not None
    assert (change.from_status, change.to_status) == ("registered", "suspended")
    assert (change.changed_by, change.reason) == (actor, "Provider under investigation")


def test_repeating_a_status_change_records_nothing():
    credential = CredentialFactory(status=CredentialStatus.REGISTERED)
    credential_change_status(
        credential=credential, to_status=CredentialStatus.EXPIRED, source=StatusSource.STATUS_CHECK
    )

    again = credential_change_status(
        credential=credential, to_status=CredentialStatus.EXPIRED, source=StatusSource.STATUS_CHECK
    )

    assert again is None
    assert credential.status_changes.count() == 1


def test_registering_without_a_level_is_refused_and_leaves_no_history():
    credential = CredentialFactory(status=CredentialStatus.DRAFT, level=None)

    with pytest.raises(ValidationError, match="needs a level and a validity start date"):
        credential_change_status(
            credential=credential,
            to_status=CredentialStatus.REGISTERED,
            source=StatusSource.MANUAL,
        )

    credential.refresh_from_db()
    assert credential.status == CredentialStatus.DRAFT
    assert not credential.status_changes.exists()


def _facts(**values):
    values.setdefault("accreditor", "HKCAAVQ")
    values.setdefault("valid_from", datetime.date(2025, 9, 1))
    values.setdefault("valid_to", datetime.date(2028, 8, 31))
    return AccreditationFacts(**values)


def test_a_registry_administrator_records_accreditation_once_then_amends_it():
    credential = CredentialFactory()
    admin = UserFactory(is_staff=True)

    record, created = accreditation_record_set(
        actor=admin, credential=credential, facts=_facts(reference="AA/1")
    )
    again = accreditation_record_set(
        actor=admin, credential=credential, facts=_facts(reference="AA/1")
    )
    amended, changed = accreditation_record_set(
        actor=admin, credential=credential, facts=_facts(reference="AA/1", status="lapsed")
    )

    assert created is True
    assert again == (record, None)
    assert (amended.pk, changed, amended.status) == (record.pk, False, "lapsed")
    assert credential.accreditations.count() == 1


def test_only_registry_administrators_record_accreditation():
    credential = CredentialFactory()
    provider_admin = MembershipFactory(provider=credential.provider, role="admin").user

    with pytest.raises(PermissionDenied, match="Only registry administrators"):
        accreditation_record_set(actor=provider_admin, credential=credential, facts=_facts())

    assert not credential.accreditations.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"accreditor": ""}, "accreditor"),
        ({"status": "revoked-ish"}, "status"),
        ({"valid_from": datetime.date(2029, 1, 1)}, "__all__"),
    ],
)
def test_accreditation_the_register_cannot_hold_is_refused(values, field):
    credential = CredentialFactory()

    with pytest.raises(ValidationError) as refused:
        accreditation_record_set(
            actor=UserFactory(is_staff=True), credential=credential, facts=_facts(**values)
        )

    assert field in refused.value.message_dict
    assert not credential.accreditations.exists()
