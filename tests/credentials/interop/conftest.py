import datetime
import json
from decimal import Decimal

import pytest

from credentials.choices import (
    CredentialKind,
    CredentialStatus,
    DeliveryMode,
    QualityMark,
    Supervision,
)
from qualifications.choices import AreaScheme
from qualifications.models import AreaOfStudy, Level
from tests import TEST_DATA_DIR
from tests.factories import AccreditationRecordFactory, CredentialFactory, ProviderFactory

INTEROP = TEST_DATA_DIR / "interop"


def example_files(folder: str) -> list[dict]:
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((INTEROP / folder).glob("*.json"))
    ]


@pytest.fixture
def provider():
    return ProviderFactory(
        slug="harbour-institute",
        name_en="Harbour Institute of Professional Studies",
        name_zh="海港專業進修學院",
        short_name="HIPS",
        website="https://harbour.example.org",
    )


@pytest.fixture
def micro_credential(provider):
    """Every field a register entry can carry, including text a CSV has to quote."""
    credential = CredentialFactory(
        registration_number="24/000201/L4",
        kind=CredentialKind.MICRO_CREDENTIAL,
        title_en='Professional Certificate in Applied Data Analytics (Python, "SQL")',
        title_zh="應用數據分析專業證書",
        qualification_type="Professional Certificate",
        provider=provider,
        awarding_body=ProviderFactory(
            slug="eastwind-academy", name_en="Eastwind Academy of Finance", name_zh="東風金融學院"
        ),
        level=Level.objects.get(framework__code="HKQF", code="4"),
        area_of_study=AreaOfStudy.objects.get(scheme=AreaScheme.HK_PROGRAMME, code="Computing"),
        credits=Decimal("12.0"),
        ects_credits=Decimal("4.5"),
        notional_hours=120,
        guided_learning_hours=45,
        summary_en="Cleaning, analysing and presenting data, with a capstone project.",
        summary_zh="數據清理、分析及呈現，並以總結項目作評核。",
        learning_outcomes_en=[
            "Clean and join data sets, using pandas",
            'Explain a "p-value" to a manager',
            "Present findings:\nslides and a dashboard",
        ],
        learning_outcomes_zh=["清理及合併數據集", "向管理層解釋統計結果"],
        assessment_type="Capstone project and written test",
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode_of_delivery=DeliveryMode.BLENDED,
        quality_assurance_type="Accredited by HKCAAVQ",
        prerequisites="Level 3 mathematics, or equivalent work experience",
        languages=["en", "zh-hant"],
        stackable=True,
        further_information_url="https://harbour.example.org/courses/data-analytics",
        fee=Decimal("12800.50"),
        fee_currency="HKD",
        quality_marks=[QualityMark.CEF],
        valid_from=datetime.date(2024, 9, 1),
        valid_to=datetime.date(2027, 8, 31),
        status=CredentialStatus.REGISTERED,
        external_register="hkqr",
        external_status="Current",
    )
    AccreditationRecordFactory(credential=credential, accreditor="HKCAAVQ")
    return credential
