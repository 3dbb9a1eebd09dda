"""Public pages: the registry's DID document and the "verify a statement" form."""

import logging

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from config.forms import add_service_errors
from config.throttling import html_rate_limit

from .choices import RESULT_MESSAGES
from .did import did_document, registry_did
from .forms import StatementForm
from .keys import SigningKeyError
from .services import statement_verify

logger = logging.getLogger(__name__)


@require_GET
def did_json(request: HttpRequest) -> HttpResponse:
    """The did:web document: every published key, for anyone to check statements with."""
    try:
        document = did_document(did=registry_did(request))
    except SigningKeyError:
        logger.exception("The signing keys cannot be read")
        document = None
    if not document or not document["verificationMethod"]:
        return JsonResponse({"detail": _("The registry has no signing key yet.")}, status=503)
    response = JsonResponse(document, content_type="application/did+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_http_methods(["GET", "POST"])
@html_rate_limit("verify")
def verify_statement(request: HttpRequest) -> HttpResponse:
    """Paste a statement; hear whether it holds, and about which record."""
    check = None
    form = StatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check = statement_verify(
                token=form.cleaned_data["statement"], did=registry_did(request)
            )
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "statements/verify.html",
        {
            "form": form,
            "check": check,
            "message": RESULT_MESSAGES[check.result] if check else "",
        },
        status=400 if request.method == "POST" and check is None else 200,
    )
