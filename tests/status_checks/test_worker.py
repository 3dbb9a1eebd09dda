"""Sweeps through a real Celery worker process, real Redis, real PostgreSQL, and a loopback
stand-in for an external register. Mail sent inside the worker stays in its own locmem outbox,
so the worker path is judged by what it wrote: check rows and the sent-alert marks in Redis."""

from collections.abc import Iterator

import pytest

from credentials.choices import CredentialStatus, StatusSource
from credentials.models import CredentialStatusChange
from providers.choices import ProviderStatus
from status_checks.adapters.breaker import CircuitBreaker
from status_checks.choices import CheckOutcome, SweepScope
from status_checks.models import AlertSent, StatusCheck
from status_checks.rules import LOCAL_SOURCE
from status_checks.services import status_sweep_start
from tests.celery_worker import running_worker
from tests.factories import CredentialFactory, MembershipFactory, ProviderFactory

from .register_stub import Behaviour, RegisterStub
from .worker_helpers import (
    credential,
    purge_broker,
    wait_for,
    wait_until_finished,
    worker_env,
)


@pytest.fixture(scope="module")
def worker(django_db_setup, register_stub: RegisterStub) -> Iterator[str]:
    """One worker for the module: starting a process costs seconds."""
    purge_broker()
    with running_worker(env=worker_env(register_stub)) as hostname:
        yield hostname


def test_a_sweep_runs_end_to_end_and_a_second_sweep_changes_nothing(
    worker, committed_db, register_stub: RegisterStub, today
):
    provider = ProviderFactory()
    MembershipFactory(provider=provider)
    expired = credential(today, -1, provider=provider)
    expiring = credential(today, 20, provider=provider)
    fine = credential(today, 300, provider=provider)
    suspended = credential(today, 300, provider=ProviderFactory(status=ProviderStatus.SUSPENDED))
    no_longer_awarded = credential(
        today, 300, registration_number="603/0001/1", external_register="ofqual"
    )
    slow_but_fine = credential(
        today, 300, registration_number="603/0002/2", external_register="ofqual"
    )
    CredentialFactory(status=CredentialStatus.DRAFT)
    register_stub.set_record("603/0001/1", "No longer awarded")
    register_stub.set_record("603/0002/2", "Available to learners")
    register_stub.plan("603/0002/2", Behaviour(delay=1.0))  # past the 0.4 s read timeout

    sweep = wait_until_finished(status_sweep_start(scope=SweepScope.REGISTER))

    assert (sweep.state, sweep.total, sweep.checked, sweep.changes) == ("finished", 6, 6, 3)
    for item in (expired, expiring, fine, suspended, no_longer_awarded, slow_but_fine):
        item.refresh_from_db()
    assert expired.status == CredentialStatus.EXPIRED
    assert suspended.status == CredentialStatus.SUSPENDED
    assert no_longer_awarded.status == CredentialStatus.WITHDRAWN
    assert no_longer_awarded.status_changes.get().source == StatusSource.EXTERNAL_REGISTER
    assert (expiring.status, fine.status, slow_but_fine.status) == ("registered",) * 3

    assert register_stub.requests_for("603/0002/2") == 2, "timed out once, retried, answered"
    slow = StatusCheck.objects.get(sweep=sweep, credential=slow_but_fine, source="ofqual")
    assert slow.outcome == CheckOutcome.UNCHANGED
    assert StatusCheck.objects.filter(sweep=sweep).count() == 6 + 2

    alert = StatusCheck.objects.get(sweep=sweep, credential=expiring)
    assert alert.outcome == CheckOutcome.ALERT
    # The alert task is queued after its chunk commits, so it may still be on its way.
    wait_for(lambda: AlertSent.objects.filter(status_check=alert).exists(), what="the alert mail")

    again = wait_until_finished(status_sweep_start(scope=SweepScope.REGISTER))

    # Expired and withdrawn entries leave the sweep; the four live ones are checked, none moves.
    assert (again.total, again.checked, again.changes) == (4, 4, 0)
    assert CredentialStatusChange.objects.count() == 3
    repeat = StatusCheck.objects.get(sweep=again, credential=expiring)
    assert repeat.outcome == CheckOutcome.UNCHANGED, "the 30-day alert is not sent twice"


def test_an_open_circuit_is_shared_with_the_worker_and_changes_nothing(
    worker, committed_db, register_stub: RegisterStub, today
):
    entry = credential(today, 300, registration_number="603/0003/3", external_register="ofqual")
    register_stub.set_record("603/0003/3", "Withdrawn")
    breaker = CircuitBreaker(source="ofqual")
    breaker.open_for(60)

    sweep = wait_until_finished(status_sweep_start(scope=SweepScope.CREDENTIAL, credential=entry))

    check = StatusCheck.objects.get(sweep=sweep, source="ofqual")
    assert check.outcome == CheckOutcome.SOURCE_UNAVAILABLE
    entry.refresh_from_db()
    assert entry.status == CredentialStatus.REGISTERED
    assert register_stub.requests == [], "no process called the register while it was open"

    breaker.reset()
    sweep = wait_until_finished(status_sweep_start(scope=SweepScope.CREDENTIAL, credential=entry))

    entry.refresh_from_db()
    assert entry.status == CredentialStatus.WITHDRAWN
    assert StatusCheck.objects.get(sweep=sweep, source="ofqual").outcome == CheckOutcome.CHANGED


def test_a_failing_register_trips_the_circuit_in_the_worker(
    worker, committed_db, register_stub: RegisterStub, today
):
    provider = ProviderFactory()
    entries = [
        credential(
            today,
            -1 if i == 0 else 300,
            provider=provider,
            registration_number=f"603/100{i}/{i}",
            external_register="ofqual",
        )
        for i in range(6)
    ]
    register_stub.always = Behaviour(status=503)

    sweep = wait_until_finished(status_sweep_start(scope=SweepScope.PROVIDER, provider=provider))

    # Threshold 3, three attempts each: nine requests, then the circuit stays open.
    assert len(register_stub.requests) == 9
    assert CircuitBreaker(source="ofqual").state() == "open"
    external = StatusCheck.objects.filter(sweep=sweep, source="ofqual")
    assert {c.outcome for c in external} == {CheckOutcome.SOURCE_UNAVAILABLE}
    assert external.count() == 6
    # The local rules still ran: validity ended is a fact of the register's own.
    entries[0].refresh_from_db()
    assert entries[0].status == CredentialStatus.EXPIRED
    local = StatusCheck.objects.get(sweep=sweep, credential=entries[0], source=LOCAL_SOURCE)
    assert local.outcome == CheckOutcome.CHANGED
