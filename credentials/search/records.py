"""Read queries for one register entry: the full record, verification and level equivalents."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from qualifications.models import CreditConvention, Level, LevelReference, ReferenceBasis

from ..choices import CURRENT_STATUSES, PUBLIC_STATUSES, CredentialStatus
from ..models import Credential, PathwayComponent, RecognitionAgreement
from ..selectors import credential_by_number

ECTS = "ECTS"


def credential_record_queryset() -> QuerySet[Credential]:
    """Public entries with everything the full record shows, in a fixed number of queries."""
    references = LevelReference.objects.select_related("to_level__framework")
    memberships = PathwayComponent.objects.select_related(
        "pathway__award__provider", "pathway__award__level__framework"
    )
    components = PathwayComponent.objects.select_related(
        "credential__provider", "credential__level__framework"
    )
    recognitions = RecognitionAgreement.objects.select_related(
        "recognising_provider", "target_credential"
    )
    return (
        Credential.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related(
            "provider", "awarding_body", "level__framework", "area_of_study", "superseded_by"
        )
        .defer("search_document", "superseded_by__search_document")
        .prefetch_related(
            "accreditations",
            Prefetch("supersedes", queryset=_versions()),
            "status_changes",
            Prefetch("level__references_out", queryset=references),
            Prefetch("pathway_memberships", queryset=memberships),
            Prefetch("pathways_as_award__memberships", queryset=components),
            Prefetch("recognitions", queryset=recognitions),
        )
    )


def _versions() -> QuerySet[Credential]:
    """Records a successor link points to, with what a link to them shows."""
    return Credential.objects.select_related("provider").defer("search_document").order_by("pk")


def credential_is_current(credential: Credential, *, on: datetime.date | None = None) -> bool:
    """Return whether the entry is registered (or in teach-out, whose end has not come) and
    inside its validity period."""
    on = on or timezone.localdate()
    teach_out_ended = (
        credential.status == CredentialStatus.TEACH_OUT
        and credential.teach_out_ends_on is not None
        and credential.teach_out_ends_on < on
    )
    return (
        credential.status in CURRENT_STATUSES
        and not teach_out_ended
        and credential.valid_from is not None
        and credential.valid_from <= on
        and (credential.valid_to is None or credential.valid_to >= on)
    )


def credential_verify(*, registration_number: str) -> Credential | None:
    """Find a public entry by its registration number, with or without separators."""
    return credential_by_number(
        registration_number,
        within=Credential.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("provider", "level__framework", "superseded_by")
        .prefetch_related(Prefetch("supersedes", queryset=_versions()))
        .defer("search_document", "superseded_by__search_document"),
    )


@dataclass(frozen=True)
class LevelEquivalent:
    """A level in another framework comparable to a credential's level."""

    framework: str
    level: str
    name_en: str
    basis: str
    source: str
    note: str
    via: str  # "" for a direct reference, else the shared level, e.g. "EQF 5"

    @property
    def indicative(self) -> bool:
        return self.basis == ReferenceBasis.INDICATIVE


def level_equivalents(level: Level | None) -> list[LevelEquivalent]:
    """Return levels comparable to `level`: its own references, then others through them.

    Going through a shared level (usually EQF) is only as strong as its weaker link, so
    such an equivalent is indicative unless both references are official.
    """
    if level is None:
        return []
    # The record queryset prefetches these; a bare level costs one query.
    direct = list(level.references_out.all())
    found = [
        LevelEquivalent(
            framework=reference.to_level.framework.code,
            level=reference.to_level.code,
            name_en=reference.to_level.name_en,
            basis=reference.basis,
            source=reference.source,
            note=reference.note,
            via="",
        )
        for reference in direct
    ]
    by_target = {reference.to_level_id: reference for reference in direct}
    siblings = (
        LevelReference.objects.filter(to_level_id__in=by_target)
        .exclude(from_level=level)
        .select_related("from_level__framework", "to_level__framework")
        .order_by("from_level__framework__code", "from_level__ordinal")
    )
    for reference in siblings:
        own = by_target[reference.to_level_id]
        official = own.basis == reference.basis == ReferenceBasis.OFFICIAL
        found.append(
            LevelEquivalent(
                framework=reference.from_level.framework.code,
                level=reference.from_level.code,
                name_en=reference.from_level.name_en,
                basis=ReferenceBasis.OFFICIAL if official else ReferenceBasis.INDICATIVE,
                source=f"{own.source}; {reference.source}",
                note=reference.note,
                via=f"{reference.to_level.framework.code} {reference.to_level.code}",
            )
        )
    return found


@dataclass(frozen=True)
class CreditConversion:
    """A credential's size in its framework's credit, in hours, and as an ECTS range."""

    framework_code: str
    credit_name: str
    credits: Decimal | None
    hours: int | None
    hours_estimated: bool
    ects_low: Decimal | None
    ects_high: Decimal | None
    ects_stated: Decimal | None
    hours_per_credit: int | None


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def credit_conversion(credential: Credential) -> CreditConversion:
    """Convert between framework credit, notional hours and ECTS, as ranges where they vary."""
    framework = credential.level.framework if credential.level else None
    conventions = {
        convention.system: convention
        for convention in CreditConvention.objects.filter(
            system__in=[ECTS, framework.code if framework else ""]
        )
    }
    own = conventions.get(framework.code) if framework else None
    hours_per_credit = own.hours_per_credit_min if own else None
    if hours_per_credit is None and framework is not None:
        hours_per_credit = framework.hours_per_credit
    credits = credential.credits
    hours = credential.notional_hours
    estimated = False
    if hours is None and credits is not None and hours_per_credit:
        hours = int(credits * hours_per_credit)
        estimated = True
    if credits is None and hours is not None and hours_per_credit:
        credits = _one_decimal(Decimal(hours) / hours_per_credit)
    ects = conventions.get(ECTS)
    low = high = None
    if hours is not None and ects is not None:
        low = _one_decimal(Decimal(hours) / ects.hours_per_credit_max)
        high = _one_decimal(Decimal(hours) / ects.hours_per_credit_min)
    return CreditConversion(
        framework_code=framework.code if framework else "",
        credit_name=framework.credit_name if framework else "",
        credits=credits,
        hours=hours,
        hours_estimated=estimated,
        ects_low=low,
        ects_high=high,
        ects_stated=credential.ects_credits,
        hours_per_credit=hours_per_credit,
    )
