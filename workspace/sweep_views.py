"""Registry administrators start status sweeps and watch them run."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from config.forms import message_service_errors
from config.types import AuthenticatedHttpRequest
from credentials.selectors import credential_by_number
from providers.models import Provider
from status_checks.choices import SweepScope, SweepState
from status_checks.models import StatusSweep
from status_checks.services import status_sweep_start

RECENT_SWEEPS = 20


def _recent() -> list[StatusSweep]:
    return list(
        StatusSweep.objects.select_related("provider", "credential", "requested_by")[:RECENT_SWEEPS]
    )


@staff_member_required(login_url="login")
def sweeps(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        scope = request.POST.get("scope", "")
        try:
            provider = credential = None
            if scope == SweepScope.PROVIDER:
                provider = Provider.objects.filter(slug=request.POST.get("provider", "")).first()
                if provider is None:
                    raise ValidationError(_("No provider with that slug."))
            elif scope == SweepScope.CREDENTIAL:
                number = request.POST.get("credential", "")
                credential = credential_by_number(number)
                if credential is None:
                    raise ValidationError(_("No credential with that registration number."))
            status_sweep_start(
                actor=request.user, scope=scope, provider=provider, credential=credential
            )
        except ValidationError as error:
            message_service_errors(request, error)
        else:
            messages.success(request, _("Sweep queued."))
        return redirect("workspace:sweeps")
    recent = _recent()
    template = (
        "workspace/partials/sweep_rows.html"
        if request.headers.get("HX-Request")
        else "workspace/sweeps.html"
    )
    return render(
        request,
        template,
        {
            "sweeps": recent,
            "running": any(s.state in (SweepState.QUEUED, SweepState.RUNNING) for s in recent),
            "providers": Provider.objects.order_by("name_en").only("slug", "name_en"),
        },
    )
