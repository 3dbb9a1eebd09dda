"""Rate limits answer 429 with Retry-After, in the API's error format and on the HTML search."""

import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
import redis
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from config.throttling import AnonymousBrowseThrottle
from tests.config.processes import free_port
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


def _browse_throttle(now: float) -> AnonymousBrowseThrottle:
    throttle = AnonymousBrowseThrottle()
    throttle.timer = lambda: now  # type: ignore[method-assign]
    return throttle


def _anonymous_get(address: str):
    request = RequestFactory().get("/api/v1/credentials/", REMOTE_ADDR=address)
    request.user = AnonymousUser()
    return request


@override_settings(THROTTLE_RATES={**RATES, "browse": "2/minute"})
def test_a_request_counts_for_the_window_after_it_then_no_longer():
    """DRF's sliding window: refused while two requests are younger than a minute."""
    request = _anonymous_get("203.0.113.10")
    allowed = [_browse_throttle(1000.0 + t).allow_request(request, None) for t in (0, 30)]
    refused = _browse_throttle(1059.0)
    refused_at_59_seconds = refused.allow_request(request, None)
    allowed_after = _browse_throttle(1060.5).allow_request(request, None)

    assert allowed == [True, True]
    assert refused_at_59_seconds is False
    assert refused.wait() == pytest.approx(1.0)
    assert allowed_after is True


@override_settings(THROTTLE_RATES={**RATES, "browse": "5/minute"})
def test_requests_at_the_same_moment_are_each_counted():
    """Twenty at once from one address: exactly the limit get through, none lost to a race."""
    request = _anonymous_get("203.0.113.11")
    start = threading.Barrier(20)

    def attempt() -> bool:
        start.wait()
        return AnonymousBrowseThrottle().allow_request(request, None)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _index: attempt(), range(20)))

    assert results.count(True) == 5


@override_settings(THROTTLE_RATES={**RATES, "browse": "100/minute"})
def test_a_counted_request_is_one_redis_round_trip():
    request = _anonymous_get("203.0.113.12")
    AnonymousBrowseThrottle().allow_request(request, None)  # loads the script on the server
    with mock.patch.object(
        redis.Redis, "execute_command", autospec=True, side_effect=redis.Redis.execute_command
    ) as sent:
        counted = AnonymousBrowseThrottle().allow_request(request, None)

    assert counted is True
    assert [call.args[1] for call in sent.call_args_list] == ["EVALSHA"]


def test_with_the_cache_redis_unreachable_requests_go_through(settings):
    """The limit fails open, as the cache does: a Redis outage must not refuse every search."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    }
    client = APIClient(REMOTE_ADDR="203.0.113.13")

    codes = [client.get(reverse("api:level-list")).status_code for _request in range(5)]

    assert codes == [200] * 5
