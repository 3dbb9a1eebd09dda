"""How every app's HTML views show a service's errors: the one way pages report them.

A page that shows the form again puts each error on the field it names and the rest above
the form (``add_service_errors``); a page that redirects, so that no form is shown, puts
them in a message on the next page (``message_service_errors``).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

ServiceError = ValidationError | PermissionDenied


def service_error_text(error: ServiceError) -> str:
    """Every message of the error, as one line."""
    if isinstance(error, PermissionDenied):
        return str(error) or _("You may not do this.")
    return " ".join(error.messages)


def add_service_errors(form: forms.BaseForm, error: ServiceError) -> None:
    """Show a service's errors on the fields they name, the rest above the form."""
    if not isinstance(error, ValidationError) or not hasattr(error, "error_dict"):
        form.add_error(None, service_error_text(error))
        return
    for name, field_messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, field_messages)


def message_service_errors(request: HttpRequest, error: ServiceError) -> None:
    """Show a service's errors on the page the user is sent to next."""
    messages.error(request, service_error_text(error))
