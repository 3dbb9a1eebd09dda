"""A learner misspells a word, searches a quality mark, ticks a size band: the search forgives."""

import re

import pytest
from django.core.cache import cache

from credentials.choices import CredentialKind, QualityMark
from credentials.search.vocabulary import search_vocabulary_refresh
from tests.factories import CredentialFactory, ProviderFactory, hkqf_level

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def entries(transactional_db):
    cache.clear()
    provider = ProviderFactory(slug="harbour", name_en="Harbour College", name_zh="海港學院")
    CredentialFactory(
        registration_number="610/0001/1",
        kind=CredentialKind.QUALIFICATION,
        title_en="Higher National Diploma in Nursing Practice",
        title_zh="護理實務高級文憑",
        provider=provider,
        level=hkqf_level("5"),
        credits=120,
        quality_marks=[QualityMark.HTQ],
    )
    CredentialFactory(
        registration_number="24/000777/L4",
        title_en="Micro-credential in Nursing Informatics",
        title_zh="護理資訊學微證書",
        provider=provider,
        level=hkqf_level("4"),
        credits=6,
    )
    CredentialFactory(
        registration_number="24/000778/L4",
        title_en="Certificate in Data Analytics",
        provider=provider,
        level=hkqf_level("4"),
        credits=30,
    )
    search_vocabulary_refresh()
    yield
    cache.clear()


def test_a_misspelt_word_gets_a_suggestion_that_works(live_server, browser_page, entries):
    page = browser_page
    page.goto(live_server.url + "/search/?q=nursng")

    assert page.locator(".result-count").inner_text() == "0 results"
    assert page.title() == "nursng — 0 results — Credential Registry"
    suggestion = page.locator(".suggestion")
    assert suggestion.inner_text() == "Did you mean nursing?"

    suggestion.locator("a").click()
    page.wait_for_url(re.compile(r"q=nursing"))
    assert page.locator(".result").count() == 2
    assert page.input_value("#q") == "nursing"
    assert page.title() == "nursing — 2 results — Credential Registry"
    assert page.locator(".suggestion").count() == 0

    page.goto(live_server.url + "/zh-hant/search/?q=nursng")
    assert page.locator(".suggestion").inner_text() == "你是否要找 nursing？"
    page.goto(live_server.url + "/zh-hant/search/?q=護理資訊晝")
    assert page.locator(".suggestion a").inner_text() == "護理資訊學"


def test_quality_marks_and_names_are_words_and_size_is_a_facet(live_server, browser_page, entries):
    page = browser_page
    page.goto(live_server.url + "/search/?q=HTQ")
    assert page.locator(".result").count() == 1
    assert page.locator(".result h3").inner_text() == "Higher National Diploma in Nursing Practice"

    page.goto(live_server.url + "/search/?q=HNC/HND")
    assert page.locator(".result").count() == 1

    # The size facet: ticking a band updates the results, the count and the title in place.
    page.goto(live_server.url + "/search/?q=")
    band = page.locator('input[name="size"][value="4-15"]')
    assert page.locator("fieldset.facet", has=band).locator(".count").first.inner_text() == "1"
    band.check()
    page.wait_for_url(re.compile(r"size=4-15"))
    page.wait_for_function(
        "document.querySelector('.result-count').textContent.trim() === '1 result'"
    )
    assert page.locator(".result h3").inner_text() == "Micro-credential in Nursing Informatics"
    page.wait_for_function(
        "document.title === 'Search the register — 1 result — Credential Registry'"
    )
    assert page.locator(".chip", has_text="4–15 credits").count() == 1


def test_a_bad_filter_is_explained_with_its_label(live_server, browser_page, entries):
    page = browser_page
    page.goto(live_server.url + "/search/?credits_min=lots")

    assert page.locator(".errors li").inner_text() == "Minimum credits: enter a number."
    page.goto(live_server.url + "/zh-hant/search/?credits_min=lots")
    assert page.locator(".errors li").inner_text() == "最少學分：輸入一個數字"
