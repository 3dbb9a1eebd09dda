"""/admin/ asks staff for their second factor when REQUIRE_STAFF_2FA is on."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .two_factor import has_confirmed_device, two_factor_required_for

# The admin's own sign-in and sign-out pages stay reachable without a second factor.
EXEMPT_ADMIN_VIEWS = ("login", "logout")


class StaffTwoFactorMiddleware:
    """Send an unverified staff session from /admin/ to enrol or to the second step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.REQUIRE_STAFF_2FA and self._guards(request):
            user = request.user
            if two_factor_required_for(user) and not user.is_verified():
                query = urlencode({"next": request.get_full_path()})
                if has_confirmed_device(user):
                    return redirect(f"{reverse('accounts:two-factor-verify')}?{query}")
                messages.info(
                    request,
                    _(
                        "The administration site needs two-factor sign-in. Set up an "
                        "authenticator app below, then continue."
                    ),
                )
                return redirect(f"{reverse('accounts:two-factor-enrol')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _guards(request: HttpRequest) -> bool:
        admin_root = reverse("admin:index")
        if not request.path.startswith(admin_root):
            return False
        exempt = {reverse(f"admin:{name}") for name in EXEMPT_ADMIN_VIEWS}
        return request.path not in exempt
