"""Celery tasks for accreditation-status checks: thin wrappers that take ids and call the work.

A task whose work leads to more work queues the next task itself (dispatch -> chunks ->
alerts), so `sweeps` never needs to know about Celery. The `queue_*` helpers queue once the
caller's transaction commits; `services` uses them for the first task of a sweep.
"""

from collections.abc import Sequence
from functools import partial
from typing import Any

import redis
from celery import Task, shared_task
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerOperationalError

from config.celery_tasks import TRANSIENT_ERRORS, CountedDeliveryTask

from .alerts import status_alerts_send
from .reaper import sweeps_reap
from .sweeps import check_chunk, status_sweep_fail, sweep_create_scheduled, sweep_plan

# Besides the database's: Redis dropping the connection (the cache invalidated on a status
# change, delivery counts, circuit breakers) and the broker refusing a message being queued.
RETRIED_ERRORS = (
    *TRANSIENT_ERRORS,
    redis.ConnectionError,
    redis.TimeoutError,
    BrokerOperationalError,
)


class SweepTask(CountedDeliveryTask):
    """A task whose first argument is a sweep id: giving up fails that sweep."""

    def give_up(self, sweep_id: int, *args: Any, **kwargs: Any) -> None:
        status_sweep_fail(sweep_id=sweep_id, reason=f"{self.name} kept failing (ids: {args[:1]!r})")


_TASK_OPTIONS: dict[str, Any] = {
    # Progress lives on StatusSweep; nothing reads task results, so Redis need not keep them.
    "ignore_result": True,
    "autoretry_for": RETRIED_ERRORS,
    # Long enough to outlive a restart of PostgreSQL or Redis; should the retries run out (or
    # the broker lose the retry), the reaper finds the chunk unfinished in the database.
    "retry_backoff": settings.STATUS_CHECK_TASK_RETRY_BACKOFF,
    "retry_backoff_max": settings.STATUS_CHECK_TASK_RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": settings.STATUS_CHECK_TASK_MAX_RETRIES,
}


@shared_task(
    name="status_checks.tasks.status_sweep_dispatch_task",
    base=SweepTask,
    bind=True,
    **_TASK_OPTIONS,
)
def status_sweep_dispatch_task(self: Task, sweep_id: int) -> int:
    """Fan a sweep out into chunk tasks; returns how many chunks were queued."""
    chunks = sweep_plan(sweep_id=sweep_id)
    queue_chunks(sweep_id, chunks)
    return len(chunks)


@shared_task(
    name="status_checks.tasks.status_check_chunk_task",
    base=SweepTask,
    bind=True,
    soft_time_limit=settings.STATUS_CHECK_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.STATUS_CHECK_TASK_TIME_LIMIT,
    **_TASK_OPTIONS,
)
def status_check_chunk_task(self: Task, sweep_id: int, credential_ids: list[int]) -> dict:
    """Check one chunk of a sweep's credentials, then queue the alerts it raised."""
    result = check_chunk(sweep_id=sweep_id, credential_ids=credential_ids)
    queue_alerts(result.alert_check_ids)
    return {"checked": result.checked, "changed": result.changed, "skipped": result.skipped}


@shared_task(
    name="status_checks.tasks.status_sweep_daily",
    base=CountedDeliveryTask,
    bind=True,
    **_TASK_OPTIONS,
)
def status_sweep_daily(self: Task) -> int | None:
    """Beat's daily register sweep; a second beat or a repeat the same day starts nothing."""
    sweep = sweep_create_scheduled()
    if sweep is None:
        return None
    queue_dispatch(sweep.pk)
    return sweep.pk


@shared_task(
    name="status_checks.tasks.status_sweep_reap_task",
    base=CountedDeliveryTask,
    bind=True,
    **_TASK_OPTIONS,
)
def status_sweep_reap_task(self: Task) -> dict:
    """Beat's reaper: queue again the work of sweeps that stopped, or fail them (see `reaper`)."""
    result = sweeps_reap()
    for requeue in result.requeued:
        if requeue.chunks is None:
            queue_dispatch(requeue.sweep_id)
        else:
            queue_chunks(requeue.sweep_id, requeue.chunks)
    return {
        "requeued": [requeue.sweep_id for requeue in result.requeued],
        "failed": result.failed,
        "finished": result.finished,
    }


@shared_task(
    name="status_checks.tasks.status_alerts_send_task",
    base=CountedDeliveryTask,
    bind=True,
    **_TASK_OPTIONS,
)
def status_alerts_send_task(self: Task, check_ids: list[int]) -> int:
    """E-mail providers' administrators about these checks' notices."""
    return status_alerts_send(check_ids=check_ids)


def queue_dispatch(sweep_id: int) -> None:
    """Queue a sweep's fan-out once the current transaction commits."""
    transaction.on_commit(partial(status_sweep_dispatch_task.delay, sweep_id))


def queue_chunks(sweep_id: int, chunks: Sequence[list[int]]) -> None:
    """Queue one check task a chunk once the current transaction commits."""
    for chunk in chunks:
        transaction.on_commit(partial(status_check_chunk_task.delay, sweep_id, chunk))


def queue_alerts(check_ids: Sequence[int]) -> None:
    """Queue the alert e-mails for these checks once the current transaction commits."""
    if check_ids:
        transaction.on_commit(partial(status_alerts_send_task.delay, list(check_ids)))
