import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import translation

from credentials.choices import CredentialKind, CredentialStatus, DeliveryMode, QualityMark
from qualifications.choices import AreaScheme
from qualifications.models import AreaOfStudy, Level
from tests.factories import CredentialFactory, ProviderFactory


@pytest.fixture(autouse=True)
def _fresh_cache_and_english():
    """Home-page statistics are cached, and a request leaves its language active in the
    thread: each test starts from an empty cache and English."""
    cache.clear()
    translation.activate("en")
    yield
    cache.clear()
    translation.activate("en")


def search(client, **params) -> dict:
    """The search API's JSON for `params`; anything but a 200 fails the test."""
    response = client.get("/api/v1/credentials/", params)
    assert response.status_code == 200, response.content
    return response.json()


def level(framework: str, code: str) -> Level:
    return Level.objects.get(framework__code=framework, code=code)


@pytest.fixture
def register(db):
    """A small register: HK and UK entries, archived ones, a draft, Chinese and English text."""
    hku = ProviderFactory(
        slug="hku", name_en="The University of Hong Kong", name_zh="香港大學", short_name="HKU"
    )
    pearson = ProviderFactory(
        slug="pearson", name_en="Pearson Education Ltd", name_zh="", jurisdiction="UK"
    )
    polyu = ProviderFactory(slug="polyu", name_en="Harbour Polytechnic", name_zh="海港理工學院")
    business = AreaOfStudy.objects.create(
        scheme=AreaScheme.HK_AREA,
        code="T-BUS",
        name_en="Business and Finance",
        name_zh="商業及金融",
    )
    health = AreaOfStudy.objects.create(
        scheme=AreaScheme.HK_AREA, code="T-HEA", name_en="Health Care", name_zh="醫療保健"
    )
    ns = SimpleNamespace(hku=hku, pearson=pearson, polyu=polyu, business=business, health=health)
    ns.fintech = CredentialFactory(
        registration_number="24/000123/L4",
        title_en="Micro-credential in Computational Finance and FinTech",
        title_zh="香港大學微證書課程：計算金融及金融科技",
        provider=hku,
        level=level("HKQF", "4"),
        area_of_study=business,
        credits=6,
        notional_hours=60,
        mode_of_delivery=DeliveryMode.ONLINE,
        learning_outcomes_en=["Price derivatives with numerical methods"],
        quality_marks=[QualityMark.CEF],
        languages=["en", "yue"],
    )
    ns.hnc = CredentialFactory(
        registration_number="603/2476/0",
        kind=CredentialKind.QUALIFICATION,
        title_en="Pearson BTEC Level 4 Higher National Certificate in Engineering",
        title_zh="",
        qualification_type="Higher National Certificate",
        provider=pearson,
        level=level("RQF", "4"),
        credits=120,
        notional_hours=1200,
        mode_of_delivery=DeliveryMode.ONSITE,
        quality_marks=[QualityMark.HTQ],
        languages=["en"],
    )
    ns.nursing = CredentialFactory(
        registration_number="610/1234/5",
        kind=CredentialKind.QUALIFICATION,
        title_en="Foundation Degree in Nursing Associate Practice",
        title_zh="",
        provider=pearson,
        level=level("RQF", "5"),
        area_of_study=health,
        credits=240,
        notional_hours=2400,
        mode_of_delivery=DeliveryMode.BLENDED,
    )
    ns.accounting = CredentialFactory(
        registration_number="23/000456/L5",
        kind=CredentialKind.QUALIFICATION,
        title_en="Bachelor of Business Administration in Accounting and Finance",
        title_zh="工商管理學士（會計及金融）",
        provider=polyu,
        level=level("HKQF", "5"),
        area_of_study=business,
        credits=240,
        notional_hours=None,
        mode_of_delivery=DeliveryMode.ONSITE,
    )
    ns.ai = CredentialFactory(
        registration_number="25/000789/L3",
        title_en="Artificial Intelligence (AI) Fundamentals",
        title_zh="人工智能基礎",
        provider=polyu,
        level=level("HKQF", "3"),
        credits=3,
        notional_hours=30,
        mode_of_delivery=DeliveryMode.ONLINE,
    )
    ns.expired = CredentialFactory(
        registration_number="20/000999/L4",
        title_en="Certificate in Data Science for Finance",
        title_zh="金融數據科學證書",
        provider=hku,
        level=level("HKQF", "4"),
        status=CredentialStatus.EXPIRED,
        valid_from=datetime.date(2020, 9, 1),
        valid_to=datetime.date(2023, 8, 31),
    )
    ns.lapsed = CredentialFactory(
        registration_number="21/000111/L4",
        title_en="Certificate in Lapsed Finance Studies",
        title_zh="",
        provider=hku,
        level=level("HKQF", "4"),
        valid_from=datetime.date(2021, 9, 1),
        valid_to=datetime.date(2024, 8, 31),
    )
    ns.draft = CredentialFactory(
        registration_number="26/000001/L4",
        title_en="Draft Certificate in Finance",
        provider=hku,
        status=CredentialStatus.DRAFT,
    )
    return ns
