"""API tokens may expire; last_used_at is written at most once a minute."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from providers.models import ApiToken
from providers.tokens import api_token_create, api_token_touch, token_expiry_from_date
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_an_expired_token_is_refused_with_a_401_saying_so():
    user = UserFactory()
    token, key = api_token_create(
        user=user, name="temp", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    response = _client(key).get(reverse("api:api-token-list"))

    assert response.status_code == 401
    assert response.json()["detail"].startswith("This token expired on ")
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_before_its_expiry_works():
    user = UserFactory()
    _token, key = api_token_create(
        user=user, name="temp", expires_at=timezone.now() + datetime.timedelta(hours=1)
    )

    assert _client(key).get(reverse("api:api-token-list")).status_code == 200


def test_an_expiry_in_the_past_is_refused_and_creates_nothing():
    user = UserFactory()
    with pytest.raises(ValidationError, match=r"The expiry must be in the future\."):
        api_token_create(
            user=user, name="late", expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    assert not ApiToken.objects.filter(user=user).exists()


def test_the_api_accepts_an_expiry():
    client = APIClient()
    client.force_authenticate(UserFactory())
    when = (timezone.now() + datetime.timedelta(days=30)).replace(microsecond=0)

    response = client.post(
        reverse("api:api-token-list"), {"name": "ci", "expires_at": when.isoformat()}, format="json"
    )

    assert response.status_code == 201
    assert ApiToken.objects.get(pk=response.json()["id"]).expires_at == when
    assert response.json()["key"]


def test_the_api_refuses_a_past_expiry_with_a_field_message():
    client = APIClient()
    client.force_authenticate(UserFactory())

    response = client.post(
        reverse("api:api-token-list"),
        {"name": "ci", "expires_at": "2020-01-01T00:00:00Z"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"expires_at": ["The expiry must be in the future."]}


def test_the_workspace_form_accepts_an_expiry_date(client):
    user = UserFactory()
    client.force_login(user)

    client.post(reverse("workspace:tokens"), {"name": "laptop", "expires_on": "2099-12-31"})
    bad = client.post(reverse("workspace:tokens"), {"name": "x", "expires_on": "31/12/2099"})

    token = ApiToken.objects.get(user=user)
    assert timezone.localtime(token.expires_at).date() == datetime.date(2099, 12, 31)
    assert "Give the expiry date as YYYY-MM-DD." in bad.text


def test_end_of_day_expiry():
    expiry = token_expiry_from_date("2099-01-02")
    local = timezone.localtime(expiry)
    assert (local.date(), local.hour, local.minute) == (datetime.date(2099, 1, 2), 23, 59)
    assert token_expiry_from_date("  ") is None


def test_last_used_is_written_at_most_once_a_minute():
    user = UserFactory()
    token, _key = api_token_create(user=user, name="busy")
    start = timezone.now()

    first = api_token_touch(token=token, now=start)
    soon = api_token_touch(token=token, now=start + datetime.timedelta(seconds=59))
    later = api_token_touch(token=token, now=start + datetime.timedelta(seconds=61))

    assert (first, soon, later) == (True, False, True)
    token.refresh_from_db()
    assert token.last_used_at == start + datetime.timedelta(seconds=61)


def test_repeated_requests_within_a_minute_do_not_update_the_row(django_assert_num_queries):
    user = UserFactory()
    _token, key = api_token_create(user=user, name="busy")
    client = _client(key)
    client.get(reverse("api:api-token-list"))
    used = ApiToken.objects.get(user=user).last_used_at

    client.get(reverse("api:api-token-list"))

    assert ApiToken.objects.get(user=user).last_used_at == used
