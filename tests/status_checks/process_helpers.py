"""Real processes for the fault tests: a throwaway Redis on a port of our choosing, and a
Celery worker and beat that use it (so killing it touches no shared server)."""

import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import redis
from django.conf import settings

from config.celery_app import app
from devstack.redis_server import server_binary
from tests.celery_worker import worker_env as process_env
from tests.config.processes import free_port, wait_for


class ThrowawayRedis:
    """A Redis without persistence on one port, which a test may kill and start again."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def env(self) -> dict[str, str]:
        """Broker, cache and status-check state all on this server, as in devstack."""
        return {
            "REDIS_URL": self.url(0),
            "CELERY_BROKER_URL": self.url(0),
            "CACHE_URL": self.url(1),
            "STATUS_CHECK_REDIS_URL": self.url(2),
        }

    def start(self) -> "ThrowawayRedis":
        self.process = subprocess.Popen(
            [
                str(server_binary()),
                *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self.answers, timeout=15, what=f"Redis on port {self.port}")
        return self

    def answers(self) -> bool:
        client = redis.Redis.from_url(self.url(0), socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis.from_url(self.url(db), socket_connect_timeout=2, socket_timeout=2)

    def kill(self) -> None:
        """SIGKILL: whatever it held in memory is gone."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@contextmanager
def celery_process(
    kind: str, env: Mapping[str, str], directory: Path
) -> Iterator[subprocess.Popen]:
    """A worker (solo pool, every test queue) or beat with ``env`` over the test settings."""
    if kind == "worker":
        command = [
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            *("-Q", ",".join(queue.name for queue in app.conf.task_queues)),
            *("-n", f"test-{uuid.uuid4().hex[:8]}@localhost"),
        ]
    else:
        command = ["beat", "-s", str(directory / f"beat-{uuid.uuid4().hex[:8]}")]
    log = open(directory / f"{kind}.log", "ab")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config.celery_app", *command, "-l", "warning"],
        env=process_env(env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def worker_ready(server: ThrowawayRedis) -> bool:
    """A worker on ``server`` wrote its heartbeat: it is connected and consuming."""
    try:
        return bool(server.client().exists(f"{settings.HEARTBEAT_KEY_PREFIX}:worker"))
    except redis.RedisError:
        return False
