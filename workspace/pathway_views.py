"""Workspace actions on a record's stacking pathways and credit-recognition agreements."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.forms import ServiceError, message_service_errors
from config.types import AuthenticatedHttpRequest
from credentials.access import credentials_for_workspace
from credentials.models import Credential, Pathway
from credentials.pathways import pathway_add_component, pathway_create, recognition_agreement_create
from credentials.selectors import credential_by_number

from .forms import PathwayComponentForm, PathwayForm, RecognitionForm


def _report(request: HttpRequest, form, error: ServiceError | None, success: str) -> None:
    if error is not None:
        message_service_errors(request, error)
    elif form.is_valid():
        messages.success(request, success)
    else:
        problems = [f"{field}: {' '.join(errs)}" for field, errs in form.errors.items()]
        messages.error(request, "; ".join(problems))


def _find(number: str) -> Credential:
    found = credential_by_number(number)
    if found is None:
        raise ValidationError(_("No credential with registration number “%(n)s”.") % {"n": number})
    return found


@login_required
@require_POST
def pathway_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    award = get_object_or_404(credentials_for_workspace(request.user), pk=pk)
    form = PathwayForm(request.POST)
    error = None
    if form.is_valid():
        try:
            pathway_create(actor=request.user, award=award, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            error = exc
    _report(request, form, error, _("Pathway created."))
    return redirect("workspace:credential", pk=pk)


@login_required
@require_POST
def pathway_component_new(
    request: AuthenticatedHttpRequest, pk: int, pathway_pk: int
) -> HttpResponse:
    award = get_object_or_404(credentials_for_workspace(request.user), pk=pk)
    pathway = get_object_or_404(Pathway, pk=pathway_pk, award=award)
    form = PathwayComponentForm(request.POST)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            pathway_add_component(
                actor=request.user,
                pathway=pathway,
                credential=_find(data["registration_number"]),
                credits_counted=data["credits_counted"],
                is_required=data["is_required"],
            )
        except (ValidationError, PermissionDenied) as exc:
            error = exc
    _report(request, form, error, _("Credential added to the pathway."))
    return redirect("workspace:credential", pk=pk)


@login_required
@require_POST
def recognition_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(credentials_for_workspace(request.user), pk=pk)
    form = RecognitionForm(request.POST)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            recognition_agreement_create(
                actor=request.user,
                recognising_provider=target.provider,
                credential=_find(data["registration_number"]),
                target_credential=target,
                credits_recognised=data["credits_recognised"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                notes=data["notes"],
            )
        except (ValidationError, PermissionDenied) as exc:
            error = exc
    _report(request, form, error, _("Recognition agreement recorded."))
    return redirect("workspace:credential", pk=pk)
