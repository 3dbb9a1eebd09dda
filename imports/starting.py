"""Start an import from an upload: record the job, then queue it for a worker.

Kept apart from `services` (which the task runs) so the import graph stays one-way:
starting -> tasks -> services.
"""

from django.db import transaction

from config.types import User
from providers.models import Provider

from .models import ImportJob
from .services import import_job_create
from .tasks import import_run_task


def import_start(
    *,
    actor: User | None,
    format: str,
    content: bytes,
    filename: str = "",
    provider: Provider | None = None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
) -> ImportJob:
    """Record the job and queue it for a worker once the job row is committed."""
    with transaction.atomic():
        job = import_job_create(
            actor=actor,
            format=format,
            content=content,
            filename=filename,
            provider=provider,
            dry_run=dry_run,
            skip_bad_rows=skip_bad_rows,
        )
        transaction.on_commit(lambda: import_run_task.delay(job.pk))
    return job
