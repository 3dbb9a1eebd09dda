"""Give every request an id: the proxy's `X-Request-ID` when it is sane, else a new one."""

from collections.abc import Callable

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from .context import new_request_id, request_id_var, sane_request_id

HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """Outermost middleware: the id is set before anything logs.

    It stays set until the response is closed (`request_finished`), not just until this
    middleware returns: Django logs 4xx/5xx responses (`django.request`) after the
    middleware chain, and those lines should carry the id too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = sane_request_id(request.headers.get(HEADER)) or new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]  # read by views and logs
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="registry-request-id-finished")
def _forget_request_id(**kwargs) -> None:
    request_id_var.set(None)
