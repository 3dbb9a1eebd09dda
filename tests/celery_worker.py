"""Run a real Celery worker process against the test database and Redis."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from config.celery_app import app


def _worker_env() -> dict[str, str]:
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
    }


@contextmanager
def running_worker(*, timeout: float = 30.0) -> Iterator[str]:
    """Start a worker on the test queue, wait until it answers a ping, stop it afterwards."""
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
            settings.CELERY_TASK_DEFAULT_QUEUE,
            "-n",
            hostname,
            "-l",
            "warning",
        ],
        env=_worker_env(),
    )
    try:
        deadline = time.monotonic() + timeout
        while not app.control.ping(destination=[hostname], timeout=0.5):
            if process.poll() is not None:
                raise RuntimeError(f"Celery worker exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"Celery worker {hostname} did not answer within {timeout}s")
        yield hostname
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
