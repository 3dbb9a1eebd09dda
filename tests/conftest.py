from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from qualifications.models import Level
from statements.keys import signing_key_create

# Fixtures after which pytest-django empties every table (TRUNCATE), reference data included.
FLUSHING_FIXTURES = {"transactional_db", "live_server", "committed_db"}


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots",
        type=Path,
        default=None,
        metavar="DIR",
        help="write PNGs of every page type into DIR (tests/e2e/test_screenshots.py)",
    )


def _load_reference_data() -> None:
    call_command("load_reference_data", verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real framework reference data once into the test database."""
    with django_db_blocker.unblock():
        _load_reference_data()


@pytest.fixture(autouse=True)
def reference_data_survives_flushes(request, django_db_blocker):
    """Put the reference data back after a test whose database is flushed when it ends, so
    the tests after it still find the framework levels. Autouse, so it is torn down last."""
    yield
    marker = request.node.get_closest_marker("django_db")
    transactional_marker = marker is not None and marker.kwargs.get("transaction", False)
    if transactional_marker or FLUSHING_FIXTURES & set(request.fixturenames):
        with django_db_blocker.unblock():
            _load_reference_data()


@pytest.fixture
def committed_db(transactional_db) -> None:
    """Committed rows that other connections (a worker process, a second session) can see."""
    if not Level.objects.exists():
        _load_reference_data()


@pytest.fixture
def registry_admin(django_user_model):
    return django_user_model.objects.create_superuser(
        username="registry-admin", email="admin@example.org", password="admin-pass-123"
    )


@pytest.fixture(autouse=True)
def english():
    """Start every test in English whatever language an earlier test left active.

    A request through the test client leaves its language active in the thread, so a
    test after one for /zh-hant/ would otherwise see Chinese messages and labels.
    """
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def signing_key_dir(tmp_path_factory):
    """One registry signing key for the whole run, in a temporary directory."""
    directory = tmp_path_factory.mktemp("signing-keys")
    with override_settings(REGISTRY_SIGNING_KEY_DIR=str(directory), REGISTRY_SIGNING_JWKS=""):
        signing_key_create()
    return directory


@pytest.fixture(autouse=True)
def registry_signing_key(settings, signing_key_dir):
    """Every test signs statements with the run's key unless it sets keys of its own."""
    settings.REGISTRY_SIGNING_KEY_DIR = str(signing_key_dir)
    settings.REGISTRY_SIGNING_JWKS = ""
