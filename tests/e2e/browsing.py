"""Chromium tabs on the demo site, signed in as a persona, and what the tests measure in them."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tests.e2e.pages import ANONYMOUS, HEIGHT, PageType

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_21_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """tags => axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  })
  .then(result => result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 6).map(n => n.target.join(' ') + ': ' + n.failureSummary),
  })))"""

# Text of a header link or button that breaks over more than one line (one character a line
# is how Chinese labels in a squeezed flex row used to look).
WRAPPED_HEADER_LABELS = """() => [...document.querySelectorAll(
    '.site-header a, .site-header button, .site-header summary')]
  .filter(el => el.getClientRects().length > 0)
  .filter(el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
      .map(r => Math.round(r.top)));
    return tops.size > 1;
  })
  .map(el => el.textContent.trim())"""


@dataclass
class DemoSite:
    """The live demo site and one browser context (a signed-in tab) per persona."""

    url: str
    pages: dict[str, PageType]
    browser: Any
    _sessions: dict[str, str] = field(default_factory=dict)
    _tabs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Sessions are made up front, committed with the demo register: a test's own
        # transaction (its django_db mark) would hide them from the live server's threads.
        for persona in {page.persona for page in self.pages.values()} - {ANONYMOUS}:
            client = Client()
            client.force_login(get_user_model().objects.get(username=persona))
            self._sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value

    def tab(self, persona: str):
        """A tab signed in as the demo account ``persona`` (none for ``anonymous``)."""
        if persona not in self._tabs:
            context = self.browser.new_context(
                locale="en-GB", viewport={"width": 1366, "height": HEIGHT}
            )
            # An init script is not subject to the page's Content-Security-Policy, so axe
            # runs without loosening it.
            context.add_init_script(path=str(AXE_SCRIPT))
            if persona != ANONYMOUS:
                context.add_cookies(
                    [
                        {
                            "name": settings.SESSION_COOKIE_NAME,
                            "value": self._sessions[persona],
                            "url": self.url,
                        }
                    ]
                )
            page = context.new_page()
            page.set_default_timeout(15_000)
            self._tabs[persona] = page
        return self._tabs[persona]

    def open(self, name: str, language: str, *, width: int):
        """The page type ``name`` in ``language`` at ``width`` px, as its persona."""
        page_type = self.pages[name]
        page = self.tab(page_type.persona)
        page.set_viewport_size({"width": width, "height": HEIGHT})
        target = page_type.url(self.url, language)
        response = page.goto(target)
        assert response is not None and response.status == 200, f"{target}: {response}"
        assert page.url == target, f"{target} redirected to {page.url}"
        return page

    def close(self) -> None:
        for page in self._tabs.values():
            page.context.close()


def sideways_overflow(page) -> int:
    """How many px the page is wider than the window (0 or less: no sideways scroll)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def wrapped_header_labels(page) -> list[str]:
    return page.evaluate(WRAPPED_HEADER_LABELS)


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page, one readable line each."""
    violations = page.evaluate(RUN_AXE, WCAG_21_AA_TAGS)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}\n    "
        + "\n    ".join(violation["nodes"])
        for violation in violations
    ]
