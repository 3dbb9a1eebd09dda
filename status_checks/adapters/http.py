"""HTTP for register adapters: timeouts, retries with backoff and jitter, Retry-After, a shared
rate limit and the shared circuit breaker, in one place so every adapter behaves alike."""

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from config.redis_state import key, shared_redis

from .base import SourceUnavailable
from .breaker import CircuitBreaker

logger = logging.getLogger(__name__)

# Statuses worth asking again: the register or something in front of it is struggling.
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class HttpPolicy:
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_max: float = 30.0
    rate_limit_per_second: int = 10
    circuit_failure_threshold: int = 5
    circuit_failure_window: int = 60
    circuit_reset_timeout: int = 300

    @classmethod
    def from_settings(
        cls, defaults: Mapping[str, Any], overrides: Mapping[str, Any]
    ) -> "HttpPolicy":
        """Build from STATUS_CHECK_HTTP, with a register's own keys taking precedence."""
        merged = {**defaults, **{k: v for k, v in overrides.items() if k in defaults}}
        return cls(**{name.lower(): value for name, value in merged.items()})

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with equal jitter, so retrying workers spread out."""
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


class ResilientClient:
    """GET with the policy applied; raises SourceUnavailable when the source cannot answer.

    Any response that is not retryable (2xx, 404, other 4xx) is returned to the adapter to
    interpret. Only a request that fails after its retries counts as one circuit failure, so
    one slow reply does not open the circuit for everyone.
    """

    def __init__(
        self,
        *,
        source: str,
        policy: HttpPolicy,
        headers: Mapping[str, str] | None = None,
        breaker: CircuitBreaker | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ):
        self.source = source
        self.policy = policy
        self.sleep = sleep
        self.breaker = breaker or CircuitBreaker(
            source=source,
            failure_threshold=policy.circuit_failure_threshold,
            failure_window=policy.circuit_failure_window,
            reset_timeout=policy.circuit_reset_timeout,
        )
        self.http = httpx.Client(
            timeout=httpx.Timeout(
                policy.read_timeout, connect=policy.connect_timeout, pool=policy.connect_timeout
            ),
            headers={"Accept": "application/json, text/csv;q=0.9", **(headers or {})},
            follow_redirects=True,
            transport=transport,
        )

    def close(self) -> None:
        self.http.close()

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        if not self.breaker.allow():
            raise SourceUnavailable("circuit open after repeated failures")
        reason = ""
        for attempt in range(self.policy.max_retries + 1):
            # Another process may have opened the circuit while this one was backing off.
            if attempt and self.breaker.state() == "open":
                raise SourceUnavailable("circuit open after repeated failures")
            self._take_rate_slot()
            try:
                response = self.http.get(url, **kwargs)
            except httpx.TimeoutException as exc:
                reason = f"timed out ({type(exc).__name__})"
            except httpx.TransportError as exc:
                reason = f"connection failed ({type(exc).__name__})"
            else:
                if response.status_code == 429:
                    wait = retry_after_seconds(response)
                    if wait is not None and wait > self.policy.retry_after_max:
                        # Honour the register's wish for every process, not just this one.
                        self.breaker.open_for(wait)
                        raise SourceUnavailable(f"rate limited for {wait:.0f}s (HTTP 429)")
                    reason = "rate limited (HTTP 429)"
                    if attempt < self.policy.max_retries:
                        self.sleep(wait if wait is not None else self.policy.backoff(attempt))
                    continue
                if response.status_code in RETRYABLE_STATUSES:
                    reason = f"HTTP {response.status_code}"
                elif response.status_code in (401, 403):
                    # Credentials are wrong for every request: trip, do not retry.
                    self.breaker.record_failure()
                    raise SourceUnavailable(f"refused access (HTTP {response.status_code})")
                else:
                    self.breaker.record_success()
                    return response
            logger.info("%s: attempt %d for %s failed: %s", self.source, attempt + 1, url, reason)
            if attempt < self.policy.max_retries:
                self.sleep(self.policy.backoff(attempt))
        self.breaker.record_failure()
        raise SourceUnavailable(f"{reason} after {self.policy.max_retries + 1} attempts")

    def _take_rate_slot(self) -> None:
        """Hold to the per-second budget shared by every process calling this source."""
        limit = self.policy.rate_limit_per_second
        if limit <= 0:
            return
        client = shared_redis()
        for _ in range(50):
            now = time.time()
            window = key("rate", self.source, int(now))
            pipe = client.pipeline()
            pipe.incr(window)
            pipe.expire(window, 2)
            used, _ = pipe.execute()
            if int(used) <= limit:
                return
            self.sleep(max(int(now) + 1 - now, 0.01))
        raise SourceUnavailable("local rate limit budget exhausted")
