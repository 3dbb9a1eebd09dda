"""Rate limits answer 429 with Retry-After, in the API's error format and on the HTML search."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RATES = {"browse": "3/minute", "export": "1/hour", "write": "2/minute", "token": "1/hour"}


@pytest.fixture(autouse=True)
def tight_rates():
    with override_settings(THROTTLE_RATES=RATES):
        yield


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    detail = response.json()["detail"]
    assert detail.startswith("Request was throttled.")


def test_anonymous_searches_are_limited_per_address():
    client = APIClient(REMOTE_ADDR="203.0.113.1")
    url = reverse("api:credential-list")

    codes = [client.get(url).status_code for _request in range(3)]
    _assert_throttled(client.get(url))
    other_address = APIClient(REMOTE_ADDR="203.0.113.2").get(url)

    assert codes == [200, 200, 200]
    assert other_address.status_code == 200


def test_signed_in_reads_are_not_counted_as_anonymous_browsing():
    client = APIClient()
    client.force_authenticate(UserFactory())
    url = reverse("api:provider-list")

    assert {client.get(url).status_code for _request in range(5)} == {200}


def test_exports_have_their_own_stricter_limit():
    client = APIClient()

    first = client.get(reverse("api:credential-list"), {"format": "csv"})
    _assert_throttled(client.get(reverse("api:export-register")))
    search = client.get(reverse("api:credential-list"))

    assert first.status_code == 200
    assert search.status_code == 200


def test_signed_in_writes_are_limited_per_user():
    client = APIClient()
    client.force_authenticate(UserFactory())
    url = reverse("api:workspace-credential-list")

    codes = [client.post(url, {}, format="json").status_code for _request in range(2)]
    _assert_throttled(client.post(url, {}, format="json"))

    assert 429 not in codes


def test_token_creation_is_limited():
    client = APIClient()
    client.force_authenticate(UserFactory())
    url = reverse("api:api-token-list")

    first = client.post(url, {"name": "one"}, format="json")
    _assert_throttled(client.post(url, {"name": "two"}, format="json"))

    assert first.status_code == 201


def test_the_html_search_shares_the_browse_limit_and_answers_a_429_page():
    client = Client(REMOTE_ADDR="203.0.113.3")
    APIClient(REMOTE_ADDR="203.0.113.3").get(reverse("api:credential-list"))

    codes = [client.get(reverse("credentials:search")).status_code for _request in range(2)]
    response = client.get(reverse("credentials:search"))

    assert codes == [200, 200]
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Too many requests" in response.text


@override_settings(THROTTLE_RATES={**RATES, "browse": None})
def test_a_blank_rate_turns_a_limit_off():
    client = APIClient()

    assert {client.get(reverse("api:level-list")).status_code for _request in range(5)} == {200}
