"""/healthz: 503 when the database or broker is down, "degraded" when no worker or beat beats."""

import signal
import subprocess
import sys

import pytest
import redis
from django.conf import settings
from django.urls import reverse

from config import health, heartbeat
from devstack.paths import ROOT
from tests.celery_worker import worker_env, worker_process

from .processes import wait_for

pytestmark = pytest.mark.django_db

FAST_BEATS = {"HEARTBEAT_INTERVAL": "1"}
CELERY = [sys.executable, "-m", "celery", "-A", "config.celery_app"]


@pytest.fixture
def no_heartbeats():
    """Forget heartbeats earlier tests' workers and beats wrote."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(heartbeat._key("worker"), heartbeat._key("beat"))
    client.close()


@pytest.fixture
def beat(tmp_path, no_heartbeats):
    """A real Celery beat process (it enqueues only the daily tasks, hours away)."""
    schedule = str(tmp_path / "celerybeat-schedule")
    proc = subprocess.Popen(
        [*CELERY, "beat", "-l", "warning", "-s", schedule],
        cwd=ROOT,
        env=worker_env(FAST_BEATS),
    )
    yield proc
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _healthz(client):
    response = client.get(reverse("healthz"))
    return response.status_code, response.json()


def test_healthz_is_ok_with_a_live_worker_and_beat(client, beat):
    """A real worker and beat write their heartbeats; /healthz then reports all four ok."""
    with worker_process(env=FAST_BEATS) as worker:
        wait_for(lambda: _healthz(client)[1]["status"] == "ok", timeout=30, what="both heartbeats")
        status, body = _healthz(client)

    assert status == 200
    assert body["checks"] == {"database": "ok", "redis": "ok", "worker": "ok", "beat": "ok"}
    assert body["worker"]["hostname"] == worker.hostname
    assert body["worker"]["seconds_ago"] <= settings.HEARTBEAT_STALE_AFTER
    assert body["beat"]["last_seen"] is not None


def test_healthz_without_any_worker_or_beat_is_degraded_but_200(client, no_heartbeats):
    """The site can serve, so a load balancer keeps it; the body says what is missing."""
    status, body = _healthz(client)

    assert status == 200
    assert body["status"] == "degraded"
    assert body["checks"] == {
        "database": "ok",
        "redis": "ok",
        "worker": "unavailable",
        "beat": "unavailable",
    }
    assert body["worker"] == {"last_seen": None, "seconds_ago": None, "hostname": None}


def test_a_killed_worker_turns_stale(client, settings, no_heartbeats):
    """Once a worker dies, its last heartbeat ages past HEARTBEAT_STALE_AFTER: degraded."""
    settings.HEARTBEAT_STALE_AFTER = 2
    with worker_process(env=FAST_BEATS) as worker:
        wait_for(lambda: _healthz(client)[1]["checks"]["worker"] == "ok", timeout=30, what="a beat")
        worker.process.kill()
        worker.process.wait()

        wait_for(
            lambda: _healthz(client)[1]["checks"]["worker"] == "unavailable",
            timeout=30,
            what="the heartbeat to go stale",
        )
        status, body = _healthz(client)

    assert status == 200
    assert body["status"] == "degraded"
    assert body["worker"]["hostname"] == worker.hostname
    assert body["worker"]["seconds_ago"] >= 2


def test_healthz_reports_unreachable_redis_as_503(client, settings):
    """A broker that cannot be reached makes the service unavailable, not a 500."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    status, body = _healthz(client)

    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"] == "unavailable"
    assert body["checks"]["database"] == "ok"


def test_healthz_reports_broken_database_as_503(client, monkeypatch):
    """A failing database query is reported as unavailable."""
    monkeypatch.setattr(health, "_database_ok", lambda: False)

    status, body = _healthz(client)

    assert status == 503
    assert body["checks"]["database"] == "unavailable"


def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405
