"""A circuit breaker whose state lives in Redis, so every worker process stops together.

Closed: calls go through; failures are counted in a rolling window. At the threshold the
circuit opens for ``reset_timeout`` seconds and nobody calls the register. After that it is
half-open: exactly one process (whoever wins a SET NX) may send a probe; success closes the
circuit, failure opens it again.

The open period ends at a time stored in Redis and read against ``clock`` (the wall clock;
tests pass their own), so every process agrees when it ends. The key's expiry only tidies up.
"""

import time
from collections.abc import Callable
from typing import Literal

import redis

from config.redis_state import key, shared_redis

CircuitState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """Shared open/half-open/closed state for one external source."""

    def __init__(
        self,
        *,
        source: str,
        failure_threshold: int = 5,
        failure_window: int = 60,
        reset_timeout: int = 300,
        client: redis.Redis | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.source = source
        self.clock = clock
        self.failure_threshold = failure_threshold
        self.failure_window = failure_window
        self.reset_timeout = reset_timeout
        self.redis = client or shared_redis()
        self._failures = key("circuit", source, "failures")
        self._open = key("circuit", source, "open")
        # Outlives ``open``: while it stands, the circuit is half-open rather than closed.
        self._tripped = key("circuit", source, "tripped")
        self._probe = key("circuit", source, "probe")

    def state(self) -> CircuitState:
        until, tripped = self.redis.mget(self._open, self._tripped)
        if until is not None and float(until) > self.clock():
            return "open"
        return "half_open" if tripped else "closed"

    def allow(self) -> bool:
        """May this process call the source now?"""
        state = self.state()
        if state == "open":
            return False
        if state == "half_open":
            # One probe at a time across all processes; it expires in case the prober dies.
            return bool(self.redis.set(self._probe, 1, nx=True, ex=max(self.reset_timeout, 1)))
        return True

    def record_success(self) -> None:
        self.redis.delete(self._failures, self._open, self._tripped, self._probe)

    def record_failure(self) -> None:
        if self.redis.exists(self._tripped):
            self.open_for(self.reset_timeout)
            return
        pipe = self.redis.pipeline()
        # SET NX starts the window once; INCR keeps its TTL (EXPIRE NX needs Redis 7).
        pipe.set(self._failures, 0, ex=max(self.failure_window, 1), nx=True)
        pipe.incr(self._failures)
        _, failures = pipe.execute()
        if int(failures) >= self.failure_threshold:
            self.open_for(self.reset_timeout)

    def open_for(self, seconds: float) -> None:
        """Open the circuit now, e.g. for a register's long Retry-After."""
        seconds = max(int(seconds + 0.999), 1)
        pipe = self.redis.pipeline()
        pipe.set(self._open, self.clock() + seconds, ex=seconds)
        # Long enough to outlast any open period; cleared by the first success.
        pipe.set(self._tripped, 1, ex=max(seconds * 10, 24 * 60 * 60))
        pipe.delete(self._probe, self._failures)
        pipe.execute()

    def reset(self) -> None:
        self.record_success()
