"""The reaper: sweeps whose work stopped are re-queued from the database, or failed.

The broker only carries a sweep's work; StatusSweepChunk records it. When Redis loses its
queues (killed without persistence, restored from an old snapshot) or a worker dies holding a
chunk, the sweep stops making progress. Beat runs the reaper every few minutes: a sweep with no
progress for STATUS_SWEEP_STALL_SECONDS gets its unfinished chunks (or, if it was never
planned, its dispatch) queued again, at most STATUS_SWEEP_MAX_REQUEUES times; after that it is
marked failed with the reason, so no sweep stays "running" for ever. Re-queued work that turns
out to be still alive does no harm: a chunk skips credentials the sweep already checked.

Like `sweeps`, nothing here queues a task; `tasks` queues what the reaper returns.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .choices import SweepState
from .models import StatusSweep
from .sweeps import status_sweep_fail, sweep_unfinished_chunks

logger = logging.getLogger(__name__)

# Any constant works as long as nothing else in the database uses it for an advisory lock.
REAPER_LOCK_KEY = 0x5245_4150_4552  # "REAPER"


@dataclass(frozen=True)
class Requeue:
    """Work the reaper found lost: a sweep's dispatch (``chunks`` is None) or its chunks."""

    sweep_id: int
    chunks: list[list[int]] | None


@dataclass
class ReapResult:
    requeued: list[Requeue]
    failed: list[int]
    finished: list[int]
    locked_out: bool = False


def sweeps_reap(*, now: datetime | None = None) -> ReapResult:
    """Re-queue or fail every sweep that made no progress for longer than its time limit.

    Runs under a transaction-scoped advisory lock: a second beat (or a reaper still running)
    finds it taken and does nothing, so no sweep is re-queued twice for one stall.
    """
    now = now or timezone.now()
    result = ReapResult(requeued=[], failed=[], finished=[])
    stalled_before = now - timedelta(seconds=settings.STATUS_SWEEP_STALL_SECONDS)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REAPER_LOCK_KEY])
            (locked,) = cursor.fetchone()
        if not locked:
            logger.info("The sweep reaper is already running elsewhere; skipping.")
            result.locked_out = True
            return result
        stalled = (
            StatusSweep.objects.select_for_update(skip_locked=True)
            .annotate(last_progress=Coalesce("progressed_at", "started_at", "requested_at"))
            .filter(
                Q(state=SweepState.QUEUED) | Q(state=SweepState.RUNNING),
                last_progress__lt=stalled_before,
            )
            .order_by("pk")
        )
        for sweep in stalled:
            _reap_one(sweep, now, result)
    return result


def _reap_one(sweep: StatusSweep, now: datetime, result: ReapResult) -> None:
    last_progress: datetime = sweep.last_progress  # type: ignore[attr-defined]  # annotated above
    idle = int((now - last_progress).total_seconds())
    planned = sweep.chunks.exists()
    chunks = sweep_unfinished_chunks(sweep.pk) if planned else None
    if planned and not chunks:
        # Every chunk committed or lost its credentials; only the final count never landed.
        StatusSweep.objects.filter(pk=sweep.pk).update(
            state=SweepState.FINISHED, total=F("checked"), finished_at=now
        )
        logger.warning("Status sweep %s had no work left after %ss; finished it.", sweep.pk, idle)
        result.finished.append(sweep.pk)
        return
    if sweep.requeues >= settings.STATUS_SWEEP_MAX_REQUEUES:
        left = sum(len(chunk) for chunk in chunks) if chunks else sweep.total - sweep.checked
        status_sweep_fail(
            sweep_id=sweep.pk,
            reason=(
                f"No progress for {idle} s after {sweep.requeues} re-queues by the reaper; "
                f"{sweep.checked} of {sweep.total} checked, "
                + (f"{left} left in {len(chunks)} chunks." if chunks else "never planned.")
            ),
        )
        result.failed.append(sweep.pk)
        return
    StatusSweep.objects.filter(pk=sweep.pk).update(
        requeues=F("requeues") + 1,
        # The clock restarts: the re-queued work gets a full time limit before the next look.
        progressed_at=now,
    )
    logger.warning(
        "Status sweep %s made no progress for %ss; re-queueing %s (attempt %d of %d).",
        sweep.pk,
        idle,
        f"{len(chunks)} unfinished chunks" if chunks else "its dispatch",
        sweep.requeues + 1,
        settings.STATUS_SWEEP_MAX_REQUEUES,
    )
    result.requeued.append(Requeue(sweep_id=sweep.pk, chunks=chunks))
