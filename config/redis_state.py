"""State that every worker process must share: one Redis connection pool per process."""

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=1)
def _client(url: str) -> redis.Redis:
    # redis-py pools notice a fork and reconnect, so one pool per URL is safe under prefork.
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def shared_redis() -> redis.Redis:
    """The Redis holding circuit breakers, rate-limit windows and delivery counts."""
    return _client(settings.STATUS_CHECK_REDIS_URL)


def key(*parts: object) -> str:
    """A namespaced key, so status-check state never collides with the cache or the broker."""
    return ":".join([settings.STATUS_CHECK_REDIS_PREFIX, *map(str, parts)])
