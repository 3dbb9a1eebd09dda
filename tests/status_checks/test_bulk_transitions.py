"""The sweeps' set-based transitions record exactly what the one-at-a-time path records.

The same chunk, over the same data, is checked once each way (each inside a savepoint that is
rolled back), and every row either writes is compared: status checks, status changes, the
credentials' statuses, the sweep's counts and the alerts raised."""

import datetime
import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction

from credentials.choices import AccreditationStatus, CredentialStatus, StatusSource
from credentials.models import Credential, CredentialStatusChange
from credentials.search.cache import GENERATION_KEY
from credentials.services import credential_change_status
from providers.choices import ProviderStatus
from qa_reviews.choices import DecisionOutcome
from qa_reviews.models import Condition, Decision
from status_checks.choices import SweepScope
from status_checks.models import StatusCheck, StatusSweep
from status_checks.services import status_check_chunk, status_sweep_dispatch, status_sweep_start
from tests.factories import AccreditationRecordFactory, ProviderFactory, ReviewFactory, UserFactory

from .worker_helpers import credential

pytestmark = pytest.mark.django_db


def varied_register(today: datetime.date) -> None:
    """Every kind of finding a local-rules sweep meets, moves and refusals included."""
    active, suspended = ProviderFactory(), ProviderFactory(status=ProviderStatus.SUSPENDED)
    for days in (-30, -1, 0, 10, 45, 89, 300, 2000):
        credential(today, days, provider=active)
    credential(today, 300, provider=suspended)
    credential(today, -3, provider=suspended)  # both: expiry wins, the provider is named too
    # A stored field the model's validation rejects: the move is refused and flagged.
    credential(today, -1, provider=active, further_information_url="not a url")
    # Suspended by an earlier check for a provider that is active again: lifted...
    lifted = credential(today, 300, provider=active, status=CredentialStatus.SUSPENDED)
    # ...unless the entry lacks what a registered one needs: refused.
    no_start = credential(today, 300, provider=active, status=CredentialStatus.SUSPENDED)
    Credential.objects.filter(pk=no_start.pk).update(valid_from=None)
    for entry in (lifted, no_start):
        CredentialStatusChange.objects.create(
            credential=entry,
            from_status=CredentialStatus.REGISTERED,
            to_status=CredentialStatus.SUSPENDED,
            source=StatusSource.STATUS_CHECK,
            reason="The provider is suspended.",
        )
    by_hand = credential(today, 300, provider=active)
    credential_change_status(
        credential=by_hand,
        to_status=CredentialStatus.SUSPENDED,
        source=StatusSource.MANUAL,
        reason="Complaint under investigation",
    )
    review = ReviewFactory(credential=credential(today, 300, provider=active))
    decision = Decision.objects.create(
        review=review,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        rationale="Approved, with a condition.",
        valid_from=today - timedelta(days=100),
        valid_to=today + timedelta(days=300),
        decided_by=UserFactory(),
    )
    Condition.objects.create(decision=decision, text="Publish it.", due_date=today - timedelta(1))
    AccreditationRecordFactory(
        credential=credential(today, 20, provider=active),
        valid_from=today - timedelta(days=400),
        valid_to=today - timedelta(days=5),
        status=AccreditationStatus.CURRENT,
    )
    credential(today, -1, provider=active, status=CredentialStatus.DRAFT)  # not in scope


def swept(today: datetime.date, transitions: str) -> dict:
    """Check the register as one chunk, capture what was written, and undo it."""
    savepoint = transaction.savepoint()
    generation = cache.get(GENERATION_KEY, 0)
    sweep = status_sweep_start(scope=SweepScope.REGISTER, enqueue=False)
    (chunk,) = status_sweep_dispatch(sweep_id=sweep.pk, chunk_size=100, enqueue=False)
    result = status_check_chunk(
        sweep_id=sweep.pk,
        credential_ids=chunk,
        alert_delivery="none",
        today=today,
        transitions=transitions,
    )
    sweep = StatusSweep.objects.get(pk=sweep.pk)
    captured = {
        "checks": sorted(
            (c.credential_id, c.source, c.outcome, c.previous_status, c.new_status, detail)
            for c in StatusCheck.objects.filter(sweep=sweep)
            for detail in [json.dumps(c.detail, sort_keys=True)]
        ),
        "changes": sorted(
            CredentialStatusChange.objects.values_list(
                "credential_id", "from_status", "to_status", "source", "reason", "changed_by_id"
            )
        ),
        "statuses": sorted(
            (pk, status, changed is not None and changed >= result.checked_at)
            for pk, status, changed in Credential.objects.values_list(
                "pk", "status", "status_changed_at"
            )
        ),
        "sweep": (sweep.state, sweep.total, sweep.checked, sweep.changes),
        "result": (result.checked, result.changed, dict(result.outcomes), sorted(result.changes)),
        "alerts": len(result.alert_check_ids),
        "cache_invalidated": cache.get(GENERATION_KEY, 0) > generation,
    }
    transaction.savepoint_rollback(savepoint)
    return captured


def test_a_set_based_chunk_records_exactly_what_the_per_row_path_records(today):
    varied_register(today)

    bulk = swept(today, "bulk")
    each = swept(today, "each")

    assert bulk == each
    # And the data did exercise every kind of outcome and both refusals.
    outcomes = bulk["result"][2]
    assert set(outcomes) == {"changed", "alert", "flagged", "unchanged"}
    refusals = [row for row in bulk["checks"] if "transition_refused" in row[-1]]
    assert len(refusals) == 2
    assert {to for _, _, to, *_ in bulk["changes"]} >= {
        CredentialStatus.EXPIRED,
        CredentialStatus.SUSPENDED,
        CredentialStatus.REGISTERED,
    }
    assert bulk["cache_invalidated"]
