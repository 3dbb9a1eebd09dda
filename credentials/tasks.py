"""Celery tasks for accreditation-status checks: thin wrappers that take ids and call services.

Every task here is acknowledged late and rejected back to the queue if its worker dies
(global settings), so each must be safe to run twice: the services make a repeat a no-op.
A task that kills its worker every time would be redelivered for ever, so deliveries are
counted in Redis and a task past STATUS_CHECK_MAX_DELIVERIES gives up instead of running.
"""

import logging
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .status_checks.alerts import status_alerts_send
from .status_checks.redis_state import key, shared_redis
from .status_checks.services import (
    status_check_chunk,
    status_sweep_dispatch,
    status_sweep_fail,
    status_sweep_start_scheduled,
)

logger = logging.getLogger(__name__)

# Kept a day: far longer than any redelivery cycle, short enough not to pile up.
DELIVERY_COUNT_SECONDS = 24 * 60 * 60

# Transient faults worth a retry: the database restarting or a connection dropped.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, SoftTimeLimitExceeded)


class CountedDeliveryTask(Task):
    """A task that counts its deliveries and gives up past the limit."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        task_id = self.request.id
        if task_id:
            attempts = _count_delivery(task_id)
            if attempts > settings.STATUS_CHECK_MAX_DELIVERIES:
                logger.error("%s[%s] delivered %d times; giving up.", self.name, task_id, attempts)
                self.give_up(*args, **kwargs)
                return None
        result = super().__call__(*args, **kwargs)
        if task_id:
            shared_redis().delete(key("deliveries", task_id))
        return result

    def give_up(self, *args: Any, **kwargs: Any) -> None:
        """Called instead of running once the delivery limit is passed."""


def _count_delivery(task_id: str) -> int:
    pipe = shared_redis().pipeline()
    pipe.incr(key("deliveries", task_id))
    pipe.expire(key("deliveries", task_id), DELIVERY_COUNT_SECONDS)
    count, _ = pipe.execute()
    return int(count)


class SweepTask(CountedDeliveryTask):
    """A task whose first argument is a sweep id: giving up fails that sweep."""

    def give_up(self, sweep_id: int, *args: Any, **kwargs: Any) -> None:
        status_sweep_fail(sweep_id=sweep_id, reason=f"{self.name} kept failing (ids: {args[:1]!r})")


_TASK_OPTIONS: dict[str, Any] = {
    # Progress lives on StatusSweep; nothing reads task results, so Redis need not keep them.
    "ignore_result": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 4,
}


@shared_task(base=SweepTask, bind=True, **_TASK_OPTIONS)
def status_sweep_dispatch_task(self: Task, sweep_id: int) -> int:
    """Fan a sweep out into chunk tasks; returns how many chunks were queued."""
    return len(status_sweep_dispatch(sweep_id=sweep_id))


@shared_task(
    base=SweepTask,
    bind=True,
    soft_time_limit=settings.STATUS_CHECK_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.STATUS_CHECK_TASK_TIME_LIMIT,
    **_TASK_OPTIONS,
)
def status_check_chunk_task(self: Task, sweep_id: int, credential_ids: list[int]) -> dict:
    """Check one chunk of a sweep's credentials."""
    result = status_check_chunk(sweep_id=sweep_id, credential_ids=credential_ids)
    return {"checked": result.checked, "changed": result.changed, "skipped": result.skipped}


@shared_task(base=CountedDeliveryTask, bind=True, **_TASK_OPTIONS)
def status_sweep_daily(self: Task) -> int | None:
    """Beat's daily register sweep; a second beat or a repeat the same day starts nothing."""
    sweep = status_sweep_start_scheduled()
    return sweep.pk if sweep else None


@shared_task(base=CountedDeliveryTask, bind=True, **_TASK_OPTIONS)
def status_alerts_send_task(self: Task, check_ids: list[int]) -> int:
    """E-mail providers' administrators about these checks' notices."""
    return status_alerts_send(check_ids=check_ids)


# --- Bulk import (credentials.imports) ------------------------------------------------------


class ImportTask(CountedDeliveryTask):
    """An import task: giving up, or failing for good, marks its job failed."""

    def give_up(self, job_id: int, *args: Any, **kwargs: Any) -> None:
        from .imports.services import import_fail

        import_fail(job_id=job_id, reason=f"{self.name} kept failing; the import was stopped.")

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        from .imports.services import import_fail

        job_id = kwargs.get("job_id", args[0] if args else None)
        if job_id is not None:
            import_fail(job_id=job_id, reason=f"The import stopped on an unexpected error: {exc!r}")


@shared_task(
    base=ImportTask,
    bind=True,
    ignore_result=True,
    # The file's transaction rolled back, so a retry starts clean; data faults are not retried.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=3,
)
def import_run_task(self: Task, job_id: int) -> str:
    """Import one uploaded file; a job already finished is left as it is."""
    # Kept local so the import section stands apart from the status-check tasks above.
    from .imports.services import import_run
    from .models import ImportJob

    return import_run(job=ImportJob(pk=job_id)).state
