"""Give every request an id: the proxy's `X-Request-ID` when it is sane, else a new one."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import new_request_id, request_id_var, sane_request_id

HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """Outermost middleware: the id is set before anything logs and reset after the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = sane_request_id(request.headers.get(HEADER)) or new_request_id()
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response
