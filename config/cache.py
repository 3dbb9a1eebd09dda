"""A Redis cache that is optional: when Redis cannot be reached, pages compute instead of 500.

Django's RedisCache raises on a refused or timed-out connection, so a Redis restart would turn
every cached page into an error. This backend answers as an empty cache that keeps nothing
(reads miss, writes are dropped, ``incr`` finds no key) and logs the fault, at most once per
LOG_EVERY seconds per process so an outage does not flood the log.

It also keeps one ``redis.Redis`` per connection pool (Django builds one per cache call, with
its table of reply parsers) and runs Lua scripts, so a rate limit costs one round trip.
"""

import logging
import time
from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import ConnectionPool, Redis
from redis.commands.core import Script
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

LOG_EVERY = 30.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
T = TypeVar("T")

_last_logged = 0.0


def _degrade(operation: str, exc: Exception, fallback: T) -> T:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY:
        _last_logged = now
        logger.warning("Cache unavailable (%s: %s); serving without it.", operation, exc)
    return fallback


class _SharedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, handing out one client per pool instead of a new one per
    call: a client is a thread-safe handle that takes a connection from its pool per command."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[ConnectionPool, Redis] = {}

    # django-stubs leave out the client's private pool helpers, which Django's own uses alike.
    def get_client(self, key: Any = None, *, write: bool = False) -> Redis:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class ResilientRedisCache(RedisCache):
    """RedisCache whose connection errors degrade to a miss, logged, instead of raising."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _SharedClientRedisCacheClient

    def run_script(self, script: Script, key: Any, args: Sequence[Any], fallback: T) -> Any:
        """Run a Lua `script` on cache key `key` (prefixed like any other) in one round trip;
        `fallback` when Redis cannot be reached."""
        key = self.make_and_validate_key(key)
        try:
            client = self._cache.get_client(key, write=True)  # type: ignore[attr-defined]  # stubs
            return script(keys=[key], args=args, client=client)
        except UNREACHABLE as exc:
            return _degrade("script", exc, fallback)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as exc:
            return _degrade("add", exc, False)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except UNREACHABLE as exc:
            return _degrade("get", exc, default)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as exc:
            _degrade("set", exc, None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except UNREACHABLE as exc:
            return _degrade("touch", exc, False)

    def delete(self, key: Any, version: Any = None) -> bool:
        try:
            return super().delete(key, version)
        except UNREACHABLE as exc:
            return _degrade("delete", exc, False)

    def get_many(self, keys: Any, version: Any = None) -> dict:
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as exc:
            return _degrade("get_many", exc, {})

    def has_key(self, key: Any, version: Any = None) -> bool:
        try:
            return super().has_key(key, version)
        except UNREACHABLE as exc:
            return _degrade("has_key", exc, False)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as exc:
            _degrade("incr", exc, None)
            # What an empty cache answers: there is no such key.
            raise ValueError(f"Key {key!r} not found (cache unavailable)") from exc

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list:
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as exc:
            # Django's contract: the keys that were not stored.
            return _degrade("set_many", exc, list(data))

    def delete_many(self, keys: Any, version: Any = None) -> None:
        try:
            super().delete_many(keys, version)
        except UNREACHABLE as exc:
            _degrade("delete_many", exc, None)

    def clear(self) -> None:
        try:
            super().clear()
        except UNREACHABLE as exc:
            _degrade("clear", exc, None)
