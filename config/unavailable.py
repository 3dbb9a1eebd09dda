"""When PostgreSQL cannot be reached, say so: 503 with Retry-After, never a bare 500.

Django turns an uncaught exception into the 500 handler's response while the exception is
still being handled, so the handler can tell a database that is down (connection refused,
server restarting, statement cancelled) from a bug in the code.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views.defaults import server_error

# Seconds a client should wait before trying again: long enough for a restart or a failover.
RETRY_AFTER_SECONDS = 30
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) says the database cannot be reached right now."""
    while exc is not None:
        if isinstance(exc, DATABASE_UNAVAILABLE):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def server_error_or_unavailable(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a 503 page or JSON error when the database is down, else Django's 500."""
    if not database_unavailable(sys.exc_info()[1]):
        return server_error(request)
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse(
            {"detail": gettext("The register is briefly unavailable. Please try again shortly.")},
            status=503,
        )
    else:
        # No request context: context processors would query the database that is down.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
