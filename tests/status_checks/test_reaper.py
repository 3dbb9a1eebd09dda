"""The reaper, in-process with an injected clock: stalled sweeps re-queued from the database,
failed after too many attempts, and never two reapers at once."""

from datetime import timedelta

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from credentials.models import CredentialStatusChange
from status_checks.choices import SweepScope, SweepState
from status_checks.models import StatusCheck, StatusSweep, StatusSweepChunk
from status_checks.reaper import REAPER_LOCK_KEY, Requeue, sweeps_reap
from status_checks.services import status_check_chunk, status_sweep_dispatch, status_sweep_start
from status_checks.tasks import (
    status_check_chunk_task,
    status_sweep_dispatch_task,
    status_sweep_reap_task,
)
from tests.factories import ProviderFactory

from .worker_helpers import credential

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reaper_settings(settings):
    settings.STATUS_SWEEP_STALL_SECONDS = 600
    settings.STATUS_SWEEP_MAX_REQUEUES = 2
    settings.STATUS_CHECK_CHUNK_SIZE = 2


def later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


def planned_sweep(today, count: int = 5):
    provider = ProviderFactory()
    entries = [credential(today, -1 if i % 2 else 300, provider=provider) for i in range(count)]
    sweep = status_sweep_start(scope=SweepScope.PROVIDER, provider=provider, enqueue=False)
    chunks = status_sweep_dispatch(sweep_id=sweep.pk, enqueue=False)
    return sweep, entries, chunks


def test_planning_records_every_chunk_in_the_database(today):
    sweep, entries, chunks = planned_sweep(today)

    rows = list(StatusSweepChunk.objects.filter(sweep=sweep).order_by("number"))
    assert [row.credential_ids for row in rows] == chunks
    assert sorted(pk for chunk in chunks for pk in chunk) == sorted(e.pk for e in entries)
    assert all(row.finished_at is None for row in rows)
    sweep.refresh_from_db()
    assert sweep.progressed_at is not None


def test_a_committed_chunk_is_marked_finished_and_its_progress_timed(today):
    sweep, _, chunks = planned_sweep(today)
    sweep.refresh_from_db()
    planned_at = sweep.progressed_at

    status_check_chunk(sweep_id=sweep.pk, credential_ids=chunks[1], alert_delivery="none")

    finished = StatusSweepChunk.objects.filter(sweep=sweep, finished_at__isnull=False)
    assert list(finished.values_list("number", flat=True)) == [1]
    sweep.refresh_from_db()
    assert sweep.progressed_at > planned_at


def test_a_stalled_sweep_gets_only_its_unfinished_work_queued_again(today):
    sweep, _, chunks = planned_sweep(today)
    status_check_chunk(sweep_id=sweep.pk, credential_ids=chunks[0], alert_delivery="none")

    assert sweeps_reap(now=later(599)).requeued == [], "within its time limit"
    result = sweeps_reap(now=later(601))

    assert result.requeued == [Requeue(sweep_id=sweep.pk, chunks=chunks[1:])]
    sweep.refresh_from_db()
    assert (sweep.state, sweep.requeues) == (SweepState.RUNNING, 1)
    # The clock restarts at the re-queue: the next look is a full time limit later.
    assert sweeps_reap(now=later(601)).requeued == []


def test_a_partly_committed_chunk_is_sent_again_without_what_it_checked(today):
    sweep, _, chunks = planned_sweep(today)
    first, second = chunks[0]
    status_check_chunk(sweep_id=sweep.pk, credential_ids=[first], alert_delivery="none")

    (requeue,) = sweeps_reap(now=later(601)).requeued

    assert requeue.chunks == [[second], *chunks[1:]]


def test_requeued_work_records_each_check_and_transition_once(today):
    sweep, entries, chunks = planned_sweep(today)
    status_check_chunk(sweep_id=sweep.pk, credential_ids=chunks[0], alert_delivery="none")
    (requeue,) = sweeps_reap(now=later(601)).requeued
    # The lost messages turn up after all (a worker restored them): both copies run.
    for chunk in [*chunks[1:], *requeue.chunks]:
        status_check_chunk(sweep_id=sweep.pk, credential_ids=chunk, alert_delivery="none")

    sweep.refresh_from_db()
    assert (sweep.state, sweep.checked, sweep.total, sweep.changes) == (
        SweepState.FINISHED,
        5,
        5,
        2,
    )
    assert StatusCheck.objects.filter(sweep=sweep).count() == 5
    assert CredentialStatusChange.objects.filter(credential__in=entries).count() == 2
    assert not StatusSweepChunk.objects.filter(sweep=sweep, finished_at__isnull=True).exists()


def test_a_sweep_whose_dispatch_was_lost_is_dispatched_again(today):
    credential(today, 300)
    sweep = status_sweep_start(scope=SweepScope.REGISTER, enqueue=False)

    assert sweeps_reap(now=later(601)).requeued == [Requeue(sweep_id=sweep.pk, chunks=None)]


def test_a_sweep_still_stalled_after_its_requeues_fails_with_the_reason(today):
    sweep, _, chunks = planned_sweep(today)
    status_check_chunk(sweep_id=sweep.pk, credential_ids=chunks[0], alert_delivery="none")

    assert sweeps_reap(now=later(601)).requeued
    assert sweeps_reap(now=later(1202)).requeued
    result = sweeps_reap(now=later(1803))

    assert (result.requeued, result.failed) == ([], [sweep.pk])
    sweep.refresh_from_db()
    assert sweep.state == SweepState.FAILED
    assert sweep.finished_at is not None
    assert sweep.failure_reason == (
        "No progress for 601 s after 2 re-queues by the reaper; 2 of 5 checked, 3 left in 2 chunks."
    )
    assert sweeps_reap(now=later(9999)).failed == [], "a failed sweep is left alone"


def test_a_stalled_sweep_with_nothing_left_is_finished(today):
    sweep, _, chunks = planned_sweep(today, count=2)
    (chunk,) = chunks
    status_check_chunk(sweep_id=sweep.pk, credential_ids=chunk, alert_delivery="none")
    # As if the last chunk's count had never landed.
    type(sweep).objects.filter(pk=sweep.pk).update(state=SweepState.RUNNING, total=3)

    result = sweeps_reap(now=later(601))

    assert result.finished == [sweep.pk]
    sweep.refresh_from_db()
    assert (sweep.state, sweep.checked, sweep.total) == (SweepState.FINISHED, 2, 2)


def test_finished_and_failed_sweeps_are_never_reaped(today):
    sweep, _, chunks = planned_sweep(today, count=2)
    status_check_chunk(sweep_id=sweep.pk, credential_ids=chunks[0], alert_delivery="none")

    result = sweeps_reap(now=later(10**6))

    assert (result.requeued, result.failed, result.finished) == ([], [], [])


def test_a_second_reaper_finds_the_lock_taken_and_does_nothing(today):
    planned_sweep(today)
    database = connection.settings_dict
    other = psycopg.connect(
        host=database["HOST"],
        port=database["PORT"],
        user=database["USER"],
        password=database["PASSWORD"],
        dbname=database["NAME"],
        autocommit=True,
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [REAPER_LOCK_KEY])
        result = sweeps_reap(now=later(601))
    finally:
        other.close()

    assert result.locked_out and result.requeued == []


def test_the_reaper_task_queues_each_lost_chunk_on_commit(
    today, django_capture_on_commit_callbacks
):
    sweep, _, chunks = planned_sweep(today)
    StatusSweep.objects.filter(pk=sweep.pk).update(progressed_at=later(-601))

    with django_capture_on_commit_callbacks() as callbacks:
        outcome = status_sweep_reap_task.apply().get()

    assert outcome == {"requeued": [sweep.pk], "failed": [], "finished": []}
    assert [callback.args for callback in callbacks] == [(sweep.pk, chunk) for chunk in chunks]


def test_sweep_tasks_retry_database_and_redis_connection_errors_for_minutes():
    for task in (status_check_chunk_task, status_sweep_dispatch_task, status_sweep_reap_task):
        for error in (
            OperationalError,
            InterfaceError,
            redis.ConnectionError,
            BrokerOperationalError,
        ):
            assert error in task.autoretry_for, (task.name, error)
        assert task.max_retries == settings.STATUS_CHECK_TASK_MAX_RETRIES
        assert task.retry_backoff_max == settings.STATUS_CHECK_TASK_RETRY_BACKOFF_MAX
    # Exponential from the base, capped: the retries together span minutes, not seconds.
    base = settings.STATUS_CHECK_TASK_RETRY_BACKOFF
    cap = settings.STATUS_CHECK_TASK_RETRY_BACKOFF_MAX
    waits = [min(base * 2**n, cap) for n in range(settings.STATUS_CHECK_TASK_MAX_RETRIES)]
    assert sum(waits) >= 10 * 60
