import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_counters():
    """Rate-limit counters live in Redis and outlast a test's transaction: start from none."""
    cache.clear()
    yield
    cache.clear()
