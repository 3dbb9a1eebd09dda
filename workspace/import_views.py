"""Upload a register file and follow its import; the work runs in a Celery worker."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from config.forms import add_service_errors
from config.types import AuthenticatedHttpRequest
from imports.choices import ImportState
from imports.forms import ImportForm
from imports.models import ImportJob
from imports.starting import import_start
from providers.choices import MembershipRole
from providers.models import Provider
from providers.roles import is_registry_admin, provider_ids


def _importable_providers(user) -> QuerySet[Provider]:
    providers = Provider.objects.order_by("name_en")
    if is_registry_admin(user):
        return providers
    return providers.filter(pk__in=provider_ids(user, roles=(MembershipRole.ADMIN,)))


def _jobs(user) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.defer("content").select_related("provider", "requested_by")
    if is_registry_admin(user):
        return jobs
    return jobs.filter(provider_id__in=provider_ids(user, roles=(MembershipRole.ADMIN,)))


@login_required
def imports(request: AuthenticatedHttpRequest) -> HttpResponse:
    providers = _importable_providers(request.user)
    if not (is_registry_admin(request.user) or providers.exists()):
        raise PermissionDenied(_("Only provider administrators and registry staff import."))
    form = ImportForm(request.POST or None, request.FILES or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_start(
                actor=request.user,
                format=form.cleaned_data["format"],
                content=upload.read(),
                filename=upload.name,
                provider=form.cleaned_data["provider"],
                dry_run=form.cleaned_data["dry_run"],
                skip_bad_rows=form.cleaned_data["skip_bad_rows"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("File received; the import is queued."))
            return redirect("workspace:import", pk=job.pk)
    return render(
        request,
        "workspace/imports.html",
        {"form": form, "jobs": _jobs(request.user).order_by("-created_at")[:30]},
    )


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(_jobs(request.user), pk=pk)
    template = (
        "workspace/partials/import_progress.html"
        if request.headers.get("HX-Request")
        else "workspace/import_detail.html"
    )
    return render(
        request,
        template,
        {"job": job, "running": job.state in (ImportState.QUEUED, ImportState.RUNNING)},
    )
