"""The 417 real HK university undergraduate programmes as HKQF level 5 register entries.

Source: ``hk/hk-university-programmes-2025-bilingual.csv`` in the shared data folder.
HKQR registration numbers are not public, so each entry's number is *derived* from
its JUPAS code in HKQR style (``JS1000`` -> ``25/JS1000/L5``); the summary says so.
Credits are estimated from the programme's normal length (4 years -> 480 QF credits).
"""

import csv
import datetime
import re
from decimal import Decimal
from typing import Any

from credentials.choices import (
    AccreditationStatus,
    CredentialKind,
    CredentialStatus,
    DeliveryMode,
    StatusSource,
)
from credentials.models import AccreditationRecord, Credential
from providers.choices import ProviderType
from providers.models import Provider
from qualifications.choices import AreaScheme
from qualifications.models import AreaOfStudy, Level

from .base import SeedContext, imported_history, upsert_by_fields, upsert_credentials
from .providers import upsert_providers

HK_PROGRAMMES_FILE = "hk/hk-university-programmes-2025-bilingual.csv"

# The 2025 intake; five years is the usual length of an HKQR validity period.
VALID_FROM = datetime.date(2025, 9, 1)
VALID_TO = datetime.date(2030, 8, 31)
HKQF_CREDITS_PER_YEAR = 120
HOURS_PER_QF_CREDIT = 10

SIX_YEAR_PROGRAMME = re.compile(
    r"MBBS|MBChB|Bachelor of Medicine|Dental Surgery|Veterinary Medicine|"
    r"^Chinese Medicine$|Bachelor of Chinese Medicine"
)
DOUBLE_DEGREE = re.compile(r"Double Degree|Dual Degree|\band Bachelor of\b|\band B\.Ed\.", re.I)

# Rows under the Study Subsidy Scheme for Designated Professions/Sectors name the
# scheme as "institution" and the real operator in the title.
SSSDP_CODE = "SSSDP"
OFFERED_BY_EN = re.compile(r"^Offered by (?P<code>[^:]+):\s*")
OFFERED_BY_ZH = re.compile(r"^由(?P<name>.+?)開辦：\s*")
SSSDP_OPERATORS: dict[str, dict[str, Any]] = {
    "SFU": {"name_en": "Saint Francis University", "name_zh": "聖方濟各大學"},
    "HKCHC": {"name_en": "Hong Kong Chu Hai College", "name_zh": "香港珠海學院"},
    "HSUHK": {"name_en": "The Hang Seng University of Hong Kong", "name_zh": "香港恒生大學"},
    "TWC": {"name_en": "Tung Wah College", "name_zh": "東華學院"},
    "VTC-THEi": {
        "name_en": "Technological and Higher Education Institute of Hong Kong",
        "name_zh": "香港高等教育科技學院",
    },
    "UOWCHK": {"name_en": "UOW College Hong Kong", "name_zh": "香港伍倫貢學院"},
    "HKSYU": {"name_en": "Hong Kong Shue Yan University", "name_zh": "香港樹仁大學"},
}
# Programmes of institutions without self-accrediting status are accredited externally.
EXTERNAL_ACCREDITOR = "HKCAAVQ"
DERIVED_NUMBER_NOTE_EN = (
    "Registration number derived from the JUPAS programme code for demonstration; "
    "HKQR registration numbers are not published."
)
DERIVED_NUMBER_NOTE_ZH = "註冊編號由大學聯招課程編號推算，僅作示範；資歷名冊註冊編號並未公開。"
SSSDP_NOTE_EN = "Offered under the Study Subsidy Scheme for Designated Professions/Sectors (SSSDP)."
SSSDP_NOTE_ZH = "屬指定專業／界別課程資助計劃課程。"


def registration_number(jupas_code: str) -> str:
    """Return the HKQR-style number derived from a JUPAS code, e.g. ``25/JS1000/L5``."""
    return f"{VALID_FROM:%y}/{jupas_code}/L5"


def programme_years(title_en: str) -> int:
    """Estimate a programme's normal length in years from its title."""
    if SIX_YEAR_PROGRAMME.search(title_en):
        return 6
    if DOUBLE_DEGREE.search(title_en):
        return 5
    return 4


def _read_rows(ctx: SeedContext) -> list[dict[str, str]]:
    with (ctx.data_dir / HK_PROGRAMMES_FILE).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _provider_rows(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    providers: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["institution_code"] != SSSDP_CODE:
            providers.setdefault(
                row["institution_code"],
                {
                    "slug": row["institution_code"].lower(),
                    "name_en": row["institution_en"],
                    "name_zh": row["institution_tc"],
                    "short_name": row["institution_code"],
                    "provider_type": ProviderType.UNIVERSITY,
                    "self_accrediting": True,
                },
            )
    for code, names in SSSDP_OPERATORS.items():
        providers.setdefault(
            code,
            {
                "slug": code.lower(),
                **names,
                "short_name": code,
                "provider_type": ProviderType.SELF_FINANCING,
                "self_accrediting": False,
            },
        )
    return [{**row, "jurisdiction": "HK"} for row in providers.values()]


def _credential_row(
    row: dict[str, str],
    *,
    provider: Provider,
    level: Level,
    areas: dict[str, AreaOfStudy],
    ctx: SeedContext,
) -> dict[str, Any]:
    title_en, title_zh = row["title_en"].strip(), row["title_tc"].strip()
    summary_en, summary_zh = [DERIVED_NUMBER_NOTE_EN], [DERIVED_NUMBER_NOTE_ZH]
    if row["institution_code"] == SSSDP_CODE:
        title_en = OFFERED_BY_EN.sub("", title_en)
        title_zh = OFFERED_BY_ZH.sub("", title_zh)
        summary_en.insert(0, SSSDP_NOTE_EN)
        summary_zh.insert(0, SSSDP_NOTE_ZH)
    credits = programme_years(title_en) * HKQF_CREDITS_PER_YEAR
    first_area = row["study_area_codes"].split("|")[0]
    chinese_medium = "Chinese" in title_en or "Putonghua" in title_en
    return {
        "registration_number": registration_number(row["jupas_code"]),
        "kind": CredentialKind.QUALIFICATION,
        "title_en": title_en,
        "title_zh": title_zh,
        "qualification_type": "Bachelor's Degree",
        "provider_id": provider.pk,
        "awarding_body_id": None,
        "level_id": level.pk,
        "area_of_study_id": areas[first_area].pk,
        "credits": Decimal(credits),
        "notional_hours": credits * HOURS_PER_QF_CREDIT,
        "summary_en": " ".join(summary_en),
        "summary_zh": "".join(summary_zh),
        "mode_of_delivery": DeliveryMode.ONSITE,
        "languages": ["zh-hant", "en"] if chinese_medium else ["en"],
        "quality_assurance_type": (
            "Internal quality assurance of a self-accrediting university"
            if provider.self_accrediting
            else "External accreditation (HKCAAVQ)"
        ),
        "valid_from": VALID_FROM,
        "valid_to": VALID_TO,
        "status": CredentialStatus.REGISTERED,
        "status_changed_at": ctx.now,
        "external_register": "",
    }


def seed_hk_programmes(*, ctx: SeedContext) -> dict[str, Provider]:
    """Upsert the HK universities and their programmes; return the providers by slug."""
    rows = _read_rows(ctx)
    providers = upsert_providers(_provider_rows(rows), ctx=ctx, label="HK universities")
    level = Level.objects.get(framework__code="HKQF", code="5")
    areas = {a.code: a for a in AreaOfStudy.objects.filter(scheme=AreaScheme.HK_PROGRAMME)}
    credential_rows = []
    for row in rows:
        code = row["institution_code"]
        if code == SSSDP_CODE:
            code = OFFERED_BY_EN.match(row["title_en"])["code"]
        credential_rows.append(
            _credential_row(
                row, provider=providers[code.lower()], level=level, areas=areas, ctx=ctx
            )
        )
    credentials = upsert_credentials(
        credential_rows,
        history=lambda row: imported_history(row, ctx.now),
        ctx=ctx,
        label="HK university programmes",
    )
    providers_by_pk = {provider.pk: provider for provider in providers.values()}
    accreditations = []
    for row in credential_rows:
        credential: Credential = credentials[row["registration_number"]]
        provider = providers_by_pk[credential.provider_id]
        accreditations.append(
            {
                "credential_id": credential.pk,
                "accreditor": (
                    provider.name_en if provider.self_accrediting else EXTERNAL_ACCREDITOR
                ),
                "reference": "",
                "valid_from": VALID_FROM,
                "valid_to": VALID_TO,
                "status": AccreditationStatus.CURRENT,
                "source": StatusSource.IMPORT,
            }
        )
    upsert_by_fields(
        AccreditationRecord,
        accreditations,
        key_fields=["credential_id", "accreditor"],
        report=ctx.report,
        label="accreditation records",
    )
    return providers
