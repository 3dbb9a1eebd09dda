import pytest
from django.utils import translation

from tests.qa_reviews.workflow import make_world


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Evidence files go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english():
    """Start every test in English: a Chinese page request leaves its language active."""
    with translation.override("en"):
        yield
