"""The cache lives in a Redis database of its own and is optional: Redis down, pages still 200."""

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from config.redis_urls import redis_db_url
from tests.factories import CredentialFactory

from .redis_process import redis_process

pytestmark = pytest.mark.django_db


def test_cache_broker_and_status_state_use_three_databases():
    urls = {
        settings.CELERY_BROKER_URL,
        settings.CACHES["default"]["LOCATION"],
        settings.STATUS_CHECK_REDIS_URL,
    }
    assert len(urls) == 3


def test_clearing_the_cache_leaves_the_broker_alone():
    """cache.clear() is FLUSHDB on the cache's database only: queued work survives it."""
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.set("registry-test:survives-cache-clear", "1")
    cache.set("registry-test:cached", "1")
    try:
        cache.clear()

        assert cache.get("registry-test:cached") is None
        assert broker.get("registry-test:survives-cache-clear") == b"1"
    finally:
        broker.delete("registry-test:survives-cache-clear")
        broker.close()


def test_redis_urls_derive_distinct_databases():
    assert redis_db_url("redis://:pw@redis:6379/4", 1) == "redis://:pw@redis:6379/5"
    assert redis_db_url("redis://redis:6379", 2) == "redis://redis:6379/2"
    with pytest.raises(ValueError, match="database 16, past 15"):
        redis_db_url("redis://redis:6379/14", 2)
    with pytest.raises(ValueError, match="not a number"):
        redis_db_url("redis://redis:6379/cache", 1)


def test_pages_answer_200_once_the_cache_redis_is_stopped(client, settings, tmp_path):
    """The home page and the browse API use the cache while it runs, compute once it is gone."""
    CredentialFactory.create_batch(3)
    with redis_process(tmp_path) as server:
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": server.url, "KEY_PREFIX": ""}
        }
        home = reverse("credentials:home")
        browse = reverse("api:credential-list")
        assert client.get(home).status_code == 200
        assert client.get(browse).status_code == 200
        used = redis.Redis.from_url(server.url)
        assert used.dbsize() > 0, "the pages did not use the cache at all"
        used.close()

        server.stop()

        home_response = client.get(home)
        browse_response = client.get(browse)

    assert home_response.status_code == 200
    assert browse_response.status_code == 200
    assert browse_response.json()["count"] == 3


def test_cache_calls_share_one_redis_client_per_pool():
    """Django builds a client per call; this cache reuses it, and it still reads and writes."""
    cache.set("registry-test:shared-client", "1")

    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    assert cache.get("registry-test:shared-client") == "1"
