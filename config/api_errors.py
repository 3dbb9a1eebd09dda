"""One error path: rule errors raised by services become DRF 400/403 responses, in JSON."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler


def registry_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Translate Django's ValidationError and PermissionDenied, then let DRF answer."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, exceptions.AuthenticationFailed) and _presented_token(context):
        # DRF answers 403 when the first authenticator (the session) has no challenge; a
        # script whose token was refused should hear 401 and which scheme to retry with.
        exc.status_code = 401
        exc.auth_header = "Token"
    response = exception_handler(exc, context)
    request = context.get("request")
    if response is not None and request is not None:
        # An export view negotiates CSV or JSON-LD; its errors (a 429, a 404) still answer in
        # the API's JSON error format rather than as a broken download.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


def _presented_token(context: dict) -> bool:
    request = context.get("request")
    header = request.META.get("HTTP_AUTHORIZATION", "") if request is not None else ""
    return header.split(" ", 1)[0].lower() == "token"
