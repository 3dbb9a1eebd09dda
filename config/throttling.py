"""Rate limits for the API and the public HTML search, sharing one set of rates and buckets.

Rates live in settings.THROTTLE_RATES (scope -> "N/period" or None for no limit) and are read
per request, so an operator's environment and a test's override_settings both take effect.
Counters are kept in the default cache (Redis), so every web process sees the same counts.

DRF's SimpleRateThrottle reads a pickled list of times and writes it back: two round trips a
request, and two requests at once both read the same list, so one is not counted. Here one Lua
script trims, counts and adds in a single atomic round trip, with DRF's sliding-window rule
(a request counts for `duration` seconds; the limit refuses the request past `num_requests`).
"""

import secrets
from collections.abc import Callable
from functools import wraps
from typing import cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from redis.commands.core import Script
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .client_ip import client_ip

EXPORT_FORMATS = frozenset({"csv", "json"})

# A sorted set of request times per bucket. ARGV: now, window seconds, limit, a unique member.
# Returns {1 if counted else 0, requests in the window, the oldest one's time}; the time is a
# string because Redis turns a Lua number into an integer.
_SLIDING_WINDOW = Script(
    None,  # type: ignore[arg-type]  # no client of its own: each call passes the cache's
    b"""
local key, now, window = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local counted = 0
if count < tonumber(ARGV[3]) then
    redis.call('ZADD', key, now, ARGV[4])
    redis.call('PEXPIRE', key, math.ceil(window * 1000))
    count = count + 1
    counted = 1
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {counted, count, oldest[2] or false}
""",
)


class RegistryRateThrottle(SimpleRateThrottle):
    """A scope's limit, per signed-in user or else per client address."""

    scope = ""
    # Not DRF's key: its pickled lists would be the wrong Redis type for the script.
    cache_format = "throttle-window:%(scope)s:%(ident)s"

    def __init__(self, scope: str | None = None) -> None:
        if scope is not None:
            self.scope = scope
        super().__init__()

    def get_rate(self) -> str | None:
        return settings.THROTTLE_RATES.get(self.scope)

    def applies(self, request: HttpRequest, view) -> bool:
        """Whether this limit counts the request at all."""
        return True

    def allow_request(self, request: HttpRequest, view) -> bool:
        self.rate = self.get_rate()
        if self.rate is None or not self.applies(request, view):
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        # Pages pass a plain HttpRequest: the cache key reads only what both kinds have.
        self.key = self.get_cache_key(request, view)
        self.now = self.timer()
        member = f"{self.now!r}-{secrets.token_hex(4)}"
        # Redis down: nothing is counted and the request goes through, as with an empty cache.
        counted, self.window_count, oldest = self.cache.run_script(  # type: ignore[attr-defined]
            _SLIDING_WINDOW,
            self.key,
            [self.now, self.duration, self.num_requests, member],
            fallback=(1, 0, None),
        )
        self.window_oldest = None if oldest is None else float(oldest)
        return bool(counted)

    def wait(self) -> float | None:
        """Seconds until the window lets a request through again (DRF's estimate)."""
        # Only asked after allow_request refused, so a rate was parsed.
        duration, limit = cast(int, self.duration), cast(int, self.num_requests)
        remaining = float(duration)
        if self.window_oldest is not None:
            remaining -= self.now - self.window_oldest
        available = limit - self.window_count + 1
        return remaining / available if available > 0 else None

    def get_cache_key(self, request: HttpRequest, view) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"ip-{client_ip(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


def _is_export(request: HttpRequest, view) -> bool:
    scope = getattr(view, "throttle_scope", None)
    if scope == "export":
        return True
    return (
        scope == "search"
        and getattr(view, "action", None) == "list"
        and request.GET.get("format") in EXPORT_FORMATS
    )


class AnonymousBrowseThrottle(RegistryRateThrottle):
    """Anonymous reads: searching, browsing, verifying (exports count separately)."""

    scope = "browse"

    def applies(self, request: HttpRequest, view) -> bool:
        return (
            request.method in ("GET", "HEAD", "OPTIONS")
            and not request.user.is_authenticated
            and not _is_export(request, view)
        )


class ExportThrottle(RegistryRateThrottle):
    """Whole-register downloads, stricter because each streams every matching row."""

    scope = "export"

    def applies(self, request: HttpRequest, view) -> bool:
        return _is_export(request, view)


class WriteThrottle(RegistryRateThrottle):
    """Signed-in changes: creating, editing, transitions, reviews."""

    scope = "write"

    def applies(self, request: HttpRequest, view) -> bool:
        return (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and request.user.is_authenticated
            and getattr(view, "throttle_scope", None) != "tokens"
        )


class TokenCreateThrottle(RegistryRateThrottle):
    """New API tokens: a person needs a few; many in a row is a script or a leak."""

    scope = "token"

    def applies(self, request: HttpRequest, view) -> bool:
        return (
            request.method == "POST"
            and getattr(view, "throttle_scope", None) == "tokens"
            and request.user.is_authenticated
        )


def html_rate_limit(scope: str) -> Callable:
    """Apply a scope's limit to an HTML view; anonymous visitors only, like the API's browse."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                throttle = RegistryRateThrottle(scope)
                if not throttle.allow_request(request, None):
                    return too_many_requests(request, throttle.wait())
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def too_many_requests(request: HttpRequest | Request, wait: float | None) -> HttpResponse:
    """The 429 page, with Retry-After in whole seconds."""
    seconds = max(1, int(wait or 1))
    response = render(request, "429.html", {"retry_after": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response
