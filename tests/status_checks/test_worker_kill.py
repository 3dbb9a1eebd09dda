"""A worker killed with SIGKILL mid-sweep loses no check and records no transition twice."""

import signal

from django.db.models import Count

from config.celery_app import app
from credentials.choices import CredentialStatus
from credentials.models import CredentialStatusChange
from status_checks.choices import SweepScope, SweepState
from status_checks.models import StatusCheck, StatusSweep
from status_checks.rules import LOCAL_SOURCE
from status_checks.services import status_sweep_start
from tests.celery_worker import worker_process
from tests.factories import ProviderFactory

from .register_stub import Behaviour, RegisterStub
from .worker_helpers import credential, purge_broker, wait_for, wait_until_finished, worker_env


def test_sigkilled_worker_mid_sweep_loses_no_check_and_repeats_no_transition(
    django_db_setup, committed_db, register_stub: RegisterStub, today
):
    purge_broker()
    provider = ProviderFactory()
    entries = []
    for i in range(24):
        number = f"610/{i:04d}/0"
        # Every other entry's validity has ended: twelve transitions to record exactly once.
        entries.append(
            credential(
                today,
                -1 if i % 2 else 300,
                provider=provider,
                registration_number=number,
                external_register="ofqual",
            )
        )
        register_stub.set_record(number, "Available to learners")
    # A slow register keeps each 4-credential chunk busy for ~0.6 s, each request 0.15 s of it.
    register_stub.always = Behaviour(delay=0.15)
    env = worker_env(register_stub)

    with worker_process(env=env) as first:
        sweep = status_sweep_start(scope=SweepScope.PROVIDER, provider=provider)
        wait_for(
            lambda: StatusSweep.objects.filter(pk=sweep.pk, checked__gte=4).exists(),
            what="the first chunk to commit",
        )
        # A request the register has received but not yet answered puts the worker inside a
        # chunk it has not committed, not between two tasks: the kill lands there.
        asked = len(register_stub.requests)
        wait_for(lambda: len(register_stub.requests) > asked, what="the worker to ask for the next")
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()

        sweep.refresh_from_db()
        assert sweep.state == SweepState.RUNNING
        assert 4 <= sweep.checked < 24, "killed mid-sweep"
        with app.connection_for_write() as connection:
            in_flight = connection.default_channel.client.hlen("unacked")
        assert in_flight >= 1, "the killed worker held an unacknowledged chunk"

    with worker_process(env=env):
        # The new worker takes the queued chunks at once and, after the 5 s visibility timeout,
        # the one the killed worker never acknowledged.
        wait_until_finished(sweep, timeout=40)

    assert (sweep.state, sweep.checked, sweep.total, sweep.changes) == (
        SweepState.FINISHED,
        24,
        24,
        12,
    )
    per_credential = (
        StatusCheck.objects.filter(sweep=sweep)
        .values("credential_id", "source")
        .annotate(n=Count("id"))
    )
    assert {(row["source"], row["n"]) for row in per_credential} == {
        (LOCAL_SOURCE, 1),
        ("ofqual", 1),
    }
    assert len(per_credential) == 48, "every credential checked, from both sources"
    changes = CredentialStatusChange.objects.filter(credential__provider=provider)
    assert changes.count() == 12
    assert set(changes.values_list("to_status", flat=True)) == {CredentialStatus.EXPIRED}
    assert changes.values("credential_id").distinct().count() == 12, "no transition twice"
