"""TOTP second factor for staff: enrol a device, confirm it with a code, verify at sign-in."""

from base64 import b32encode

import segno
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

# One enrolment in progress per person; confirming it makes it the device used at sign-in.
PENDING_NAME = "authenticator app"


def two_factor_required_for(user: AbstractBaseUser) -> bool:
    """Staff and registry administrators are the accounts /admin/ lets in."""
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def has_confirmed_device(user: AbstractBaseUser) -> bool:
    """Whether the user has finished enrolling an authenticator."""
    return any(True for _device in devices_for_user(user, confirmed=True))


@transaction.atomic
def totp_enrolment_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """Return the user's unconfirmed device, creating one with a fresh secret if none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=PENDING_NAME, confirmed=False)
    return device


def _refuse_if_throttled(device: TOTPDevice) -> None:
    # django-otp doubles the wait after each wrong code, so guessing 10^6 codes is hopeless.
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        raise ValidationError(
            {"code": _("Too many wrong codes. Wait a few seconds, then enter the current one.")}
        )


def _clean_code(code: str) -> str:
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        raise ValidationError({"code": _("Enter the 6-digit code your authenticator app shows.")})
    return code


@transaction.atomic
def totp_enrolment_confirm(*, user: AbstractBaseUser, code: str) -> TOTPDevice:
    """Confirm the pending device with a current code from the app."""
    code = _clean_code(code)
    device = (
        TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk")
    ).first()
    if device is None:
        raise ValidationError(_("There is no enrolment in progress: start again."))
    _refuse_if_throttled(device)
    if not device.verify_token(code):
        raise ValidationError(
            {"code": _("That code is not the current one. Check the time on your phone.")}
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def totp_verify(*, user: AbstractBaseUser, code: str) -> TOTPDevice:
    """Return the confirmed device that accepts the code, or raise."""
    code = _clean_code(code)
    for device in devices_for_user(user, confirmed=True):
        _refuse_if_throttled(device)
        if device.verify_token(code):
            return device
    raise ValidationError({"code": _("That code is not valid. Enter the current one.")})


def provisioning_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG QR code (no image request, no script)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#111", light="#fff")


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, grouped in fours, for apps that cannot scan a code."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
