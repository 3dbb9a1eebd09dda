"""Under the Content-Security-Policy the pages still work: no violation, htmx still swaps."""

import re

import pytest
from django.core.cache import cache

from tests.factories import CredentialFactory, ProviderFactory, hkqf_level

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def entries(transactional_db):
    cache.clear()
    provider = ProviderFactory(slug="csp-institute", name_en="CSP Institute")
    first = CredentialFactory(
        registration_number="24/000201/L4",
        title_en="Certificate in Secure Web Development",
        provider=provider,
        level=hkqf_level("4"),
    )
    CredentialFactory(
        registration_number="24/000202/L5",
        title_en="Certificate in Secure Cloud Operations",
        provider=provider,
        level=hkqf_level("5"),
    )
    yield first
    cache.clear()


def _watch_violations(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    # securitypolicyviolation events also catch what the console may word differently.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('Content Security Policy violation: ' + e.violatedDirective))"
    )
    return violations


def test_home_search_with_htmx_and_a_record_raise_no_csp_violation(
    live_server, browser_page, entries
):
    page = browser_page
    violations = _watch_violations(page)

    page.goto(live_server.url + "/")
    # The chart's bars are drawn (SVG rects with a width), not blocked inline styles.
    assert page.locator(".bars .bar rect").count() >= 2
    assert page.locator(".bars .bar rect").first.bounding_box()["width"] > 0

    page.fill("#q", "secure")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/search/\?q=secure"))
    assert page.locator(".result").count() == 2

    # A facet swaps the results in place through htmx.
    page.check('input[name="level"][value="HKQF-4"]')
    page.wait_for_url(re.compile(r"level=HKQF-4"))
    page.wait_for_function(
        "document.querySelector('.result-count').textContent.trim() === '1 result'"
    )
    assert page.evaluate("typeof htmx") == "object"

    page.click("text=Certificate in Secure Web Development")
    page.wait_for_url(re.compile(rf"/credentials/{entries.pk}/$"))
    assert page.locator("h1").inner_text() == "Certificate in Secure Web Development"

    page.goto(live_server.url + "/accounts/login/")
    assert violations == []
