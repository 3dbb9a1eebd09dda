"""PostgreSQL, not the broker, knows which imports are alive: a job lock and a reaper.

A worker running a job holds a session advisory lock keyed by the job's id for the whole run,
so the lock vanishes with the worker's connection whatever kills it (a crash, a hard time
limit, a database restart). The reaper, run by beat, looks for queued or running jobs whose
row has not moved for IMPORT_STALL_SECONDS and whose lock nobody holds: those are lost. An
import is all or nothing, so a lost job is simply run again, up to IMPORT_MAX_ATTEMPTS runs;
after that it is marked failed with the reason, so no job stays "running".
"""

import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import ImportState
from .models import ImportJob

logger = logging.getLogger(__name__)

# Advisory-lock keys; nothing else in the database uses these constants.
JOB_LOCK_CLASS = 0x1A_B0_27_02  # (class, job id): held while a worker runs that job
REAPER_LOCK_KEY = 0x1A_B0_27_03  # one reaper at a time, however many beats run
UNFINISHED = (ImportState.QUEUED, ImportState.RUNNING)


@contextmanager
def job_lock(job_id: int) -> Iterator[bool]:
    """Hold the job's lock for the block; yields False when another session holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [JOB_LOCK_CLASS, job_id])
        (locked,) = cursor.fetchone()
    try:
        yield locked
    finally:
        if locked:
            _unlock(job_id)


def _unlock(job_id: int) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [JOB_LOCK_CLASS, job_id])
    except DatabaseError:
        # The connection is gone, and the lock with it; make sure Django opens a new one.
        connection.close()


@dataclass
class Reaped:
    """What one reaper pass did: jobs to queue again, and jobs it gave up on."""

    requeue: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def stalled_jobs(now: datetime.datetime) -> list[ImportJob]:
    """Unfinished jobs whose row has not moved for the stall time and that no worker holds."""
    cutoff = now - datetime.timedelta(seconds=settings.IMPORT_STALL_SECONDS)
    candidates = list(
        ImportJob.objects.defer("content")
        .filter(state__in=UNFINISHED, updated_at__lt=cutoff)
        .order_by("pk")
    )
    if not candidates:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
            "AND objsubid = 2 AND granted AND objid = ANY(%s)",
            [JOB_LOCK_CLASS, [job.pk for job in candidates]],
        )
        held = {int(objid) for (objid,) in cursor.fetchall()}
    return [job for job in candidates if job.pk not in held]


def import_reap(*, now: datetime.datetime | None = None) -> Reaped:
    """Find lost imports: mark those out of attempts failed, return the rest to queue again.

    Each job to queue again has its ``updated_at`` moved to now, so the next pass waits a
    whole stall time for it. A second reaper running at once finds the lock taken and does
    nothing.
    """
    now = now or timezone.now()
    reaped = Reaped()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REAPER_LOCK_KEY])
            (locked,) = cursor.fetchone()
        if not locked:
            logger.info("Another import reaper is running; skipping.")
            return reaped
        for job in stalled_jobs(now):
            if job.attempts >= settings.IMPORT_MAX_ATTEMPTS:
                reason = _(
                    "The import stopped making progress %(attempts)d times (last at %(when)s) "
                    "and was given up; nothing from it was written. Run it again with "
                    "“manage.py import_retry %(id)d” or upload the file again."
                ) % {
                    "attempts": job.attempts,
                    "when": timezone.localtime(job.updated_at).isoformat(timespec="seconds"),
                    "id": job.pk,
                }
                mark_failed(job_id=job.pk, reason=reason, now=now)
                reaped.failed.append(job.pk)
                logger.error("Import job %s given up after %s attempts", job.pk, job.attempts)
            else:
                ImportJob.objects.filter(pk=job.pk, state__in=UNFINISHED).update(updated_at=now)
                reaped.requeue.append(job.pk)
                logger.warning(
                    "Import job %s (%s, attempt %s) stalled since %s; queued again",
                    job.pk,
                    job.state,
                    job.attempts,
                    job.updated_at.isoformat(),
                )
    return reaped


def mark_failed(*, job_id: int, reason: str, now: datetime.datetime | None = None) -> bool:
    """Mark an unfinished job failed with one file-level problem; False if it was finished."""
    now = now or timezone.now()
    return bool(
        ImportJob.objects.filter(pk=job_id, state__in=UNFINISHED).update(
            state=ImportState.FAILED,
            finished_at=now,
            updated_at=now,
            report={
                "problems": [{"row": None, "column": "", "message": reason, "severity": "error"}]
            },
            error_count=1,
        )
    )


def import_retry(*, job_id: int) -> ImportJob:
    """Put a failed job back in the queue with its attempts reset.

    A failed import wrote nothing (all or nothing), so running it again is safe; a file that
    failed on its rows simply fails the same way.
    """
    job = ImportJob.objects.defer("content").get(pk=job_id)
    if job.state != ImportState.FAILED:
        raise ValueError(
            _("Import #%(id)d is %(state)s; only a failed import is run again.")
            % {"id": job.pk, "state": job.get_state_display().lower()}
        )
    ImportJob.objects.filter(pk=job.pk, state=ImportState.FAILED).update(
        state=ImportState.QUEUED,
        attempts=0,
        error_count=0,
        warning_count=0,
        report={},
        finished_at=None,
        updated_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def count_attempt(job_id: int, now: datetime.datetime) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        state=ImportState.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        updated_at=now,
        rows_done=0,
        rows_total=0,
    )
