"""Heartbeats that tell /healthz a Celery worker and beat are alive.

A worker writes ``<prefix>:worker`` every HEARTBEAT_INTERVAL seconds from a thread started
when it is ready (so a worker busy with a long task still beats); beat writes ``<prefix>:beat``
on its ticks, which CELERY_BEAT_MAX_LOOP_INTERVAL makes at least that frequent. Both go to the
broker's Redis: if that is gone, no task runs either. A heartbeat is the latest of any worker
(or beat); each holds the time and the host that wrote it.
"""

import json
import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import redis
from celery.beat import PersistentScheduler
from celery.signals import worker_ready, worker_shutdown
from django.conf import settings

logger = logging.getLogger(__name__)

# Kept well past any staleness threshold, so /healthz can say when it was last seen.
KEY_TTL = 7 * 24 * 60 * 60


@dataclass(frozen=True)
class Beat:
    """The last heartbeat of a worker or beat."""

    at: float
    hostname: str

    def age(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.at)


def _client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2
    )


def _key(kind: str) -> str:
    return f"{settings.HEARTBEAT_KEY_PREFIX}:{kind}"


def record(kind: str, hostname: str) -> None:
    """Write ``kind``'s heartbeat now; a Redis fault is logged, never raised."""
    payload = json.dumps({"at": time.time(), "hostname": hostname})
    client = _client()
    try:
        client.set(_key(kind), payload, ex=KEY_TTL)
    except redis.RedisError as exc:
        logger.warning("Could not write the %s heartbeat: %s", kind, exc)
    finally:
        client.close()


def last(kind: str) -> Beat | None:
    """Return ``kind``'s last heartbeat, or None if none was written (raises RedisError)."""
    client = _client()
    try:
        raw = client.get(_key(kind))
    finally:
        client.close()
    if raw is None:
        return None
    data = json.loads(raw)
    return Beat(at=float(data["at"]), hostname=str(data["hostname"]))


class _WorkerHeartbeat:
    """The thread a worker process runs to write its heartbeat until it shuts down."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, hostname: str) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(hostname,), name="registry-heartbeat", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self, hostname: str) -> None:
        while not self._stop.is_set():
            record("worker", hostname)
            self._stop.wait(settings.HEARTBEAT_INTERVAL)


_worker_heartbeat = _WorkerHeartbeat()


@worker_ready.connect
def _start_worker_heartbeat(sender: Any = None, **_: Any) -> None:
    _worker_heartbeat.start(getattr(sender, "hostname", None) or "worker")


@worker_shutdown.connect
def _stop_worker_heartbeat(**_: Any) -> None:
    _worker_heartbeat.stop()


class HeartbeatScheduler(PersistentScheduler):
    """Beat's scheduler, writing beat's heartbeat at most once per HEARTBEAT_INTERVAL."""

    _last_beat = 0.0

    def tick(self, *args: Any, **kwargs: Any) -> float:
        now = time.monotonic()
        if now - self._last_beat >= settings.HEARTBEAT_INTERVAL:
            self._last_beat = now
            record("beat", socket.gethostname())
        return super().tick(*args, **kwargs)
