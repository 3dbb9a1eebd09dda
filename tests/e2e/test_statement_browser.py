"""A person pastes a registry statement into the verify page and reads the verdict."""

import pytest
from django.core.cache import cache

from tests.factories import CredentialFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pasting_a_statement_on_the_chinese_page_says_it_is_valid(live_server, browser_page):
    cache.clear()
    credential = CredentialFactory(registration_number="24/000301/L4", title_zh="雲端保安證書")
    page = browser_page
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(f"{live_server.url}/credentials/{credential.pk}/")
    link = page.get_by_role("link", name="Signed registry statement (VC-JWT)")
    token = page.request.get(live_server.url + link.get_attribute("href")).text()
    page.goto(f"{live_server.url}/zh-hant/verify/statement/")
    page.get_by_label("登記冊聲明").fill(token)
    page.get_by_role("button", name="核實").click()

    verdict = page.get_by_role("status")
    assert "有效：此聲明由登記冊簽署" in verdict.inner_text()
    assert "雲端保安證書" in verdict.inner_text()
    assert violations == []
    cache.clear()
