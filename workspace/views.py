"""Provider workspace pages: dashboard, record authoring, lifecycle moves, API tokens."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Field
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.forms import add_service_errors, message_service_errors
from config.types import AuthenticatedHttpRequest
from credentials.access import credentials_for_workspace
from credentials.choices import CredentialStatus
from credentials.completeness import credential_completeness
from credentials.display import version_change_lines
from credentials.lifecycle import LOCKED_STATUSES, Actor, allowed_targets
from credentials.models import Credential
from credentials.services import (
    credential_create,
    credential_request_change,
    credential_transition,
    credential_update,
)
from providers.choices import MembershipRole
from providers.models import ApiToken, Provider
from providers.roles import is_registry_admin, provider_ids
from providers.tokens import api_token_create, api_token_revoke, token_expiry_from_date

from .forms import (
    CredentialForm,
    PathwayComponentForm,
    PathwayForm,
    RecognitionForm,
    RegistryRequestForm,
    TransitionForm,
)
from .selectors import provider_dashboard


def _workspace_providers(user) -> list[Provider]:
    providers = Provider.objects.order_by("name_en")
    if not is_registry_admin(user):
        providers = providers.filter(pk__in=provider_ids(user))
    return list(providers)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    providers = _workspace_providers(request.user)
    if is_registry_admin(request.user) and "provider" not in request.GET:
        providers = providers[:0]
    elif "provider" in request.GET:
        providers = [p for p in providers if str(p.pk) == request.GET["provider"]]
    return render(
        request,
        "workspace/dashboard.html",
        {"dashboards": [provider_dashboard(provider=provider) for provider in providers]},
    )


@login_required
def credential_list(request: HttpRequest) -> HttpResponse:
    credentials = credentials_for_workspace(request.user).order_by("-updated_at")
    # A status the register does not know lists everything, as no filter would; it never
    # reaches the query (a NUL byte there was a 500).
    status = request.GET.get("status")
    if status not in CredentialStatus.values:
        status = None
    if status:
        credentials = credentials.filter(status=status)
    return render(
        request,
        "workspace/credential_list.html",
        {"credentials": credentials[:200], "status": status},
    )


@login_required
def credential_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    providers = _workspace_providers(request.user)
    if not providers:
        raise PermissionDenied(_("You are not a member of any provider."))
    chosen = request.POST.get("provider") or request.GET.get("provider")
    provider = next((p for p in providers if str(p.pk) == chosen), None) if chosen else providers[0]
    if provider is None:
        raise Http404(_("No such provider in your workspace."))
    form = CredentialForm(request.POST or None, registry_admin=is_registry_admin(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            credential = credential_create(
                actor=request.user, provider=provider, values=form.values()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("workspace:credential", pk=credential.pk)
    return render(
        request,
        "workspace/credential_form.html",
        {"form": form, "provider": provider, "providers": providers, "credential": None},
    )


@login_required
def credential_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    credential = get_object_or_404(credentials_for_workspace(request.user), pk=pk)
    form = CredentialForm(
        request.POST or None, instance=credential, registry_admin=is_registry_admin(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = credential_update(
                actor=request.user,
                credential=credential,
                values=form.values(),
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if result.change_request:
                messages.info(
                    request,
                    _(
                        "Sent for approval: the changes to %(fields)s apply once a registry "
                        "administrator approves them."
                    )
                    % {"fields": _field_labels(result.change_request.changes)},
                )
            if result.version:
                messages.success(
                    request, _("Saved as version %(n)s.") % {"n": result.version.number}
                )
            if not (result.version or result.change_request):
                messages.info(request, _("Nothing changed."))
            return redirect("workspace:credential", pk=credential.pk)
    return render(
        request,
        "workspace/credential_form.html",
        {"form": form, "provider": credential.provider, "credential": credential},
    )


def _field_labels(names) -> str:
    return ", ".join(
        str(cast(Field, Credential._meta.get_field(name)).verbose_name) for name in sorted(names)
    )


@login_required
def credential_detail(request: HttpRequest, pk: int) -> HttpResponse:
    credential = get_object_or_404(credentials_for_workspace(request.user), pk=pk)
    capacity = Actor.REGISTRY_ADMIN if is_registry_admin(request.user) else Actor.PROVIDER_ADMIN
    may_move = is_registry_admin(request.user) or credential.provider_id in provider_ids(
        request.user, roles=(MembershipRole.ADMIN,)
    )
    return render(
        request,
        "workspace/credential_detail.html",
        {
            "credential": credential,
            "report": credential_completeness(credential=credential),
            "versions": version_change_lines(
                list(credential.versions.select_related("actor").order_by("-number"))
            ),
            "change_requests": credential.change_requests.all(),
            "targets": allowed_targets(credential.status, capacity) if may_move else [],
            "editable": credential.status not in LOCKED_STATUSES,
            "pathways": credential.pathways_as_award.prefetch_related("memberships__credential"),
            "recognitions": credential.recognised_into.select_related("credential__provider"),
            "pathway_form": PathwayForm(),
            "component_form": PathwayComponentForm(),
            "recognition_form": RecognitionForm(),
            "registry_request_form": _registry_request_form(credential),
            "may_ask": may_move and not is_registry_admin(request.user),
        },
    )


def _registry_request_form(credential, data=None) -> RegistryRequestForm:
    initial = {
        name: getattr(credential, name) for name in ("valid_from", "valid_to", "teach_out_ends_on")
    }
    initial["quality_marks"] = list(credential.quality_marks)
    return RegistryRequestForm(data, initial=initial)


@login_required
@require_POST
def credential_ask(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A provider administrator asks the registry to change a fact it owns."""
    credential = get_object_or_404(credentials_for_workspace(request.user), pk=pk)
    form = _registry_request_form(credential, request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(m) for ms in form.errors.values() for m in ms))
        return redirect("workspace:credential", pk=pk)
    try:
        change_request = credential_request_change(
            actor=request.user,
            credential=credential,
            values=form.values(),
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, PermissionDenied) as error:
        text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
    else:
        messages.success(
            request,
            _("Sent for approval: the registry will decide on %(fields)s.")
            % {"fields": _field_labels(change_request.changes)},
        )
    return redirect("workspace:credential", pk=pk)


@login_required
@require_POST
def credential_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    credential = get_object_or_404(credentials_for_workspace(request.user), pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        problems = [str(m) for name, ms in form.errors.items() if name != "to_status" for m in ms]
        messages.error(request, "; ".join(problems) or _("Choose a valid status."))
        return redirect("workspace:credential", pk=pk)
    try:
        credential_transition(actor=request.user, credential=credential, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        message_service_errors(request, error)
    else:
        messages.success(request, _("Status changed."))
    return redirect("workspace:credential", pk=pk)


@login_required
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    new_key = None
    error = None
    if request.method == "POST":
        try:
            _token, new_key = api_token_create(
                user=request.user,
                name=request.POST.get("name", ""),
                expires_at=token_expiry_from_date(request.POST.get("expires_on", "")),
            )
        except ValidationError as exc:
            error = "; ".join(exc.messages)
    return render(
        request,
        "workspace/tokens.html",
        {
            "tokens": ApiToken.objects.filter(user=request.user),
            "new_key": new_key,
            "error": error,
        },
    )


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(user=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("workspace:tokens")
