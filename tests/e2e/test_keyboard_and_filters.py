"""Keyboard only, search to verification; the facets fold behind "Filters" on a phone."""

import re

import pytest

from tests.e2e.pages import ANONYMOUS, HEIGHT

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 390, "height": HEIGHT}
DESKTOP = {"width": 1366, "height": HEIGHT}
BLOCKCHAIN = "Certificate in Blockchain and Digital Assets"

# Whether the focused element shows a focus indicator: an outline, or a box shadow.
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return outline || style.boxShadow !== 'none';
}"""


def _tab_to(page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until ``selector`` has the focus, checking every stop shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
        assert page.evaluate(FOCUS_SHOWN), f"no visible focus on {focused}"
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached in {limit} Tab presses")


@pytest.fixture
def tab(demo_site):
    page = demo_site.tab(ANONYMOUS)
    page.set_viewport_size(DESKTOP)
    return page


def test_keyboard_only_from_search_to_compare_and_verify(demo_site, tab):
    page = tab
    page.goto(demo_site.url + "/")

    # The first Tab reaches the skip link, shown when focused; Enter moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip')")
    box = page.locator(".skip").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, (
        "the focused skip link is off screen"
    )
    assert page.evaluate(FOCUS_SHOWN)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    _tab_to(page, "#q", limit=3)  # the search box is the first thing in the content
    page.keyboard.type("blockchain")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=blockchain"))

    _tab_to(page, ".result h3 a")
    assert page.evaluate("document.activeElement.textContent.trim()") == BLOCKCHAIN
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/credentials/\d+/$"))
    number = page.locator(".status-line .number strong").inner_text()

    _tab_to(page, "a[href*='compare=']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?compare=\d+"))
    assert "Compare 1 selected record" in page.locator(".compare-button").inner_text()

    _tab_to(page, ".compare-button", limit=300)  # past every facet and result on the page
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/compare/\?ids=\d+$"))
    assert page.locator(".compare-table thead a").inner_text() == BLOCKCHAIN

    _tab_to(page, ".site-header a[href='/verify/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/verify/$"))
    _tab_to(page, "#number")
    page.keyboard.type(number)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/verify/\?number="))
    assert page.locator(".verdict h2").inner_text() == "This is a current registration."


def _facet_visible(page) -> bool:
    return page.locator(".facet input[type=checkbox]").first.is_visible()


def test_filters_fold_behind_a_button_on_a_phone_and_stay_open_while_ticking(demo_site, tab):
    page = tab
    page.set_viewport_size(PHONE)
    page.goto(demo_site.url + "/search/?q=certificate")
    summary = page.locator(".filters-panel > summary")
    assert summary.is_visible() and summary.inner_text() == "Filters"
    assert not _facet_visible(page)
    # Results first: the first result starts within the first screen, above any facet.
    assert page.locator(".result").first.bounding_box()["y"] < HEIGHT

    # Keyboard: the button opens with Enter and the facets show.
    summary.focus()
    page.keyboard.press("Enter")
    assert _facet_visible(page)

    # Ticking a facet swaps the results through htmx; the panel stays open.
    count = page.locator(".result-count").inner_text()
    page.locator(".facet input[type=checkbox]").first.check()
    page.wait_for_function(
        "c => document.querySelector('.result-count').textContent.trim() !== c", arg=count
    )
    assert page.locator(".filters-panel").evaluate("el => el.open")
    assert _facet_visible(page)

    # On a desktop the facets are a column beside the results, no button.
    page.set_viewport_size(DESKTOP)
    page.goto(demo_site.url + "/search/?q=certificate")
    assert not summary.is_visible()
    assert _facet_visible(page)
    facets = page.locator(".facets").bounding_box()
    results = page.locator(".results").bounding_box()
    assert facets["x"] + facets["width"] <= results["x"]


def test_filters_fold_without_javascript(demo_site):
    context = demo_site.browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(demo_site.url + "/search/?q=certificate")
        assert not _facet_visible(page)
        page.locator(".filters-panel > summary").click()
        assert _facet_visible(page)
        page.locator(".facet input[type=checkbox]").first.check()
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url(re.compile(r"q=certificate&.+"))
        assert page.locator(".chips .chip").count() >= 2  # the words and the ticked facet
    finally:
        context.close()
