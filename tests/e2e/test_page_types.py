"""Every page type, in English and Chinese: no sideways scroll on a phone, no WCAG 2.1 AA
violation that axe-core finds on a desktop or a phone."""

import pytest

from tests.e2e.browsing import axe_violations, sideways_overflow, wrapped_header_labels
from tests.e2e.pages import LANGUAGE_PREFIXES, PAGE_NAMES, PHONE_WIDTHS, SCREEN_WIDTHS

# The demo register is committed once for the module (demo_site); django_db only opens the
# test database for the session.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

LANGUAGES = list(LANGUAGE_PREFIXES)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_fits_a_phone(demo_site, name, language):
    for width in PHONE_WIDTHS:
        page = demo_site.open(name, language, width=width)
        overflow = sideways_overflow(page)
        assert overflow <= 0, f"{page.url} at {width} px scrolls {overflow} px sideways"
        assert wrapped_header_labels(page) == [], f"{page.url} at {width} px"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_has_no_axe_violations(demo_site, name, language):
    found = []
    for width in SCREEN_WIDTHS:
        page = demo_site.open(name, language, width=width)
        found += [f"at {width} px: {violation}" for violation in axe_violations(page)]
    assert found == [], "\n".join(found)
