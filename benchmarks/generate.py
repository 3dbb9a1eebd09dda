"""Providers and credential rows for a benchmark register, deterministic for a given seed.

About two thirds of the entries are UK qualifications (Ofqual titles with their own
awarding organisation, RQF level and type), one third Hong Kong entries: university
programmes as published, and invented micro-credentials, certificates and diplomas in
bilingual subjects. Most entries are registered; validity periods are spread around
today, so the default view (registered and valid today) holds a bit over half of them.
"""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.utils.text import slugify

from credentials.choices import (
    CredentialKind,
    CredentialStatus,
    DeliveryMode,
    QualityMark,
    Supervision,
)
from providers.choices import ProviderType

from .sources import GENERIC_TYPES, Sources

# Share of UK entries; the rest are Hong Kong entries.
UK_SHARE = 0.65
# Of the Hong Kong entries, the share that are published university programmes.
HK_PROGRAMME_SHARE = 0.25
# HKQR-style numbers carry six digits: above this many HK entries they would repeat.
MAX_ENTRIES = 2_000_000

# (status, weight): mostly registered, then the archive, then the QA pipeline.
STATUS_WEIGHTS: tuple[tuple[str, float], ...] = (
    (CredentialStatus.REGISTERED, 0.86),
    (CredentialStatus.EXPIRED, 0.05),
    (CredentialStatus.WITHDRAWN, 0.03),
    (CredentialStatus.SUSPENDED, 0.02),
    (CredentialStatus.DRAFT, 0.015),
    (CredentialStatus.SUBMITTED, 0.01),
    (CredentialStatus.UNDER_REVIEW, 0.01),
    (CredentialStatus.REFERRED_BACK, 0.003),
    (CredentialStatus.NOT_APPROVED, 0.002),
)

# Invented Hong Kong training providers: district × kind of institution.
HK_PLACES = (
    ("Harbour", "海港"),
    ("Kowloon", "九龍"),
    ("Victoria", "維多利亞"),
    ("Lantau", "大嶼山"),
    ("Tsuen Wan", "荃灣"),
    ("Sha Tin", "沙田"),
    ("Tuen Mun", "屯門"),
    ("Sai Kung", "西貢"),
    ("Central", "中環"),
    ("Eastern", "東區"),
    ("Pearl River", "珠江"),
    ("Lion Rock", "獅子山"),
)
HK_INSTITUTION_KINDS = (
    ("Institute of Professional Studies", "專業進修學院", ProviderType.SELF_FINANCING),
    ("Training Centre", "培訓中心", ProviderType.TRAINING_PROVIDER),
    ("College", "書院", ProviderType.SELF_FINANCING),
    ("Academy", "學院", ProviderType.TRAINING_PROVIDER),
    ("School of Continuing Education", "持續教育學院", ProviderType.SELF_FINANCING),
)

# Hong Kong awards: English, Chinese, HKQF levels, kind, QF credit range.
HK_AWARDS: tuple[tuple[str, str, tuple[int, ...], str, tuple[int, int]], ...] = (
    ("Micro-credential in", "微證書", (2, 3, 4, 5, 6), CredentialKind.MICRO_CREDENTIAL, (3, 15)),
    (
        "Professional Certificate in",
        "專業證書",
        (3, 4, 5),
        CredentialKind.MICRO_CREDENTIAL,
        (6, 30),
    ),
    ("Certificate in", "證書", (1, 2, 3, 4), CredentialKind.MICRO_CREDENTIAL, (3, 40)),
    ("Diploma in", "文憑", (2, 3, 4), CredentialKind.QUALIFICATION, (40, 120)),
    ("Higher Diploma in", "高級文憑", (4,), CredentialKind.QUALIFICATION, (180, 240)),
    ("Associate Degree in", "副學士", (4,), CredentialKind.QUALIFICATION, (180, 240)),
    ("Advanced Diploma in", "進階文憑", (4, 5), CredentialKind.QUALIFICATION, (60, 120)),
    ("Postgraduate Certificate in", "深造證書", (6,), CredentialKind.QUALIFICATION, (30, 60)),
)

OUTCOMES_EN = (
    "Explain the main principles of {}.",
    "Apply {} techniques to realistic workplace tasks.",
    "Evaluate current practice in {} against professional standards.",
    "Communicate findings in {} to colleagues and clients.",
    "Plan and review own development in {}.",
)
OUTCOMES_ZH = (
    "闡釋{}的主要原理。",
    "把{}的技巧應用於實際工作。",
    "按專業標準評估{}的現行做法。",
    "向同事及客戶匯報{}的結果。",
    "規劃及檢討個人在{}方面的發展。",
)
ASSESSMENTS = (
    "Portfolio of evidence assessed by a qualified assessor",
    "Coursework (60%) and a supervised written examination (40%)",
    "Practical assessment and professional discussion",
    "Individual project with an oral presentation",
    "Online multiple-choice test",
)
SUPERVISIONS = tuple(Supervision.values)

# COPY column order; `registration_key` (generated) and `search_document` are left to
# the database.
CREDENTIAL_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "registration_number",
    "kind",
    "title_en",
    "title_zh",
    "qualification_type",
    "credits",
    "ects_credits",
    "notional_hours",
    "guided_learning_hours",
    "summary_en",
    "summary_zh",
    "learning_outcomes_en",
    "learning_outcomes_zh",
    "assessment_type",
    "supervision",
    "mode_of_delivery",
    "quality_assurance_type",
    "prerequisites",
    "languages",
    "stackable",
    "further_information_url",
    "fee",
    "fee_currency",
    "quality_marks",
    "valid_from",
    "valid_to",
    "status",
    "status_changed_at",
    "external_register",
    "external_status",
    "area_of_study_id",
    "awarding_body_id",
    "created_by_id",
    "level_id",
    "provider_id",
    "updated_by_id",
)


@dataclass(frozen=True)
class ProviderSpec:
    """One benchmark provider; `key` ties it to its source (recognition number or code)."""

    key: str
    slug: str
    name_en: str
    name_zh: str
    short_name: str
    jurisdiction: str
    provider_type: str


@dataclass(frozen=True)
class References:
    """Database ids the generator needs, looked up after the reference data is loaded."""

    providers: Mapping[str, int]  # ProviderSpec.key → id
    levels: Mapping[tuple[str, str], int]  # (framework code, level code) → id
    areas: Mapping[str, int]  # area code → id
    uk_areas: tuple[str, ...]
    hk_areas: tuple[str, ...]


def provider_specs(sources: Sources) -> list[ProviderSpec]:
    """Every provider of the benchmark register: UK awarding organisations, HK
    universities and invented HK training providers (about four hundred)."""
    specs: list[ProviderSpec] = []
    slugs: set[str] = set()

    def add(key: str, name_en: str, name_zh: str, short: str, where: str, kind: str) -> None:
        slug = slugify(name_en)[:70] or slugify(key)
        if slug in slugs:
            slug = f"{slug[:60]}-{slugify(key)}"
        slugs.add(slug)
        specs.append(ProviderSpec(key, slug, name_en[:255], name_zh, short[:40], where, kind))

    for organisation in sources.organisations:
        add(
            organisation.number,
            organisation.name,
            "",
            organisation.acronym,
            "UK",
            ProviderType.AWARDING_ORGANISATION,
        )
    seen: set[str] = set()
    for programme in sources.hk_programmes:
        if programme.institution in seen or programme.institution == "SSSDP":
            continue  # the subsidy scheme is a funder, not an institution
        seen.add(programme.institution)
        add(
            f"hk:{programme.institution}",
            programme.institution_en,
            programme.institution_zh,
            programme.institution,
            "HK",
            ProviderType.UNIVERSITY,
        )
    for place_en, place_zh in HK_PLACES:
        for kind_en, kind_zh, provider_type in HK_INSTITUTION_KINDS:
            short = "".join(
                word[0] for word in f"{place_en} {kind_en}".split() if word[0].isupper()
            )
            add(
                f"hk:{place_en}:{kind_en}",
                f"{place_en} {kind_en}",
                f"{place_zh}{kind_zh}",
                short,
                "HK",
                provider_type,
            )
    return specs


def _pick_status(rng: random.Random) -> str:
    roll = rng.random()
    for status, weight in STATUS_WEIGHTS:
        roll -= weight
        if roll < 0:
            return status
    return CredentialStatus.REGISTERED


def _uk_credits(title: str, rng: random.Random) -> int:
    if "Award" in title:
        return rng.randint(1, 12)
    if "Certificate" in title:
        return rng.randint(13, 36)
    if "Diploma" in title:
        return rng.randint(37, 240)
    return rng.randint(8, 60)


def _permuted(index: int, modulus: int) -> int:
    # 7919 is prime and shares no factor with a power of ten, so this is a bijection on
    # [0, modulus): unique numbers that do not simply count up.
    return (index * 7919 + 12345) % modulus


_SHORT_UK_TYPE = re.compile(r"\b(Award|Certificate|Diploma)\b")


class CredentialRows:
    """Generates COPY rows in `CREDENTIAL_COLUMNS` order for ids 1..n."""

    def __init__(
        self, sources: Sources, references: References, *, seed: int, today: datetime.date
    ) -> None:
        self.sources = sources
        self.refs = references
        self.seed = seed
        self.today = today
        self.organisation_keys = [o.number for o in sources.organisations]
        self.hk_universities = [
            key for key in references.providers if key.startswith("hk:") and key.count(":") == 1
        ]
        self.hk_trainers = [key for key in references.providers if key.count(":") == 2]

    def rows(self, n: int) -> Iterator[tuple]:
        """Yield n rows; the same seed and day give the same rows."""
        if n > MAX_ENTRIES:
            raise ValueError(f"At most {MAX_ENTRIES:,} entries: HKQR-style numbers would repeat.")
        rng = random.Random(self.seed)
        hk_index = 0
        for row_id in range(1, n + 1):
            if rng.random() < UK_SHARE:
                yield self._uk_row(row_id, rng)
            else:
                yield self._hk_row(row_id, hk_index, rng)
                hk_index += 1

    # Shared parts ---------------------------------------------------------------------

    def _dates(self, status: str, rng: random.Random) -> tuple:
        today = self.today
        valid_to: datetime.date | None
        if status in (
            CredentialStatus.DRAFT,
            CredentialStatus.SUBMITTED,
            CredentialStatus.UNDER_REVIEW,
            CredentialStatus.REFERRED_BACK,
            CredentialStatus.NOT_APPROVED,
        ):
            valid_from = today + datetime.timedelta(days=rng.randint(30, 200))
            valid_to = valid_from + datetime.timedelta(days=3 * 365)
        elif status == CredentialStatus.EXPIRED:
            valid_to = today - datetime.timedelta(days=rng.randint(1, 1500))
            valid_from = valid_to - datetime.timedelta(days=rng.randint(2 * 365, 6 * 365))
        else:
            valid_from = today - datetime.timedelta(days=rng.randint(-60, 10 * 365))
            valid_to = (
                None
                if rng.random() < 0.3
                else valid_from + datetime.timedelta(days=rng.randint(2 * 365, 8 * 365))
            )
            if status == CredentialStatus.REGISTERED and valid_to is not None and valid_to < today:
                # A swept register: the daily sweep expires entries past their end, so one
                # still registered was renewed. Drawn past today, not left ended (a third of
                # the register awaiting a sweep that no real register skips).
                valid_to = today + datetime.timedelta(days=rng.randint(1, 4 * 365))
        created = datetime.datetime.combine(
            valid_from - datetime.timedelta(days=rng.randint(30, 240)),
            datetime.time(rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)),
            tzinfo=datetime.UTC,
        )
        return valid_from, valid_to, created

    @staticmethod
    def _outcomes(subject: str, templates: tuple[str, ...], rng: random.Random) -> list[str]:
        return [template.format(subject) for template in rng.sample(templates, rng.randint(2, 4))]

    @staticmethod
    def _mode(rng: random.Random, online_share: float) -> str:
        roll = rng.random()
        if roll < 0.02:
            return ""
        if roll < 0.02 + online_share:
            return DeliveryMode.ONLINE
        if roll < 0.3 + online_share:
            return DeliveryMode.BLENDED
        return DeliveryMode.ONSITE

    def _row(self, row_id: int, values: dict, rng: random.Random) -> tuple:
        status = _pick_status(rng)
        valid_from, valid_to, created = self._dates(status, rng)
        hours = values["credits"] * 10
        return (
            row_id,
            created,
            created,
            values["registration_number"],
            values["kind"],
            values["title_en"],
            values["title_zh"],
            values["qualification_type"],
            values["credits"],
            round(hours / 27.5, 1) if rng.random() < 0.3 else None,
            hours,
            int(hours * 0.6),
            "",
            "",
            values["outcomes_en"],
            values["outcomes_zh"],
            rng.choice(ASSESSMENTS),
            rng.choice(SUPERVISIONS),
            values["mode"],
            values["qa_type"],
            "",
            values["languages"],
            rng.random() < 0.2,
            "",
            values["fee"],
            values["currency"] if values["fee"] is not None else "",
            values["quality_marks"],
            valid_from,
            valid_to,
            status,
            created,
            values["register"],
            "",
            self.refs.areas.get(values["area"]),
            None,
            None,
            values["level"],
            self.refs.providers[values["provider"]],
            None,
        )

    # UK and HK entries ----------------------------------------------------------------

    def _uk_row(self, row_id: int, rng: random.Random) -> tuple:
        source = rng.choice(self.sources.uk_titles)
        title = source.title
        level_code = source.level or rng.choice(("1", "2", "3"))
        award = _SHORT_UK_TYPE.search(title)
        small = award is not None and award.group(1) == "Award" and level_code[0] in "E123"
        digits = f"{60_000_000 + _permuted(row_id, 10_000_000):08d}"
        marks = []
        if source.qualification_type in ("Higher National Certificate", "Higher National Diploma"):
            marks.append(QualityMark.HTQ)
        if rng.random() < 0.2:
            marks.append(QualityMark.DFE_FUNDED)
        if level_code in ("3", "4", "5", "6") and rng.random() < 0.05:
            marks.append(QualityMark.ADVANCED_LEARNER_LOAN)
        values = {
            "registration_number": f"{digits[:3]}/{digits[3:7]}/{digits[7]}",
            "kind": (
                CredentialKind.MICRO_CREDENTIAL
                if small and rng.random() < 0.7
                else CredentialKind.QUALIFICATION
            ),
            "title_en": title,
            "title_zh": "",
            "qualification_type": source.qualification_type or rng.choice(GENERIC_TYPES),
            "credits": _uk_credits(title, rng),
            "outcomes_en": (
                self._outcomes(source.subject, OUTCOMES_EN, rng) if rng.random() < 0.3 else []
            ),
            "outcomes_zh": [],
            "mode": self._mode(rng, 0.1),
            "qa_type": "Regulated by Ofqual",
            "languages": ["en"],
            "fee": rng.randint(150, 3000) if rng.random() < 0.3 else None,
            "currency": "GBP",
            "quality_marks": marks,
            "register": "ofqual",
            "area": source.area or rng.choice(self.refs.uk_areas),
            "level": self.refs.levels.get(("RQF", level_code)),
            "provider": source.organisation or rng.choice(self.organisation_keys),
        }
        return self._row(row_id, values, rng)

    def _hk_row(self, row_id: int, hk_index: int, rng: random.Random) -> tuple:
        languages = rng.choice((["en"], ["yue", "en"], ["zh-hant", "en"], ["yue"]))
        kind: str
        if rng.random() < HK_PROGRAMME_SHARE:
            programme = rng.choice(self.sources.hk_programmes)
            provider = f"hk:{programme.institution}"
            if provider not in self.refs.providers:
                provider = rng.choice(self.hk_trainers)
            level, kind, credits = 5, CredentialKind.QUALIFICATION, rng.randint(240, 480)
            title_en, title_zh = programme.title_en, programme.title_zh
            area = programme.areas[0] if programme.areas else rng.choice(self.refs.hk_areas)
            subject_en = subject_zh = ""
            with_outcomes = rng.random() < 0.2
        else:
            subject = rng.choice(self.sources.hk_subjects)
            award_en, award_zh, levels, kind, (low, high) = rng.choice(HK_AWARDS)
            provider = rng.choice(self.hk_trainers if rng.random() < 0.8 else self.hk_universities)
            level, credits = rng.choice(levels), rng.randint(low, high)
            title_en = f"{award_en} {subject.en}"
            title_zh = f"{subject.zh}{award_zh}"
            if rng.random() < 0.2:
                # HKQR lists many titles as "<institution><award>課程：<subject>".
                title_zh = f"{award_zh}課程：{subject.zh}"
            area = subject.area
            subject_en, subject_zh = subject.en, subject.zh
            with_outcomes = rng.random() < 0.6
        year = (self.today.year - rng.randint(0, 9)) % 100
        values = {
            "registration_number": f"{year:02d}/{_permuted(hk_index, 1_000_000):06d}/L{level}",
            "kind": kind,
            "title_en": title_en,
            "title_zh": title_zh,
            "qualification_type": "",
            "credits": credits,
            "outcomes_en": (
                self._outcomes(subject_en or title_en, OUTCOMES_EN, rng) if with_outcomes else []
            ),
            "outcomes_zh": (
                self._outcomes(subject_zh or title_zh, OUTCOMES_ZH, rng) if with_outcomes else []
            ),
            "mode": self._mode(rng, 0.3),
            "qa_type": "Accredited by HKCAAVQ",
            "languages": languages,
            "fee": rng.randint(2_000, 90_000) if rng.random() < 0.7 else None,
            "currency": "HKD",
            "quality_marks": [QualityMark.CEF] if rng.random() < 0.25 else [],
            "register": "hkqr",
            "area": area,
            "level": self.refs.levels.get(("HKQF", str(level))),
            "provider": provider,
        }
        return self._row(row_id, values, rng)
