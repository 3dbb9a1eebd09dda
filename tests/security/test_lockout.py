"""Failed sign-ins lock a username from one address for the cool-off, on every login form."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from providers.tokens import api_token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _fail(client: Client, url: str, username: str, times: int) -> list[int]:
    return [
        client.post(url, {"username": username, "password": "wrong"}).status_code
        for _attempt in range(times)
    ]


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_the_right_password_is_refused_after_the_failure_limit(url_name):
    """Both the site's and the admin's form lock out, and say so with a cool-off."""
    user = UserFactory(username="locked", is_staff=True)
    client = Client()
    url = reverse(url_name)

    codes = _fail(client, url, user.username, settings.AXES_FAILURE_LIMIT)
    response = client.post(url, {"username": user.username, "password": PASSWORD})

    assert codes[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert codes[-1] == 429
    assert response.status_code == 429
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "Signing in is paused for this account from your address." in response.text
    assert "Try again in 15 minutes." in response.text
    assert "_auth_user_id" not in client.session


def test_the_lockout_message_is_in_chinese_on_chinese_pages():
    user = UserFactory(username="locked-zh")
    client = Client()

    _fail(client, "/zh-hant/accounts/login/", user.username, settings.AXES_FAILURE_LIMIT)
    response = client.post(
        "/zh-hant/accounts/login/", {"username": user.username, "password": PASSWORD}
    )

    assert response.status_code == 429
    assert "此帳戶從你的網絡位址登入已暫停。" in response.text
    assert "請於 15 分鐘後再試。" in response.text


def test_the_lockout_is_per_username_and_address():
    """Another address, or another username from the same address, still signs in."""
    victim = UserFactory(username="victim")
    other = UserFactory(username="bystander")
    _fail(Client(REMOTE_ADDR="203.0.113.9"), reverse("login"), "victim", 5)

    from_elsewhere = Client(REMOTE_ADDR="198.51.100.7").post(
        reverse("login"), {"username": victim.username, "password": PASSWORD}
    )
    same_address_other_user = Client(REMOTE_ADDR="203.0.113.9").post(
        reverse("login"), {"username": other.username, "password": PASSWORD}
    )

    assert from_elsewhere.status_code == 302
    assert same_address_other_user.status_code == 302


def test_signing_in_works_again_after_the_cool_off():
    user = UserFactory(username="patient")
    client = Client()
    _fail(client, reverse("login"), user.username, settings.AXES_FAILURE_LIMIT)
    AccessAttempt.objects.filter(username=user.username).update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    )

    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302


def test_a_spoofed_forwarded_for_header_does_not_escape_the_lockout():
    """With no trusted proxy configured, X-Forwarded-For is the client's own text."""
    user = UserFactory(username="spoofer")
    url = reverse("login")
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client(HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").post(
            url, {"username": user.username, "password": "wrong"}
        )

    response = Client(HTTP_X_FORWARDED_FOR="10.9.9.9").post(
        url, {"username": user.username, "password": PASSWORD}
    )

    assert response.status_code == 429


def test_api_tokens_still_work_for_a_locked_out_username():
    user = UserFactory(username="scripted")
    _token, key = api_token_create(user=user, name="nightly")
    _fail(Client(), reverse("login"), user.username, settings.AXES_FAILURE_LIMIT)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get(reverse("api:api-token-list"))

    assert response.status_code == 200
