"""Time every web request: one histogram sample and one log line each."""

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .metrics import HTTP_REQUEST_DURATION

logger = logging.getLogger("registry.request")

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Probes and scrapes come every few seconds; their lines are kept out of INFO logs.
_QUIET_ROUTES = frozenset({"healthz", "metrics"})


def route_name(request: HttpRequest) -> str:
    """The resolved route's name (namespaced), never the raw path, so labels stay bounded."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


class RequestTelemetryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration = time.perf_counter() - started
        route = route_name(request)
        method = request.method if request.method in _METHODS else "other"
        HTTP_REQUEST_DURATION.labels(
            route=route, method=method, status=f"{response.status_code // 100}xx"
        ).observe(duration)
        logger.log(
            logging.DEBUG if route in _QUIET_ROUTES else logging.INFO,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
            },
        )
        return response
