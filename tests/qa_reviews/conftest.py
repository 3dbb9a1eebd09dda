import pytest

from tests.qa_reviews.workflow import Scene, make_scene, make_world


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def scene(world) -> Scene:
    """Provider A's decided review and one in progress, and provider B's, for persona tests."""
    return make_scene(world)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Evidence files go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
