"""The sweep benchmark puts the register back and empties every record a sweep writes."""

import pytest
from django.db import connection

from benchmarks.sweep import sweep_bench_restore
from credentials.choices import CredentialStatus
from status_checks.choices import CheckOutcome
from status_checks.models import AlertSent, StatusCheck, StatusSweep
from tests.factories import CredentialFactory

pytestmark = pytest.mark.django_db


def test_putting_back_empties_checks_and_their_sent_alerts():
    """A check whose alert went out is append-only on both sides; the benchmark, owner of its
    throwaway database, still empties both (an alert mark must not block the TRUNCATE)."""
    credential = CredentialFactory(status=CredentialStatus.REGISTERED)
    check = StatusCheck.objects.create(
        credential=credential,
        source="local rules",
        outcome=CheckOutcome.UNCHANGED,
        previous_status=CredentialStatus.REGISTERED,
        new_status=CredentialStatus.REGISTERED,
    )
    AlertSent.objects.create(status_check=check)
    # The benchmark runs in autocommit; here the test's transaction still holds the deferred
    # checks of these inserts, and ALTER TABLE refuses a table with checks pending.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    assert sweep_bench_restore() == 1

    assert not StatusCheck.objects.exists()
    assert not AlertSent.objects.exists()
    assert not StatusSweep.objects.exists()
