"""One claim for every sent mark: an id is claimed once, per kind where the mark has one."""

import pytest

from credentials.choices import CredentialStatus
from qa_reviews.choices import NoticeKind
from qa_reviews.models import SentNotice
from status_checks.choices import CheckOutcome
from status_checks.models import AlertSent, StatusCheck
from tests.factories import CredentialFactory

pytestmark = pytest.mark.django_db


def test_a_claim_returns_only_the_ids_not_marked_before():
    check_id = StatusCheck.objects.create(
        credential=CredentialFactory(),
        source="local rules",
        outcome=CheckOutcome.ALERT,
        previous_status=CredentialStatus.REGISTERED,
        new_status=CredentialStatus.REGISTERED,
    ).pk

    assert AlertSent.objects.claim([check_id, check_id]) == {check_id}
    assert AlertSent.objects.claim([check_id]) == set()
    assert AlertSent.objects.filter(status_check_id=check_id).count() == 1


def test_the_same_id_is_claimed_once_per_kind():
    assert SentNotice.objects.claim(NoticeKind.DECISION, [7, 8]) == {7, 8}
    assert SentNotice.objects.claim(NoticeKind.DECISION, [8, 9]) == {9}
    assert SentNotice.objects.claim(NoticeKind.ASSIGNMENT, [8]) == {8}
    assert sorted(SentNotice.objects.values_list("kind", "object_id")) == [
        (NoticeKind.ASSIGNMENT, 8),
        (NoticeKind.DECISION, 7),
        (NoticeKind.DECISION, 8),
        (NoticeKind.DECISION, 9),
    ]


def test_an_empty_claim_marks_nothing():
    assert SentNotice.objects.claim(NoticeKind.DECISION, []) == set()
    assert not SentNotice.objects.exists()
