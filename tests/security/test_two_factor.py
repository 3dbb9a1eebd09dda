"""Staff enrol an authenticator app and /admin/ then asks for its code."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():06d}"


@pytest.fixture
def staff_client():
    user = UserFactory(username="admin-2fa", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return user, client


def test_enrolment_shows_a_qr_code_and_the_secret_and_confirms_with_a_code(staff_client):
    user, client = staff_client
    page = client.get(reverse("accounts:two-factor-enrol"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    assert page.status_code == 200
    assert "<svg" in page.text and "</svg>" in page.text
    secret = page.context["secret"].replace(" ", "")
    assert secret and secret in page.text.replace(" ", "")

    response = client.post(reverse("accounts:two-factor-enrol"), {"code": _code(device)})

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_a_wrong_code_does_not_confirm_the_device(staff_client):
    user, client = staff_client
    client.get(reverse("accounts:two-factor-enrol"))
    device = TOTPDevice.objects.get(user=user)

    response = client.post(reverse("accounts:two-factor-enrol"), {"code": _code(device, 10)})

    assert response.status_code == 200
    assert "That code is not the current one." in response.text
    device.refresh_from_db()
    assert not device.confirmed


def test_a_malformed_code_gets_a_specific_message(staff_client):
    _user, client = staff_client
    response = client.post(reverse("accounts:two-factor-enrol"), {"code": "12ab"})

    assert "Enter the 6-digit code your authenticator app shows." in response.text


@override_settings(REQUIRE_STAFF_2FA=True)
def test_admin_sends_staff_without_a_device_to_enrol_with_a_message(staff_client):
    _user, client = staff_client

    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("accounts:two-factor-enrol"))
    assert "The administration site needs two-factor sign-in." in response.text


@override_settings(REQUIRE_STAFF_2FA=True)
def test_admin_asks_an_enrolled_user_for_a_code_then_lets_them_in(staff_client):
    user, client = staff_client
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    redirected = client.get(reverse("admin:index"))
    assert redirected.status_code == 302
    assert redirected["Location"].startswith(reverse("accounts:two-factor-verify"))

    wrong = client.post(
        reverse("accounts:two-factor-verify"), {"code": _code(device, 10), "next": "/admin/"}
    )
    assert wrong.status_code == 200
    assert "That code is not valid." in wrong.text
    assert client.get(reverse("admin:index")).status_code == 302
    # Straight after a wrong code even the right one waits: guessing is throttled.
    throttled = client.post(
        reverse("accounts:two-factor-verify"), {"code": _code(device), "next": "/admin/"}
    )
    assert "Too many wrong codes." in throttled.text
    device.refresh_from_db()
    device.throttle_reset()

    right = client.post(
        reverse("accounts:two-factor-verify"), {"code": _code(device), "next": "/admin/"}
    )
    assert right.status_code == 302 and right["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


@override_settings(REQUIRE_STAFF_2FA=True)
def test_the_admin_login_page_stays_reachable_and_password_sign_in_leads_to_the_second_step():
    UserFactory(username="fresh-staff", is_staff=True)
    client = Client()

    assert client.get(reverse("admin:login")).status_code == 200
    response = client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": "fresh-staff", "password": "correct horse battery staple"},
        follow=True,
    )

    assert response.redirect_chain[-1][0].startswith(reverse("accounts:two-factor-enrol"))


@override_settings(REQUIRE_STAFF_2FA=False)
def test_without_the_setting_admin_needs_no_second_factor(staff_client):
    _user, client = staff_client
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_open_redirect_in_next_is_ignored(staff_client):
    user, client = staff_client
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    response = client.post(
        reverse("accounts:two-factor-verify"),
        {"code": _code(device), "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("admin:index")
