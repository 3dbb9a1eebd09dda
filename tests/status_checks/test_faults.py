"""Faults mid-sweep with real processes: Redis SIGKILLed (its queues gone), a worker's main
process SIGKILLed (its chunk never acknowledged, and no restore within the test). Each sweep
still ends with every credential checked once, no transition twice, and nothing running:
PostgreSQL knows the unfinished chunks, and the reaper queues them again."""

import signal
import time

from django.db.models import Count

from credentials.choices import CredentialStatus
from credentials.models import CredentialStatusChange
from status_checks.choices import SweepScope, SweepState
from status_checks.models import StatusCheck, StatusSweep
from status_checks.rules import LOCAL_SOURCE
from status_checks.services import status_sweep_start
from status_checks.tasks import status_sweep_reap_task
from tests.celery_worker import worker_process
from tests.factories import ProviderFactory

from .process_helpers import ThrowawayRedis, celery_process, worker_ready
from .register_stub import Behaviour, RegisterStub
from .worker_helpers import credential, purge_broker, wait_for, wait_until_finished, worker_env

COUNT = 24


def provider_with_entries(register_stub: RegisterStub, today):
    """24 entries asking the (slow) stub register; every other one's validity has ended."""
    provider = ProviderFactory()
    for i in range(COUNT):
        number = f"620/{i:04d}/0"
        credential(
            today,
            -1 if i % 2 else 300,
            provider=provider,
            registration_number=number,
            external_register="ofqual",
        )
        register_stub.set_record(number, "Available to learners")
    # Each 4-credential chunk takes ~0.6 s, so a fault lands mid-sweep.
    register_stub.always = Behaviour(delay=0.15)
    return provider


def assert_checked_exactly_once(sweep: StatusSweep, provider) -> None:
    sweep.refresh_from_db()
    assert (sweep.state, sweep.checked, sweep.total, sweep.changes) == (
        SweepState.FINISHED,
        COUNT,
        COUNT,
        COUNT // 2,
    ), sweep.failure_reason
    per_credential = (
        StatusCheck.objects.filter(sweep=sweep)
        .values("credential_id", "source")
        .annotate(n=Count("id"))
    )
    assert {(row["source"], row["n"]) for row in per_credential} == {
        (LOCAL_SOURCE, 1),
        ("ofqual", 1),
    }
    assert len(per_credential) == 2 * COUNT, "every credential checked, from both sources"
    changes = CredentialStatusChange.objects.filter(credential__provider=provider)
    assert set(changes.values_list("to_status", flat=True)) == {CredentialStatus.EXPIRED}
    assert changes.count() == changes.values("credential_id").distinct().count() == COUNT // 2
    assert not StatusSweep.objects.filter(
        state__in=[SweepState.QUEUED, SweepState.RUNNING]
    ).exists()


def test_redis_sigkilled_mid_sweep_loses_no_check(
    django_db_setup, committed_db, register_stub: RegisterStub, today, tmp_path
):
    provider = provider_with_entries(register_stub, today)
    server = ThrowawayRedis(tmp_path).start()
    env = {
        **worker_env(register_stub),
        **server.env(),
        # No restore of unacknowledged tasks within the test: only the reaper can save it.
        "CELERY_VISIBILITY_TIMEOUT": "3600",
        "STATUS_SWEEP_STALL_SECONDS": "3",
        "STATUS_SWEEP_REAPER_SECONDS": "0.5",
        "STATUS_SWEEP_MAX_REQUEUES": "5",
        "STATUS_CHECK_TASK_RETRY_BACKOFF": "1",
        "STATUS_CHECK_TASK_RETRY_BACKOFF_MAX": "2",
    }
    try:
        with celery_process("worker", env, tmp_path), celery_process("beat", env, tmp_path):
            wait_for(lambda: worker_ready(server), what="the worker to connect")
            # Its dispatch is beat's reaper's job: the test process never talks to this Redis.
            sweep = status_sweep_start(scope=SweepScope.PROVIDER, provider=provider, enqueue=False)
            wait_for(
                lambda: StatusSweep.objects.filter(pk=sweep.pk, checked__gte=4).exists(),
                timeout=60,
                what="the first chunk to commit",
            )
            queued_before = server.client().llen("registry-test-sweeps")
            server.kill()
            sweep.refresh_from_db()
            assert sweep.state == SweepState.RUNNING and sweep.checked < COUNT, "killed mid-sweep"
            assert queued_before >= 1, "chunks were waiting in the queue that died"

            server.start()
            assert server.client().llen("registry-test-sweeps") == 0, "the queues are gone"
            wait_until_finished(sweep, timeout=90)
    finally:
        server.stop()

    assert_checked_exactly_once(sweep, provider)
    assert sweep.requeues >= 1, "the reaper re-queued what Redis lost"


def test_sigkilled_worker_with_no_restore_is_finished_by_the_reaper(
    django_db_setup, committed_db, register_stub: RegisterStub, today, settings
):
    purge_broker()
    provider = provider_with_entries(register_stub, today)
    # An hour's visibility timeout: the killed worker's chunk is not handed on by Redis.
    env = {**worker_env(register_stub), "CELERY_VISIBILITY_TIMEOUT": "3600"}
    settings.STATUS_SWEEP_STALL_SECONDS = 2

    with worker_process(env=env) as first:
        sweep = status_sweep_start(scope=SweepScope.PROVIDER, provider=provider)
        wait_for(
            lambda: StatusSweep.objects.filter(pk=sweep.pk, checked__gte=4).exists(),
            what="the first chunk to commit",
        )
        time.sleep(0.3)  # half a chunk: the kill lands inside a chunk, not between two
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()
        sweep.refresh_from_db()
        assert sweep.state == SweepState.RUNNING and sweep.checked < COUNT, "killed mid-sweep"

    with worker_process(env=env):
        # The queued chunks run; the one the killed worker held stays unacknowledged until
        # the reaper (beat's task, run here as beat would) finds the sweep stalled.
        def reaped_or_done() -> bool:
            sweep.refresh_from_db()
            if sweep.state == SweepState.FINISHED:
                return True
            return bool(status_sweep_reap_task.apply().get()["requeued"])

        wait_for(reaped_or_done, timeout=60, what="the reaper to re-queue the lost chunk")
        wait_until_finished(sweep, timeout=40)

    assert_checked_exactly_once(sweep, provider)
    assert sweep.requeues == 1
