"""Two-factor pages: enrol an authenticator app, and the second sign-in step."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from config.forms import add_service_errors

from .forms import CodeForm
from .two_factor import (
    has_confirmed_device,
    provisioning_svg,
    secret_text,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_verify,
)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Show a QR code and the secret for a new device; confirm it with a code."""
    if has_confirmed_device(request.user) and request.method == "GET":
        return render(request, "accounts/two_factor_enrolled.html", {"next": _next_url(request)})
    device = totp_enrolment_start(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = totp_enrolment_confirm(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is on for your account."))
            return redirect(_next_url(request))
    context = {
        "form": form,
        "qr_svg": provisioning_svg(device),
        "secret": secret_text(device),
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_enrol.html", context)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step: a current code from the enrolled app."""
    if not has_confirmed_device(request.user):
        return redirect(f"{reverse('accounts:two-factor-enrol')}?next={_next_url(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = totp_verify(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            otp_login(request, device)
            return redirect(_next_url(request))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )
