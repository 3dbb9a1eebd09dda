import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Read messages and labels in English whatever language an earlier test left active.

    A request through the test client leaves its language active in the thread, so a
    test after one for /zh-hant/ would otherwise see Chinese labels.
    """
    with translation.override("en"):
        yield
