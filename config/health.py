"""Liveness and readiness: can this process reach its database and broker, and do tasks run?

What the answer means to a load balancer:

* 503 ``"unavailable"`` when the database or the broker's Redis does not answer: this web
  cannot serve (pages need the database; uploads and checks need the broker), so take it out.
* 200 ``"degraded"`` when both answer but no worker or no beat has written its heartbeat within
  HEARTBEAT_STALE_AFTER seconds: the site serves, queued work waits. Keep routing to it; alert.
* 200 ``"ok"`` otherwise.

The cache is optional (config.cache) and is not checked.
"""

import datetime

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config import heartbeat

OK = "ok"
UNAVAILABLE = "unavailable"


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _redis_ok() -> bool:
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2
    )
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _heartbeat(kind: str, redis_up: bool) -> tuple[bool, dict]:
    """Return whether ``kind`` beat recently, and what /healthz says about its last beat."""
    beat = None
    if redis_up:
        try:
            beat = heartbeat.last(kind)
        except redis.RedisError:
            beat = None
    if beat is None:
        return False, {"last_seen": None, "seconds_ago": None, "hostname": None}
    age = beat.age()
    seen = datetime.datetime.fromtimestamp(beat.at, tz=datetime.UTC)
    detail = {
        "last_seen": seen.isoformat(timespec="seconds"),
        "seconds_ago": round(age),
        "hostname": beat.hostname,
    }
    return age <= settings.HEARTBEAT_STALE_AFTER, detail


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report each dependency: 503 when this web cannot serve, "degraded" when tasks stall."""
    redis_up = _redis_ok()
    required = {"database": _database_ok(), "redis": redis_up}
    worker_ok, worker = _heartbeat("worker", redis_up)
    beat_ok, beat = _heartbeat("beat", redis_up)
    checks = {**required, "worker": worker_ok, "beat": beat_ok}
    if not all(required.values()):
        status = UNAVAILABLE
    elif not (worker_ok and beat_ok):
        status = "degraded"
    else:
        status = OK
    body = {
        "status": status,
        "checks": {name: OK if ok else UNAVAILABLE for name, ok in checks.items()},
        "worker": worker,
        "beat": beat,
    }
    return JsonResponse(body, status=503 if status == UNAVAILABLE else 200)
