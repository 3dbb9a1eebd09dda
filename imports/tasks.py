"""Celery tasks for bulk imports: thin wrappers that take ids and call services.

A database or Redis outage is waited out: the run is retried with a backoff that grows to
IMPORT_RETRY_BACKOFF_MAX seconds over IMPORT_MAX_RETRIES tries, long enough to outlive a
restart. The file's transaction rolled back, so each retry starts clean; data faults are
reported in the job, never retried. Whatever the broker loses, the reaper finds in
PostgreSQL (``recovery``).
"""

import logging
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from config.celery_tasks import CountedDeliveryTask
from config.redis_state import key, shared_redis

from .models import ImportJob
from .recovery import import_reap
from .services import import_fail, import_run

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


def job_pk(value: Any) -> int | None:
    """The job id a message carries, or None for one that is not a positive whole number."""
    if isinstance(value, bool):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return pk if pk > 0 and str(pk) == str(value).strip() else None


def retry_delay(retries: int) -> float:
    """Seconds before retry number ``retries`` + 1: doubling from the base, capped."""
    base = settings.IMPORT_RETRY_BACKOFF_BASE
    return float(min(base * 2**retries, settings.IMPORT_RETRY_BACKOFF_MAX))


def _fail_quietly(job_id: Any, reason: str) -> None:
    """Record the failure if the job and the database allow; the reaper covers the rest."""
    pk = job_pk(job_id)
    if pk is None:
        return
    try:
        import_fail(job_id=pk, reason=reason)
    except DatabaseError:
        logger.exception("Import job %s: could not record its failure; the reaper will.", pk)


def forget_deliveries(task_id: str | None) -> None:
    if not task_id:
        return
    try:
        shared_redis().delete(key("deliveries", task_id))
    except (RedisConnectionError, RedisTimeoutError):
        logger.warning("Could not reset the delivery count of %s", task_id)


class ImportTask(CountedDeliveryTask):
    """An import task: giving up, or failing for good, marks its job failed when it can."""

    def give_up(self, job_id: Any = None, *args: Any, **kwargs: Any) -> None:
        _fail_quietly(job_id, f"{self.name} kept failing; the import was stopped.")

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        job_id = kwargs.get("job_id", args[0] if args else None)
        _fail_quietly(job_id, f"The import stopped on an unexpected error: {exc!r}")


@shared_task(
    name="imports.tasks.import_run_task",
    base=ImportTask,
    bind=True,
    ignore_result=True,
    max_retries=None,
)
def import_run_task(self: Task, job_id: Any) -> str:
    """Import one uploaded file; a job already finished is left as it is."""
    pk = job_pk(job_id)
    if pk is None:
        logger.error("%s[%s]: %r is not a job id; dropped.", self.name, self.request.id, job_id)
        return "rejected"
    try:
        return import_run(job=ImportJob(pk=pk)).state
    except ImportJob.DoesNotExist:
        logger.error("%s[%s]: no import job %s; dropped.", self.name, self.request.id, pk)
        return "rejected"
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= settings.IMPORT_MAX_RETRIES:
            raise
        delay = retry_delay(self.request.retries)
        logger.warning(
            "Import job %s: %s; retry %s of %s in %.0fs",
            pk,
            type(error).__name__,
            self.request.retries + 1,
            settings.IMPORT_MAX_RETRIES,
            delay,
        )
        # A retry keeps the task id, but it is not a redelivery of a task that killed its
        # worker: forget the count, or a long outage would pass the poison-task limit.
        forget_deliveries(self.request.id)
        raise self.retry(exc=error, countdown=delay) from error


@shared_task(
    name="imports.tasks.import_reap_task",
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def import_reap_task() -> dict[str, list[int]]:
    """Queue lost imports again, or mark them failed once out of attempts (beat, each minute)."""
    reaped = import_reap()
    for pk in reaped.requeue:
        import_run_task.delay(pk)
    return {"requeued": reaped.requeue, "failed": reaped.failed}
