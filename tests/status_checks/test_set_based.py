"""The set-based local-rules chunk records exactly what the per-row path it replaces records.

Over a register crafted to meet every local rule and its edges, the same two sweeps (the second
finds what the first already told) run three ways, each inside a savepoint rolled back
afterwards: set-based in SQL (what sweeps use), per row with `rules.decide` and the bulk writes,
and per row through `credential_change_status`. Every row each writes is compared: check rows,
status changes, statuses, the sweeps' counts, the chunk reports and the alert e-mails."""

import datetime
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from credentials.choices import AccreditationStatus, CredentialStatus, StatusSource
from credentials.models import Credential, CredentialStatusChange
from credentials.services import credential_change_status
from providers.choices import ProviderStatus
from qa_reviews.choices import ConditionState, DecisionOutcome
from qa_reviews.models import Condition, Decision
from status_checks import rules, rules_sql, sweeps
from status_checks.alerts import status_alerts_send
from status_checks.choices import SweepScope
from status_checks.models import StatusCheck, StatusSweep
from status_checks.services import status_check_chunk, status_sweep_dispatch, status_sweep_start
from tests.factories import (
    AccreditationRecordFactory,
    MembershipFactory,
    ProviderFactory,
    ReviewFactory,
    UserFactory,
)

from .worker_helpers import credential

pytestmark = pytest.mark.django_db


def suspended_by_check(entry: Credential, *, from_status: str = CredentialStatus.REGISTERED):
    """Record that an earlier check suspended ``entry`` for its provider."""
    Credential.objects.filter(pk=entry.pk).update(status=CredentialStatus.SUSPENDED)
    CredentialStatusChange.objects.create(
        credential=entry,
        from_status=from_status,
        to_status=CredentialStatus.SUSPENDED,
        source=StatusSource.STATUS_CHECK,
        reason="The provider is suspended.",
    )


def decision_with_conditions(entry: Credential, today: datetime.date, *conditions) -> Decision:
    decision = Decision.objects.create(
        review=ReviewFactory(credential=entry),
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        rationale="Approved, with conditions.",
        valid_from=today - timedelta(days=100),
        valid_to=today + timedelta(days=300),
        decided_by=UserFactory(),
    )
    for days, state in conditions:
        met = {"met_confirmed_by": UserFactory(), "met_confirmed_at": timezone.now()}
        Condition.objects.create(
            decision=decision,
            text="Publish it.",
            due_date=today + timedelta(days),
            state=state,
            **(met if state == ConditionState.MET else {}),
        )
    return decision


def every_rule_register(today: datetime.date) -> None:
    """Every local rule, each edge of it, and the moves the model's validation refuses."""
    active = ProviderFactory()
    MembershipFactory(provider=active)  # someone to e-mail
    suspended = ProviderFactory(status=ProviderStatus.SUSPENDED)
    closed = ProviderFactory(status=ProviderStatus.CLOSED)
    # Validity: ended a month ago, yesterday; ends today (0 days left), on and either side of
    # each alert window, far off, never.
    for days in (-30, -1, 0, 10, 30, 31, 89, 90, 91, 2000):
        credential(today, days, provider=active)
    Credential.objects.filter(pk=credential(today, 0, provider=active).pk).update(valid_to=None)
    # Providers: suspended, closed; expiry outranks the provider's suspension.
    credential(today, 300, provider=suspended)
    credential(today, 300, provider=closed)
    credential(today, -3, provider=suspended)
    # Teach-out ended, running, and ended while suspended from it.
    for days, status in ((-1, CredentialStatus.TEACH_OUT), (40, CredentialStatus.TEACH_OUT)):
        credential(
            today, 300, provider=active, status=status, teach_out_ends_on=today + timedelta(days)
        )
    ended_while_suspended = credential(
        today, 300, provider=active, teach_out_ends_on=today - timedelta(days=2)
    )
    suspended_by_check(ended_while_suspended, from_status=CredentialStatus.TEACH_OUT)
    # Reinstatement: lifted to registered, back to teach-out, refused (no validity start),
    # kept while the provider is still suspended; a suspension by hand stays.
    suspended_by_check(credential(today, 300, provider=active))
    suspended_by_check(
        credential(today, 300, provider=active, teach_out_ends_on=today + timedelta(days=60)),
        from_status=CredentialStatus.TEACH_OUT,
    )
    no_start = credential(today, 300, provider=active)
    suspended_by_check(no_start)
    Credential.objects.filter(pk=no_start.pk).update(valid_from=None)
    suspended_by_check(credential(today, 300, provider=suspended))
    credential_change_status(
        credential=credential(today, 300, provider=active),
        to_status=CredentialStatus.SUSPENDED,
        source=StatusSource.MANUAL,
        reason="Complaint under investigation",
    )
    # A stored field the model's validation rejects: the expiry is refused and flagged.
    credential(today, -1, provider=active, further_information_url="not a url")
    # Conditions: open past due and overdue (both flagged, in due-date order); open and not
    # due, met, and one of a decision since corrected (none of them).
    decision_with_conditions(
        credential(today, 300, provider=active),
        today,
        (-1, ConditionState.OPEN),
        (-20, ConditionState.OVERDUE),
        (5, ConditionState.OPEN),
        (-9, ConditionState.MET),
    )
    corrected_for = credential(today, 300, provider=active)
    old = decision_with_conditions(corrected_for, today, (-4, ConditionState.OPEN))
    Decision.objects.create(
        review=old.review,
        outcome=DecisionOutcome.APPROVED,
        rationale="Corrected: no condition.",
        valid_from=today - timedelta(days=100),
        valid_to=today + timedelta(days=300),
        decided_by=UserFactory(),
        supersedes=old,
    )
    # Accreditation: lapsed with nothing in force (flagged, with a validity alert beside it);
    # withdrawn with no end date ("unknown"); lapsed but a newer record in force (history).
    AccreditationRecordFactory(
        credential=credential(today, 20, provider=active),
        valid_from=today - timedelta(days=400),
        valid_to=today - timedelta(days=5),
        status=AccreditationStatus.CURRENT,
    )
    AccreditationRecordFactory(
        credential=credential(today, 300, provider=active),
        valid_to=None,
        status=AccreditationStatus.WITHDRAWN,
    )
    renewed = credential(today, 300, provider=active)
    AccreditationRecordFactory(
        credential=renewed, valid_to=today - timedelta(days=30), status=AccreditationStatus.LAPSED
    )
    AccreditationRecordFactory(credential=renewed, valid_from=today - timedelta(days=29))
    # Names a register with no URL: noted on the check row, local rules apply.
    credential(today, -1, provider=active, external_register="hkqr")
    credential(today, -1, provider=active, status=CredentialStatus.DRAFT)  # not in scope


def swept_twice(today: datetime.date, path: str, monkeypatch) -> list[dict]:
    """Sweep the register twice as one chunk along ``path``, capture everything, undo it."""
    savepoint = transaction.savepoint()
    captured = []
    with monkeypatch.context() as patch:
        if path == "per_row":
            patch.setattr(
                sweeps,
                "_check_in_sql",
                lambda todo, external, sweep_id, day, result: sweeps._check_in_python(
                    todo, external, sweep_id, day, "bulk", result
                ),
            )
        for _ in range(2):
            captured.append(swept(today, "each" if path == "each" else "bulk"))
    transaction.savepoint_rollback(savepoint)
    return captured


def swept(today: datetime.date, transitions: str) -> dict:
    """One register sweep as one chunk, and every row it wrote."""
    sweep = status_sweep_start(scope=SweepScope.REGISTER, enqueue=False)
    (chunk,) = status_sweep_dispatch(sweep_id=sweep.pk, chunk_size=100, enqueue=False)
    result = status_check_chunk(
        sweep_id=sweep.pk,
        credential_ids=chunk,
        alert_delivery="none",
        today=today,
        transitions=transitions,
    )
    mail.outbox.clear()
    status_alerts_send(check_ids=result.alert_check_ids)
    sweep = StatusSweep.objects.get(pk=sweep.pk)
    return {
        "checks": sorted(
            (c.credential_id, c.source, c.outcome, c.previous_status, c.new_status, detail)
            for c in StatusCheck.objects.filter(sweep=sweep)
            for detail in [json.dumps(c.detail, sort_keys=True)]
        ),
        "changes": sorted(
            CredentialStatusChange.objects.filter(changed_at__gte=result.checked_at).values_list(
                "credential_id", "from_status", "to_status", "source", "reason", "changed_by_id"
            )
        ),
        "statuses": sorted(Credential.objects.values_list("pk", "status")),
        "sweep": (sweep.state, sweep.total, sweep.checked, sweep.changes),
        "result": (
            result.checked,
            result.changed,
            result.skipped,
            dict(result.outcomes),
            sorted(result.changes),
        ),
        "alerted": sorted(
            StatusCheck.objects.filter(pk__in=result.alert_check_ids).values_list(
                "credential_id", flat=True
            )
        ),
        "mail": sorted((m.subject, m.body, tuple(m.to)) for m in mail.outbox),
    }


@pytest.fixture
def register(today, settings) -> None:
    registers = {name: dict(config) for name, config in settings.STATUS_CHECK_REGISTERS.items()}
    registers["hkqr"]["URL"] = ""
    settings.STATUS_CHECK_REGISTERS = registers
    every_rule_register(today)


def test_the_set_based_chunk_records_what_the_per_row_paths_record(register, today, monkeypatch):
    written = []
    real_write = sweeps.chunk_write
    monkeypatch.setattr(
        sweeps, "chunk_write", lambda **kwargs: written.append(1) or real_write(**kwargs)
    )

    set_based = swept_twice(today, "set_based", monkeypatch)
    assert len(written) == 2  # both sweeps took the set-based path
    per_row = swept_twice(today, "per_row", monkeypatch)
    each = swept_twice(today, "each", monkeypatch)

    assert set_based == per_row
    assert set_based == each
    assert len(written) == 2  # and the per-row runs did not


def test_the_crafted_register_meets_every_local_rule_and_edge(register, today, monkeypatch):
    """What the comparison above covers: every rule, refusals, notes and notices told once."""
    first, second = swept_twice(today, "set_based", monkeypatch)

    details = [json.loads(row[-1]) for row in first["checks"]]
    found = {f["rule"] for detail in details for f in detail["findings"]}
    assert found == {
        "validity_ended",
        "validity_ending",
        "teach_out_ended",
        "provider_suspended",
        "provider_closed",
        "condition_overdue",
        "accreditation_lapsed",
        "provider_reinstated",
        "transition_refused",
    }
    assert set(first["result"][3]) == {"changed", "alert", "flagged", "unchanged"}
    assert {to for _, _, to, *_ in first["changes"]} == {
        CredentialStatus.EXPIRED,
        CredentialStatus.SUSPENDED,
        CredentialStatus.REGISTERED,
        CredentialStatus.TEACH_OUT,
    }
    assert sum("external_register_not_configured" in d for d in details) == 1
    messages = [f["message"] for d in details for f in d["findings"]]
    assert "No accreditation is in force: HKCAAVQ (withdrawn, valid to unknown)." in messages
    assert any(m.startswith("Could not move to expired: Enter a valid URL.") for m in messages)
    assert any(m.startswith("Could not move to registered: ") for m in messages)
    overdue = [f["due_date"] for d in details for f in d["findings"] if "condition_id" in f]
    assert overdue == sorted(overdue) and len(overdue) == 2
    assert first["mail"]
    # The second sweep moves nothing and tells nothing it already told: alerts and flags
    # (refusals included) are recorded again, but not notified.
    assert second["changes"] == [] and second["result"][1] == 0
    assert second["alerted"] == [] and second["mail"] == []


def test_every_local_rule_of_decide_has_its_sql():
    """`rules_sql` writes each local rule `rules.decide` applies; a new one needs its SQL."""
    sql = rules_sql.finding_sql(condition="c", decision="d", review="r", accreditation="a")
    local_rules = {
        name.removeprefix("_").removesuffix("_findings")
        for name in vars(rules)
        if name.endswith("_findings") and name != "_external_findings"
    }
    assert local_rules == {
        "validity",
        "teach_out",
        "provider",
        "reinstatement",
        "condition",
        "accreditation",
    }
    for rule in (
        "validity_ended",
        "validity_ending",
        "teach_out_ended",
        "'provider_' || e.provider_status",
        "condition_overdue",
        "accreditation_lapsed",
        "provider_reinstated",
    ):
        assert rule in sql


def test_a_chunk_that_asks_a_register_keeps_the_per_row_path(today, register_stub, monkeypatch):
    written = []
    monkeypatch.setattr(sweeps, "chunk_write", lambda **kwargs: written.append(kwargs))
    asked = credential(today, 300, registration_number="603/2476/0", external_register="ofqual")
    local = credential(today, -1)
    register_stub.set_record("603/2476/0", "No longer awarded")

    first = swept(today, "bulk")

    assert written == []
    sources = {(pk, source, outcome) for pk, source, outcome, *_ in first["checks"]}
    assert (asked.pk, "ofqual", "changed") in sources
    assert (local.pk, "local_rules", "changed") in sources
