"""A register entry as an Open Badges 3.0 ``Achievement`` (JSON-LD).

Shaped like the achievements in the specification's examples
(``tests/data/interop/openbadges3/``): the entry's title, description, criteria
(learning outcomes and assessment), credits, field of study, its registration number as
``humanCode``, and alignments to its framework level and to its CTDL description. An
Achievement has one language; a bilingual entry links its other language as ``related``.
"""

from typing import Any, cast

from django.urls import reverse
from django.utils.http import urlencode

from qualifications.models import AreaOfStudy, Level

from ..choices import QualityMark
from ..models import Credential
from .common import Absolute, award_kind, ctid, level_url, page_url, provider_url

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ENGLISH = "en"
CHINESE = "zh-Hant"
LANGUAGES = (ENGLISH, CHINESE)


def _achievement_url(credential: Credential, absolute: Absolute, language: str) -> str:
    path = reverse("api:credential-openbadges", kwargs={"pk": credential.pk})
    if language != ENGLISH:
        path = f"{path}?{urlencode({'lang': language})}"
    return absolute(path)


def _narrative(outcomes: list[str], assessment: str, chinese: bool) -> str:
    lines = []
    if outcomes:
        lines.append("學員能夠：" if chinese else "Learners who achieve this can:")
        lines.extend(f"- {outcome}" for outcome in outcomes)
    if assessment:
        lines.append(("評核：" if chinese else "Assessment: ") + assessment)
    return "\n".join(lines)


def credential_achievement(
    credential: Credential, *, absolute: Absolute, language: str = ENGLISH
) -> dict[str, Any]:
    """The Open Badges 3.0 Achievement for a credential, in English or Traditional Chinese."""
    chinese = language == CHINESE and bool(credential.title_zh)
    language = CHINESE if chinese else ENGLISH
    name = credential.title_zh if chinese else credential.title_en
    summary = (credential.summary_zh if chinese else "") or credential.summary_en
    outcomes = credential.learning_outcomes_en
    if chinese and credential.learning_outcomes_zh:
        outcomes = credential.learning_outcomes_zh
    provider = credential.provider
    criteria: dict[str, Any] = {"id": page_url(credential, absolute)}
    narrative = _narrative(outcomes, credential.assessment_type, chinese)
    if narrative:
        criteria["narrative"] = narrative
    achievement: dict[str, Any] = {
        "@context": CONTEXT,
        "id": _achievement_url(credential, absolute, language),
        "type": ["Achievement"],
        "achievementType": award_kind(credential).open_badges,
        "name": name,
        "description": summary or name,
        "criteria": criteria,
        "creator": {
            "id": provider_url(credential, absolute),
            "type": ["Profile"],
            "name": (provider.name_zh if chinese else "") or provider.name_en,
            **({"url": provider.website} if provider.website else {}),
        },
        "humanCode": credential.registration_number,
        "inLanguage": language,
        "otherIdentifier": [
            {
                "type": "IdentifierEntry",
                "identifier": credential.registration_number,
                "identifierType": "identifier",
            }
        ],
    }
    if credential.credits is not None:
        achievement["creditsAvailable"] = float(credential.credits)
    if credential.area_of_study_id:
        area = cast(AreaOfStudy, credential.area_of_study)
        achievement["fieldOfStudy"] = (area.name_zh if chinese else "") or area.name_en
    if credential.qualification_type:
        achievement["specialization"] = credential.qualification_type
    if credential.quality_marks:
        achievement["tag"] = [str(QualityMark(mark).label) for mark in credential.quality_marks]
    alignment = []
    if credential.level_id:
        level = cast(Level, credential.level)
        alignment.append(
            {
                "type": ["Alignment"],
                "targetCode": level.code,
                "targetName": f"{level.framework.code} {level.name_en}",
                "targetFramework": level.framework.name_en,
                "targetUrl": level_url(credential, absolute),
            }
        )
    alignment.append(
        {
            "type": ["Alignment"],
            "targetCode": ctid(credential),
            "targetName": credential.title_en,
            "targetFramework": "Credential Transparency Description Language",
            "targetType": "CTDL",
            "targetUrl": absolute(reverse("api:credential-ctdl", kwargs={"pk": credential.pk})),
        }
    )
    achievement["alignment"] = alignment
    if credential.title_zh:
        other = ENGLISH if chinese else CHINESE
        achievement["related"] = [
            {
                "id": _achievement_url(credential, absolute, other),
                "type": ["Related"],
                "inLanguage": other,
            }
        ]
    return achievement
