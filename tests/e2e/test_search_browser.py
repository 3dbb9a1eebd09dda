"""A learner searches in Chinese, ticks a facet, opens a record and switches language."""

import re

import pytest
from django.core.cache import cache

from tests.factories import CredentialFactory, ProviderFactory, hkqf_level

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def entries(transactional_db):
    # The home page caches its statistics; neither this test nor the next may see stale ones.
    cache.clear()
    yield _create_entries()
    cache.clear()


def _create_entries():
    hku = ProviderFactory(slug="hku", name_en="The University of Hong Kong", name_zh="香港大學")
    fintech = CredentialFactory(
        registration_number="24/000123/L4",
        title_en="Micro-credential in Computational Finance and FinTech",
        title_zh="香港大學微證書課程：計算金融及金融科技",
        provider=hku,
        level=hkqf_level("4"),
        learning_outcomes_en=["Price derivatives with numerical methods"],
    )
    CredentialFactory(
        registration_number="24/000124/L5",
        title_en="Micro-credential in Digital Marketing",
        title_zh="數碼營銷微證書",
        provider=hku,
        level=hkqf_level("5"),
    )
    return fintech


def test_search_in_chinese_filter_open_and_switch_language(live_server, browser_page, entries):
    page = browser_page
    page.goto(live_server.url + "/")

    # Simplified input finds Traditional records.
    page.fill("#q", "微证书")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    results = page.locator(".result")
    assert results.count() == 2
    assert page.locator(".result-count").inner_text() == "2 results"

    # Ticking a facet updates the results in place (htmx) and the address bar.
    page.check('input[name="level"][value="HKQF-4"]')
    page.wait_for_url(re.compile(r"level=HKQF-4"))
    page.wait_for_function(
        "document.querySelector('.result-count').textContent.trim() === '1 result'"
    )
    assert results.count() == 1
    assert page.locator(".chip", has_text="HKQF level 4").count() == 1

    page.click("text=Micro-credential in Computational Finance and FinTech")
    page.wait_for_url(re.compile(rf"/credentials/{entries.pk}/$"))
    assert (
        page.locator("h1").inner_text() == "Micro-credential in Computational Finance and FinTech"
    )
    assert page.locator(".badge.indicative").count() >= 1

    page.click("button[name=language][value=zh-hant]")
    page.wait_for_url(re.compile(rf"/zh-hant/credentials/{entries.pk}/$"))
    assert page.locator("h1").inner_text() == "香港大學微證書課程：計算金融及金融科技"
    assert page.locator("h2", has_text="學習成果").count() == 1


def test_compare_selection_survives_live_filtering(live_server, browser_page, entries):
    page = browser_page
    page.goto(live_server.url + "/search/?q=micro-credential")
    assert page.locator(".result").count() == 2

    # Each tick re-renders the results (htmx); the boxes stay ticked and the count follows.
    page.locator('input[name="compare"]').nth(0).check()
    page.wait_for_selector("text=Compare 1 selected record")
    page.locator('input[name="compare"]').nth(1).check()
    page.wait_for_selector("text=Compare 2 selected records")
    assert page.locator('input[name="compare"]:checked').count() == 2
    page.wait_for_url(re.compile(r"compare="))

    page.click("button[name=go][value=compare]")
    page.wait_for_url(re.compile(r"/compare/\?ids="))
    assert page.locator(".compare-table thead th").count() == 3  # a label column + 2 records


def test_compare_without_javascript(live_server, browser_page, entries):
    page = browser_page
    page.context.close()
    browser = page.context.browser
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.goto(live_server.url + "/search/?q=micro-credential")
    for box in page.locator('input[name="compare"]').all():
        box.check()

    page.click("button[name=go][value=compare]")
    page.wait_for_url(re.compile(r"/compare/\?ids="))
    assert page.locator(".compare-table thead th").count() == 3
    context.close()
