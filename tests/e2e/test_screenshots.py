"""`make screenshots`: every page type at 1366 and 390 px in both languages, as PNGs.

Runs only with ``--screenshots=DIR`` (the make target passes it); a plain test run skips it.
"""

import pytest

from tests.e2e.pages import LANGUAGE_PREFIXES, PAGE_NAMES, SCREEN_WIDTHS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def screenshot_dir(request):
    folder = request.config.getoption("screenshots")
    if not folder:
        pytest.skip("screenshots are taken only with --screenshots=DIR (make screenshots)")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("language", list(LANGUAGE_PREFIXES))
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_screenshot(screenshot_dir, demo_site, name, language):
    for width in SCREEN_WIDTHS:
        page = demo_site.open(name, language, width=width)
        path = screenshot_dir / f"{name}-{language}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0
