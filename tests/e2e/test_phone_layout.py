"""At 390 px no public page scrolls sideways, in English or Chinese."""

import pytest

from tests.factories import AccreditationRecordFactory, CredentialFactory, ProviderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def record(transactional_db):
    provider = ProviderFactory(
        slug="cityu", name_en="City University of Hong Kong", name_zh="香港城市大學"
    )
    credential = CredentialFactory(
        provider=provider,
        title_en="BSocSc Crime Science and Bachelor of Laws (Double Degree)",
        title_zh="社會科學學士(犯罪學)與法律學學士 (雙學位)",
        languages=["yue", "en"],
    )
    AccreditationRecordFactory(credential=credential, accreditor=provider.name_en)
    other = CredentialFactory(provider=provider)
    return credential, other


@pytest.mark.parametrize("prefix", ["", "/zh-hant"])
def test_public_pages_fit_a_phone(live_server, browser_page, record, prefix):
    credential, other = record
    page = browser_page
    page.set_viewport_size(PHONE)
    paths = [
        "/",
        "/search/?q=science",
        f"/credentials/{credential.pk}/",
        f"/compare/?ids={credential.pk},{other.pk}",
        f"/verify/?number={credential.registration_number}",
        "/providers/cityu/",
    ]
    for path in paths:
        page.goto(live_server.url + prefix + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{prefix}{path} is {width} px wide"
