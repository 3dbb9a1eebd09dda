import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_counters():
    """Rate-limit counters and manage-mail marks live in Redis, across test runs too."""
    cache.clear()
    yield
    cache.clear()
