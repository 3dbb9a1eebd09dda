"""Real UK Level 4/5 qualifications from the DfE and early-years lists, with their real numbers.

Sources (shared data folder):

- ``uk/dfe-approved-qualifications-2025-02.csv``: holds no HNC, HND, CertHE or DipHE
  and no row marked as an HTQ, so the seed takes any such row it finds, then one
  Level 4 and one Level 5 row per sector subject area (the one funded longest).
  Validity is the span of the row's funding approvals.
- ``uk/early-years-qualifications-*.csv``: the real Pearson HNC/HND numbers, and the
  only published HTQ evidence in the data: an "(HTQ)" title or an "approved ... as a
  Higher Technical Qualification" note. Pearson Higher Nationals carry 120 (HNC) and
  240 (HND) credits.
- ``uk/ofqual-awarding-organisations.csv``: recognition numbers, matched by name.
"""

import csv
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.text import slugify

from credentials.choices import (
    AccreditationStatus,
    CredentialKind,
    CredentialStatus,
    QualityMark,
    StatusSource,
)
from credentials.models import AccreditationRecord, Credential
from imports.formats.dfe import FUNDING_LABELS, HTQ_TITLE, funding
from imports.formats.ofqual_common import SSA_ALIASES, with_slashes
from imports.organisations import match_organisations
from providers.choices import ProviderStatus, ProviderType
from providers.models import Provider
from qualifications.choices import AreaScheme
from qualifications.models import AreaOfStudy, Level

from .base import SeedContext, imported_history, upsert_by_fields, upsert_credentials
from .providers import upsert_providers

DFE_FILE = "uk/dfe-approved-qualifications-2025-02.csv"
DFE_SNAPSHOT = datetime.date(2025, 2, 18)
EARLY_YEARS_FILES = (
    "uk/early-years-qualifications-2024.csv",
    "uk/early-years-qualifications-update-2024-08.csv",
    "uk/early-years-qualifications-update-2024-09.csv",
)
AWARDING_ORGANISATIONS_FILE = "uk/ofqual-awarding-organisations.csv"

LEVELS = {"Level 4": "4", "Level 5": "5"}
HIGHER_TECHNICAL_TITLE = re.compile(
    r"\bHNC\b|\bHND\b|Higher National (Certificate|Diploma)|Higher Technical|\bHTQ\b|"
    r"\bCertHE\b|\bDipHE\b|Certificate of Higher Education|Diploma of Higher Education",
    re.I,
)
HTQ_APPROVAL_NOTE = re.compile(r"approved .{0,120}as a Higher Technical Qualification", re.I | re.S)
QUALIFICATION_NUMBER = re.compile(r"^\d{3}/\d{4}/[0-9A-Z]$")
HIGHER_NATIONAL_CREDITS = {"Higher National Certificate": 120, "Higher National Diploma": 240}
HIGHER_NATIONAL_TYPES = (
    (re.compile(r"Higher National Certificate|\bHNC\b"), "Higher National Certificate"),
    (re.compile(r"Higher National Diploma|\bHND\b"), "Higher National Diploma"),
)
OFQUAL = "Ofqual"
IFATE = "IfATE (now Skills England)"


def _read_csv(ctx: SeedContext, name: str) -> list[dict[str, str]]:
    with (ctx.data_dir / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _month_date(text: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(text.strip(), "%b-%y").date()
    except ValueError:
        return None


@dataclass(frozen=True)
class UkQualification:
    """One selected qualification, from either list, before it becomes a register row."""

    number: str
    title: str
    awarding_organisation: str
    level: str
    qualification_type: str
    ssa: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    funding_streams: tuple[str, ...]
    htq: bool
    credits: int | None
    summary: str
    url: str


def _early_years_rows(ctx: SeedContext) -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for name in EARLY_YEARS_FILES:
        for row in _read_csv(ctx, name):
            number = row["Qualification Number"].strip().upper()
            if QUALIFICATION_NUMBER.match(number):
                # The first listing of a number names the qualification; later ones
                # are its pathways.
                rows.setdefault(number, row)
    return rows


def _htq_numbers(early_years: dict[str, dict[str, str]]) -> set[str]:
    return {
        number
        for number, row in early_years.items()
        if HTQ_TITLE.search(row["Qualification Name"])
        or HTQ_APPROVAL_NOTE.search(row["Notes/Additional Requirements"])
    }


def _from_dfe(row: dict[str, str], htq_numbers: set[str]) -> UkQualification:
    number = with_slashes(row["QualificationNumber"])
    title = _tidy(row["QualificationName"])
    streams, start, end = funding(row)
    funded = ", ".join(FUNDING_LABELS[s] for s in streams) or "none"
    url = row["AwardingOrganisationURL"].strip()
    return UkQualification(
        number=number,
        title=title,
        awarding_organisation=_tidy(row["AwardingOrganisation"]),
        level=LEVELS[row["Level"]],
        qualification_type=_tidy(row["QualificationType"]),
        ssa=_tidy(row["SectorSubjectArea"]),
        valid_from=start or DFE_SNAPSHOT,
        valid_to=end,
        funding_streams=tuple(streams),
        htq=number in htq_numbers or bool(HTQ_TITLE.search(title)),
        credits=None,
        summary=(
            f"On the DfE list of qualifications approved for funding (Ofqual snapshot "
            f"{DFE_SNAPSHOT:%d/%m/%Y}). Funding streams: {funded}."
        ),
        url=url if url.startswith(("http://", "https://")) else "",
    )


def _from_early_years(number: str, row: dict[str, str], htq_numbers: set[str]) -> UkQualification:
    title = _tidy(row["Qualification Name"])
    qualification_type = next(
        (name for pattern, name in HIGHER_NATIONAL_TYPES if pattern.search(title)), ""
    )
    notes = _tidy(row["Notes/Additional Requirements"])
    summary = "On the DfE early years qualifications list (2024)."
    if notes and notes != "None":
        summary = f"{summary} {notes}"
    return UkQualification(
        number=number,
        title=title,
        awarding_organisation=_tidy(row["Awarding Organisation Title"]),
        level=row["Qualification Level"].strip(),
        qualification_type=qualification_type,
        ssa="Child development and well-being",
        valid_from=_month_date(row["From which date"]) or DFE_SNAPSHOT,
        valid_to=_month_date(row["To which date"]),
        funding_streams=(),
        htq=number in htq_numbers,
        credits=HIGHER_NATIONAL_CREDITS.get(qualification_type),
        summary=summary,
        url="",
    )


def select_qualifications(ctx: SeedContext) -> list[UkQualification]:
    """Pick the Level 4/5 rows the demo shows, deterministically and independent of today."""
    early_years = _early_years_rows(ctx)
    htq_numbers = _htq_numbers(early_years)
    dfe_rows = [row for row in _read_csv(ctx, DFE_FILE) if row["Level"] in LEVELS]
    chosen: dict[str, dict[str, str]] = {}
    for row in dfe_rows:
        number = with_slashes(row["QualificationNumber"])
        if HIGHER_TECHNICAL_TITLE.search(row["QualificationName"]) or number in htq_numbers:
            chosen[number] = row
    per_area: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in sorted(dfe_rows, key=lambda row: row["QualificationNumber"]):
        area = (row["SectorSubjectArea"].strip().casefold(), row["Level"])
        per_area.setdefault(area, []).append(row)
    for rows in per_area.values():
        # max() keeps the first of equals, so ties go to the lowest number.
        row = max(rows, key=lambda row: funding(row)[2] or datetime.date.min)
        chosen.setdefault(with_slashes(row["QualificationNumber"]), row)
    selected = [_from_dfe(row, htq_numbers) for row in chosen.values()]
    for number, row in early_years.items():
        level = row["Qualification Level"].strip()
        title = row["Qualification Name"]
        if (
            number not in chosen
            and level in LEVELS.values()
            and (HIGHER_TECHNICAL_TITLE.search(title) or number in htq_numbers)
        ):
            selected.append(_from_early_years(number, row, htq_numbers))
    return sorted(selected, key=lambda q: q.number)


def _provider_rows(
    qualifications: list[UkQualification], ctx: SeedContext
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    names = sorted({q.awarding_organisation for q in qualifications})
    matches = match_organisations(names, _read_csv(ctx, AWARDING_ORGANISATIONS_FILE))
    rows: dict[str, dict[str, Any]] = {}
    slug_by_name: dict[str, str] = {}
    for name in names:
        match = matches[name]
        canonical = match["Name"].strip() if match else name
        slug = slugify(canonical)[:80]
        slug_by_name[name] = slug
        if slug in rows:
            continue
        website = match["Website"].strip() if match else ""
        recognised = match is None or match["Ofqual Status"] == "Recognised"
        rows[slug] = {
            "slug": slug,
            "name_en": canonical,
            "short_name": match["Acronym"].strip()[:40] if match else "",
            "jurisdiction": "UK",
            "provider_type": ProviderType.AWARDING_ORGANISATION,
            "ofqual_recognition_number": match["Recognition Number"].strip() if match else None,
            "website": website if website.startswith(("http://", "https://")) else "",
            "status": ProviderStatus.ACTIVE if recognised else ProviderStatus.CLOSED,
        }
    return list(rows.values()), slug_by_name


def _area_lookup() -> dict[str, AreaOfStudy]:
    return {
        area.name_en.casefold(): area
        for area in AreaOfStudy.objects.filter(scheme=AreaScheme.UK_SSA)
    }


def _credential_row(
    q: UkQualification,
    *,
    provider: Provider,
    levels: dict[str, Level],
    areas: dict[str, AreaOfStudy],
    ctx: SeedContext,
) -> dict[str, Any]:
    ssa = q.ssa.casefold()
    area = areas.get(SSA_ALIASES.get(ssa, ssa))
    marks = []
    if q.htq:
        marks.append(QualityMark.HTQ)
    if q.funding_streams:
        marks.append(QualityMark.DFE_FUNDED)
    if "AdvancedLearnerLoans" in q.funding_streams:
        marks.append(QualityMark.ADVANCED_LEARNER_LOAN)
    expired = q.valid_to is not None and q.valid_to < ctx.today
    return {
        "registration_number": q.number,
        "kind": CredentialKind.QUALIFICATION,
        "title_en": q.title,
        "title_zh": "",
        "qualification_type": q.qualification_type,
        "provider_id": provider.pk,
        "awarding_body_id": None,
        "level_id": levels[q.level].pk,
        "area_of_study_id": area.pk if area else None,
        "credits": Decimal(q.credits) if q.credits else None,
        "notional_hours": q.credits * 10 if q.credits else None,
        "summary_en": q.summary,
        "languages": ["en"],
        "quality_assurance_type": "Regulated by Ofqual",
        "further_information_url": q.url,
        "quality_marks": marks,
        "valid_from": q.valid_from,
        "valid_to": q.valid_to,
        "status": CredentialStatus.EXPIRED if expired else CredentialStatus.REGISTERED,
        "status_changed_at": ctx.now,
        "external_register": "ofqual",
    }


def seed_uk_qualifications(*, ctx: SeedContext) -> dict[str, Credential]:
    """Upsert the selected UK qualifications and their awarding organisations."""
    qualifications = select_qualifications(ctx)
    provider_rows, slug_by_name = _provider_rows(qualifications, ctx)
    providers = upsert_providers(provider_rows, ctx=ctx, label="UK awarding organisations")
    levels = {level.code: level for level in Level.objects.filter(framework__code="RQF")}
    areas = _area_lookup()
    rows = [
        _credential_row(
            q,
            provider=providers[slug_by_name[q.awarding_organisation]],
            levels=levels,
            areas=areas,
            ctx=ctx,
        )
        for q in qualifications
    ]
    credentials = upsert_credentials(
        rows,
        history=lambda row: imported_history(row, ctx.now),
        ctx=ctx,
        label="UK qualifications",
    )
    accreditations = []
    for row in rows:
        credential = credentials[row["registration_number"]]
        current = row["status"] == CredentialStatus.REGISTERED
        base = {
            "credential_id": credential.pk,
            "valid_from": row["valid_from"],
            "valid_to": row["valid_to"],
            "status": AccreditationStatus.CURRENT if current else AccreditationStatus.LAPSED,
            "source": StatusSource.IMPORT,
        }
        accreditations.append(
            {**base, "accreditor": OFQUAL, "reference": row["registration_number"]}
        )
        if QualityMark.HTQ in row["quality_marks"]:
            accreditations.append({**base, "accreditor": IFATE, "reference": "HTQ approval"})
    upsert_by_fields(
        AccreditationRecord,
        accreditations,
        key_fields=["credential_id", "accreditor"],
        report=ctx.report,
        label="accreditation records",
    )
    return credentials
