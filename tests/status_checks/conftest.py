import datetime
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils import timezone

from config.redis_state import shared_redis
from status_checks.adapters import published_file

from .register_stub import RegisterStub

# Small numbers so that retries, backoff and the circuit breaker play out in milliseconds.
FAST_HTTP = {
    "CONNECT_TIMEOUT": 0.5,
    "READ_TIMEOUT": 0.4,
    "MAX_RETRIES": 2,
    "BACKOFF_BASE": 0.02,
    "BACKOFF_MAX": 0.1,
    "RETRY_AFTER_MAX": 2.0,
    "RATE_LIMIT_PER_SECOND": 1000,
    "CIRCUIT_FAILURE_THRESHOLD": 3,
    "CIRCUIT_FAILURE_WINDOW": 60,
    "CIRCUIT_RESET_TIMEOUT": 30,
}


def fast_http_env(stub: RegisterStub) -> dict[str, str]:
    """The same settings for a worker process, through the environment it reads them from."""
    return {
        "STATUS_CHECK_OFQUAL_API_URL": stub.url,
        "STATUS_CHECK_HKQR_FILE_URL": stub.url + "register.csv",
        **{f"STATUS_CHECK_{name}": str(value) for name, value in FAST_HTTP.items()},
    }


@pytest.fixture(scope="session")
def register_stub() -> Iterator[RegisterStub]:
    stub = RegisterStub().start()
    yield stub
    stub.stop()


@pytest.fixture(autouse=True)
def status_check_settings(settings, register_stub: RegisterStub) -> Iterator[RegisterStub]:
    """Point the registers at the loopback stub and start every test from a clean slate."""
    register_stub.reset()
    settings.STATUS_CHECK_HTTP = dict(FAST_HTTP)
    registers = {name: dict(config) for name, config in settings.STATUS_CHECK_REGISTERS.items()}
    registers["ofqual"]["BASE_URL"] = register_stub.url
    registers["hkqr"]["URL"] = register_stub.url + "register.csv"
    settings.STATUS_CHECK_REGISTERS = registers
    settings.STATUS_CHECK_CHUNK_SIZE = 4
    clear_status_check_redis()
    published_file.clear_cache()
    yield register_stub
    register_stub.reset()


def clear_status_check_redis() -> None:
    """Forget circuit breakers, rate windows and delivery counts."""
    client = shared_redis()
    keys = list(client.scan_iter(match=settings.STATUS_CHECK_REDIS_PREFIX + ":*", count=500))
    if keys:
        client.delete(*keys)


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()
