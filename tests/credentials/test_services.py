import pytest
from django.core.exceptions import ValidationError

from credentials.choices import CredentialStatus, StatusSource
from credentials.services import credential_change_status
from tests.factories import CredentialFactory, UserFactory

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
