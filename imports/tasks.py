"""Celery tasks for bulk imports: thin wrappers that take ids and call services."""

from typing import Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from config.celery_tasks import CountedDeliveryTask

from .models import ImportJob
from .services import import_fail, import_run


class ImportTask(CountedDeliveryTask):
    """An import task: giving up, or failing for good, marks its job failed."""

    def give_up(self, job_id: int, *args: Any, **kwargs: Any) -> None:
        import_fail(job_id=job_id, reason=f"{self.name} kept failing; the import was stopped.")

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        job_id = kwargs.get("job_id", args[0] if args else None)
        if job_id is not None:
            import_fail(job_id=job_id, reason=f"The import stopped on an unexpected error: {exc!r}")


@shared_task(
    name="imports.tasks.import_run_task",
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
    return import_run(job=ImportJob(pk=job_id)).state
