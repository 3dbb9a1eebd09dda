"""Run a real Celery worker process against the test database and Redis."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from config.celery_app import app


def worker_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a process that must use the test database and Redis databases."""
    database = settings.DATABASES["default"]
    # pytest-django renamed the database to the test one; the worker must use it too.
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT']}/{connection.settings_dict['NAME']}"
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        # As the test process resolved them, so both sides use the same Redis databases.
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CACHE_URL": settings.CACHES["default"]["LOCATION"],
        "STATUS_CHECK_REDIS_URL": settings.STATUS_CHECK_REDIS_URL,
        **(extra or {}),
    }


@dataclass
class WorkerHandle:
    """A started worker: its node name for control commands and its process, e.g. to kill."""

    hostname: str
    process: subprocess.Popen


@contextmanager
def worker_process(
    *,
    timeout: float = 30.0,
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
) -> Iterator[WorkerHandle]:
    """Start a worker on every test queue, wait until it answers a ping, stop it afterwards.

    ``env`` adds or overrides environment variables (settings read from the environment, e.g.
    CELERY_VISIBILITY_TIMEOUT); ``args`` are extra ``celery worker`` arguments.
    """
    hostname = f"test-{uuid.uuid4().hex[:8]}@localhost"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config.celery_app",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            ",".join(queue.name for queue in app.conf.task_queues),
            "-n",
            hostname,
            "-l",
            "warning",
            *args,
        ],
        env=worker_env(env),
    )
    try:
        deadline = time.monotonic() + timeout
        while not app.control.ping(destination=[hostname], timeout=0.5):
            if process.poll() is not None:
                raise RuntimeError(f"Celery worker exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"Celery worker {hostname} did not answer within {timeout}s")
        yield WorkerHandle(hostname=hostname, process=process)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def running_worker(
    *,
    timeout: float = 30.0,
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
) -> Iterator[str]:
    """Start a worker on the test queues and yield its node name (see ``worker_process``)."""
    with worker_process(timeout=timeout, env=env, args=args) as worker:
        yield worker.hostname
