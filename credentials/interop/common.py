"""Pieces the Open Badges and CTDL documents share: addresses, kinds of award, identifiers."""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from django.urls import reverse

from providers.models import Provider

from ..choices import CredentialKind
from ..models import Credential

# Turns a site path into an absolute URL, e.g. ``request.build_absolute_uri``.
Absolute = Callable[[str], str]

# Stable across databases: a credential's CTID derives from its registration key alone, so
# re-publishing after a rebuild keeps the identifier the Credential Registry knows.
CTID_NAMESPACE = uuid.UUID("6f2b8d0e-5a7c-4a35-9a52-1d3c0b7e2f41")


@dataclass(frozen=True)
class AwardKind:
    """One kind of award as Open Badges (achievementType) and CTDL (@type) name it."""

    open_badges: str
    ctdl: str


MICRO_CREDENTIAL = AwardKind("MicroCredential", "ceterms:MicroCredential")
CERTIFICATE = AwardKind("Certificate", "ceterms:Certificate")
# Checked in order against the qualification type and title; the first match wins.
AWARD_PATTERNS: tuple[tuple[re.Pattern[str], AwardKind], ...] = (
    (
        re.compile(r"Associate Degree", re.I),
        AwardKind("AssociateDegree", "ceterms:AssociateDegree"),
    ),
    (
        re.compile(r"\bBachelor|\bB(?:A|Sc|BA|Eng|Ed|Soc ?Sc|Arch|N)\b", re.I),
        AwardKind("BachelorDegree", "ceterms:BachelorDegree"),
    ),
    (
        re.compile(r"\bMaster(?:'s)? (?:of|Degree)|\bM(?:Sc|BA|Phil|A|Ed|Eng|Res)\b", re.I),
        AwardKind("MasterDegree", "ceterms:MasterDegree"),
    ),
    (
        re.compile(r"\bDoctor(?:ate|al)?\b|\bPhD\b|\bD(?:Phil|Ed|BA)\b", re.I),
        AwardKind("DoctoralDegree", "ceterms:DoctoralDegree"),
    ),
    (re.compile(r"\bDiploma\b", re.I), AwardKind("Diploma", "ceterms:Diploma")),
)


def award_kind(credential: Credential) -> AwardKind:
    """The kind of award a register entry is, for other systems' vocabularies."""
    if credential.kind == CredentialKind.MICRO_CREDENTIAL:
        return MICRO_CREDENTIAL
    text = f"{credential.qualification_type} {credential.title_en}"
    return next((kind for pattern, kind in AWARD_PATTERNS if pattern.search(text)), CERTIFICATE)


def ctid(credential: Credential) -> str:
    """The credential's CTID: ``ce-`` and a UUID, as the Credential Registry requires."""
    return f"ce-{uuid.uuid5(CTID_NAMESPACE, f'credential:{credential.registration_key}')}"


def page_url(credential: Credential, absolute: Absolute) -> str:
    return absolute(reverse("credentials:detail", kwargs={"pk": credential.pk}))


def provider_url(credential: Credential, absolute: Absolute, *, awarding: bool = False) -> str:
    # Callers ask for the awarding body only when awarding_body_id is set.
    provider = cast(Provider, credential.awarding_body if awarding else credential.provider)
    return absolute(reverse("credentials:provider", kwargs={"slug": provider.slug}))


def level_url(credential: Credential, absolute: Absolute) -> str:
    return absolute(reverse("api:level-detail", kwargs={"pk": credential.level_id}))
