"""Helpers for tests that run sweeps through a real Celery worker process."""

import time
from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings

from config.celery_app import app
from status_checks.choices import SweepState
from status_checks.models import StatusSweep
from tests.factories import CredentialFactory

from .conftest import fast_http_env
from .register_stub import RegisterStub


def worker_env(stub: RegisterStub) -> dict[str, str]:
    """What a test worker reads from its environment: the stub register, small chunks, and a
    short visibility timeout with a restore scan every second, so a killed worker's task is
    handed on within seconds instead of an hour. The scan's mutex expires quickly too: a
    worker killed while scanning would otherwise block every scan for five minutes."""
    return {
        **fast_http_env(stub),
        "STATUS_CHECK_CHUNK_SIZE": "4",
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        "CELERY_UNACKED_MUTEX_EXPIRE": "2",
    }


def purge_broker() -> None:
    """Drop tasks and unacknowledged deliveries a previous, interrupted run left in Redis."""
    app.control.purge()
    with app.connection_for_write() as connection:
        client = connection.default_channel.client
        client.delete(
            "unacked", "unacked_index", "unacked_mutex", settings.CELERY_TASK_DEFAULT_QUEUE
        )


def wait_for(predicate: Callable[[], object], *, timeout: float = 30.0, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(f"Gave up after {timeout}s waiting for {what or predicate}")


def wait_until_finished(sweep: StatusSweep, *, timeout: float = 30.0) -> StatusSweep:
    def finished() -> StatusSweep | None:
        sweep.refresh_from_db()
        return sweep if sweep.state in (SweepState.FINISHED, SweepState.FAILED) else None

    wait_for(finished, timeout=timeout, what=f"sweep {sweep.pk} to finish")
    return sweep


def credential(today: date, days: int, **kwargs):
    """A registered credential whose validity ends ``days`` from today."""
    return CredentialFactory(
        valid_from=today - timedelta(days=800), valid_to=today + timedelta(days=days), **kwargs
    )
