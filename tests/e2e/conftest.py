"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server."""

import os

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation
from pytest_django.live_server_helper import LiveServer

from tests.e2e.browsing import CHROMIUM, CHROMIUM_ARGS, DemoSite
from tests.e2e.pages import demo_page_types

# Playwright's sync API runs an event loop in the test thread; the ORM calls made there
# (creating test data, the live server's database flush) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    """Run browser tests last: the live server's flush empties the reference data that the
    rest of the suite loads once per session."""
    browser = [item for item in items if item.get_closest_marker("browser")]
    others = [item for item in items if not item.get_closest_marker("browser")]
    items[:] = others + browser


@pytest.fixture
def browser_page():
    """A fresh Chromium page; skips with the reason when Chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="en-GB")
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


@pytest.fixture(scope="module")
def chromium():
    """One Chromium for a whole module; skips with the reason when it or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def demo_site(chromium, django_db_setup, django_db_blocker):
    """The demo register behind one live server for a whole module, a browser tab per persona.

    pytest-django's own live_server flushes the database after every test, and seeding the
    demo register takes seconds, so a module seeds it once, commits it and empties the
    database (reference data put back) when its last test is done.
    """
    with django_db_blocker.unblock():
        cache.clear()
        # The browser tests before this module may have flushed the reference data away.
        call_command("load_reference_data", verbosity=0)
        call_command("seed_demo", verbosity=0)
        with translation.override("en"):
            pages = demo_page_types()
        server = LiveServer("localhost")
        site = DemoSite(url=server.url, pages=pages, browser=chromium)
        try:
            yield site
        finally:
            site.close()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            call_command("load_reference_data", verbosity=0)
            cache.clear()
