import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from qualifications.models import Level
from tests.qa_reviews.workflow import make_world


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Evidence files go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def restore_reference_data(django_db_blocker):
    """After a transactional test's flush, put the reference data back for later tests."""
    yield
    with django_db_blocker.unblock():
        call_command("load_reference_data", data_dir=settings.SHARED_DATA_DIR, verbosity=0)


@pytest.fixture
def worker_db(restore_reference_data, transactional_db) -> None:
    """Committed rows a worker process can see; the reference data comes back afterwards."""
    if not Level.objects.exists():
        call_command("load_reference_data", data_dir=settings.SHARED_DATA_DIR, verbosity=0)


@pytest.fixture(autouse=True)
def english():
    """Start every test in English: a Chinese page request leaves its language active."""
    with translation.override("en"):
        yield
