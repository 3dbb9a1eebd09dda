"""PostgreSQL knows which imports are alive: the job lock, the reaper, retries, poison ids."""

import datetime

import psycopg
import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from imports.choices import ImportState
from imports.models import ImportJob
from imports.recovery import JOB_LOCK_CLASS, import_reap, import_retry
from imports.services import import_run
from imports.tasks import import_run_task, job_pk, retry_delay

from .conftest import HKQR_REGISTER

pytestmark = pytest.mark.django_db
STALL = 60


def _job(state: str = ImportState.RUNNING, *, attempts: int = 1, idle: float = 2 * STALL):
    job = ImportJob.objects.create(
        format="hkqr", filename="x.csv", content=HKQR_REGISTER.read_bytes(), state=state
    )
    ImportJob.objects.filter(pk=job.pk).update(
        attempts=attempts, updated_at=timezone.now() - datetime.timedelta(seconds=idle)
    )
    return job


def _other_session() -> psycopg.Connection:
    """A second session, as another worker's would be."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


@override_settings(IMPORT_STALL_SECONDS=STALL, IMPORT_MAX_ATTEMPTS=3)
def test_the_reaper_queues_lost_jobs_again_and_gives_up_after_the_attempts():
    lost_running = _job()
    lost_queued = _job(ImportState.QUEUED, attempts=0)
    recent = _job(idle=1)
    worn_out = _job(attempts=3)
    finished = _job(ImportState.FINISHED)

    reaped = import_reap()

    assert reaped.requeue == [lost_running.pk, lost_queued.pk]
    assert reaped.failed == [worn_out.pk]
    worn_out.refresh_from_db()
    assert worn_out.state == ImportState.FAILED and worn_out.finished_at
    (problem,) = worn_out.report["problems"]
    assert problem["row"] is None and problem["severity"] == "error"
    assert "stopped making progress 3 times" in problem["message"]
    assert f"import_retry {worn_out.pk}" in problem["message"]
    for job in (recent, finished):
        before = job.state
        job.refresh_from_db()
        assert job.state == before
    # A queued-again job waits a whole stall time before the next pass looks at it.
    assert import_reap().requeue == []


@override_settings(IMPORT_STALL_SECONDS=STALL)
def test_a_job_whose_worker_holds_its_lock_is_alive_however_quiet():
    quiet = _job()
    with _other_session() as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [JOB_LOCK_CLASS, quiet.pk])

        assert import_reap().requeue == []
        # A second run of the same job leaves it to the worker that holds it.
        assert import_run(job=quiet).state == ImportState.RUNNING
        assert ImportJob.objects.get(pk=quiet.pk).attempts == 1
        # Released before the session closes: a closed session's backend lets go of its
        # locks only when it exits, a moment later, and the reaper could still see it held.
        other.execute("SELECT pg_advisory_unlock(%s, %s)", [JOB_LOCK_CLASS, quiet.pk])

    assert import_reap().requeue == [quiet.pk]


def test_each_run_counts_an_attempt_and_a_finished_job_is_not_run_again():
    job = _job(ImportState.QUEUED, attempts=0, idle=0)

    assert import_run(job=job).state == ImportState.FINISHED
    assert import_run(job=job).attempts == 1


def test_a_failed_job_can_be_queued_again_and_a_finished_one_cannot():
    job = _job(ImportState.FAILED, attempts=3)

    again = import_retry(job_id=job.pk)

    assert (again.state, again.attempts, again.report, again.finished_at) == (
        ImportState.QUEUED,
        0,
        {},
        None,
    )
    assert import_run(job=again).state == ImportState.FINISHED
    with pytest.raises(ValueError, match="only a failed import is run again"):
        import_retry(job_id=job.pk)


@pytest.mark.parametrize("value", ["abc", "", None, "1; DROP", -3, 0, "1.5", True, [1]])
def test_a_message_that_carries_no_job_id_is_dropped_without_crashing(value):
    assert job_pk(value) is None
    result = import_run_task.apply(args=[value])

    assert result.successful(), result.traceback
    assert result.get() == "rejected"


def test_a_message_for_a_job_that_does_not_exist_is_dropped():
    assert import_run_task.apply(args=[987654321]).get() == "rejected"


def test_the_failure_handler_never_raises_on_a_bad_id():
    # Celery calls it with whatever the message carried.
    import_run_task.on_failure(RuntimeError("boom"), "task-id", ("not-a-number",), {}, None)
    import_run_task.on_failure(RuntimeError("boom"), "task-id", (), {}, None)


@override_settings(IMPORT_RETRY_BACKOFF_BASE=5.0, IMPORT_RETRY_BACKOFF_MAX=120.0)
def test_retries_back_off_to_minutes():
    delays = [retry_delay(n) for n in range(10)]

    assert delays[:5] == [5, 10, 20, 40, 80]
    assert max(delays) == 120
    assert sum(delays) > 10 * 60
