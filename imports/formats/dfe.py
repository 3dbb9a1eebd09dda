"""The DfE list of qualifications approved for funding (one row per qualification).

Source: ``uk/dfe-approved-qualifications-*.csv`` in the shared data folder. Every row is
an Ofqual-regulated qualification; the list adds funding streams with approval dates. An
entry's validity is the span of its funding approvals, and the list governs the "approved
for DfE funding" and "Advanced Learner Loan" quality marks (other marks are left alone).
"""

import datetime
import functools
import re

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from credentials.choices import CredentialKind, CredentialStatus, QualityMark
from credentials.models import Credential

from ..organisations import AwardingOrganisations
from ..reading import Column
from .base import CellError, FormatContext, ParsedRow, RegisterFormat, optional_url, tidy
from .ofqual_common import (
    ENTRY_LEVEL_UNKNOWN,
    OFQUAL_REGISTER,
    QUALITY_ASSURANCE,
    read_qualification_number,
    rqf_level,
    sector_subject_area,
)

FUNDING_LABELS = {
    "Age1416": "age 14-16",
    "Age1619": "age 16-19",
    "LocalFlexibilities": "local flexibilities",
    "LegalEntitlementL2L3": "legal entitlement L2/L3",
    "LegalEntitlementEnglishandMaths": "legal entitlement English and maths",
    "DigitalEntitlement": "digital entitlement",
    "LifelongLearningEntitlement": "Lifelong Learning Entitlement",
    "AdvancedLearnerLoans": "Advanced Learner Loans",
    "L3FreeCoursesForJobs": "Free Courses for Jobs",
}
HTQ_TITLE = re.compile(r"\bHTQ\b|Higher Technical Qualification", re.I)
OWNED_MARKS = frozenset({QualityMark.DFE_FUNDED, QualityMark.ADVANCED_LEARNER_LOAN})
APPROVED = "approved"


def parse_uk_date(text: str) -> datetime.date | None:
    """Read the list's dates (31/07/2026); blank is None, anything else raises ValueError."""
    return _parse_uk_date(text) if text else None


@functools.lru_cache(maxsize=4096)
def _parse_uk_date(text: str) -> datetime.date:
    # A list repeats a few hundred dates across thousands of rows.
    return datetime.datetime.strptime(text, "%d/%m/%Y").date()


def funding(
    row: dict[str, str],
) -> tuple[list[str], datetime.date | None, datetime.date | None]:
    """The streams a row is funded under, with the earliest start and latest end of approval.

    Raises ValueError, naming the column, for a date the list should not contain.
    """
    streams: list[str] = []
    starts: list[datetime.date] = []
    ends: list[datetime.date] = []
    for stream in FUNDING_LABELS:
        if row.get(f"{stream}_FundingAvailable", "").strip().casefold() != "true":
            continue
        streams.append(stream)
        for suffix, dates in (("Start", starts), ("End", ends)):
            column = f"{stream}_FundingApproval{suffix}Date"
            try:
                value = parse_uk_date(row.get(column, "").strip())
            except ValueError as error:
                raise ValueError(column) from error
            if value:
                dates.append(value)
    return streams, min(starts, default=None), max(ends, default=None)


def _funding_columns() -> tuple[Column, ...]:
    return tuple(
        Column(f"{stream}_{suffix}", required=False)
        for stream in FUNDING_LABELS
        for suffix in ("FundingAvailable", "FundingApprovalStartDate", "FundingApprovalEndDate")
    )


class DfeFormat(RegisterFormat):
    name = "dfe"
    external_register = OFQUAL_REGISTER
    number_column = "QualificationNumber"
    columns = (
        Column("QualificationNumber"),
        Column("QualificationName"),
        Column("AwardingOrganisation"),
        Column("Level"),
        Column("QualificationType"),
        Column("SectorSubjectArea"),
        Column("Status"),
        Column("DateOfOfqualDataSnapshot", required=False),
        Column("AwardingOrganisationURL", required=False),
        *_funding_columns(),
    )
    field_columns = {
        "registration_number": "QualificationNumber",
        "title_en": "QualificationName",
        "qualification_type": "QualificationType",
        "level": "Level",
        "area_of_study": "SectorSubjectArea",
        "valid_from": "Age1619_FundingApprovalStartDate",
        "valid_to": "Age1619_FundingApprovalEndDate",
        "further_information_url": "AwardingOrganisationURL",
        "provider": "AwardingOrganisation",
        "awarding_body": "AwardingOrganisation",
    }

    def __init__(self, context: FormatContext):
        super().__init__(context)
        self.organisations = AwardingOrganisations()
        self.status_reason = _("On the DfE list of qualifications approved for funding.")

    def missing_candidates(self) -> QuerySet[Credential]:
        """Entries the list put on the register: a newer list that lacks one is reported."""
        return Credential.objects.filter(
            external_register=OFQUAL_REGISTER, quality_marks__contains=[QualityMark.DFE_FUNDED]
        )

    def parse(self, row_number: int, row: dict[str, str]) -> ParsedRow | None:
        report = self.report
        number = self.cell(
            row_number, "QualificationNumber", read_qualification_number, row["QualificationNumber"]
        )
        if number is None:
            if not row["QualificationNumber"].strip():
                report.error(
                    row_number, "QualificationNumber", _("The qualification number is blank.")
                )
            return None
        title = tidy(row["QualificationName"])
        try:
            level = rqf_level(self.context, row["Level"], title=title)
        except CellError as error:
            report.error(row_number, "Level", str(error))
            level = None
        else:
            if level is None:
                report.warning(
                    row_number,
                    "Level",
                    _(ENTRY_LEVEL_UNKNOWN),
                )
        area = None
        if row["SectorSubjectArea"].strip():
            area = sector_subject_area(self.context, row["SectorSubjectArea"])
            if area is None:
                report.warning(
                    row_number,
                    "SectorSubjectArea",
                    _("“%(value)s” is not a known sector subject area; it is left blank.")
                    % {"value": tidy(row["SectorSubjectArea"])},
                )
        try:
            streams, start, end = funding(row)
        except ValueError as error:
            column = str(error)
            report.error(
                row_number,
                column,
                _("“%(value)s” is not a date in the form DD/MM/YYYY.") % {"value": row[column]},
            )
            streams, start, end = [], None, None
        organisation = tidy(row["AwardingOrganisation"])
        if not organisation:
            report.error(
                row_number, "AwardingOrganisation", _("The awarding organisation is blank.")
            )
            return None
        marks = []
        if streams:
            marks.append(QualityMark.DFE_FUNDED)
        if "AdvancedLearnerLoans" in streams:
            marks.append(QualityMark.ADVANCED_LEARNER_LOAN)
        if HTQ_TITLE.search(title):
            marks.append(QualityMark.HTQ)
        approved = row["Status"].strip().casefold() == APPROVED
        if not approved:
            report.warning(
                row_number,
                "Status",
                _("“%(value)s” is not “Approved”: a new entry is imported as a draft.")
                % {"value": row["Status"].strip()},
            )
        awarding = self.organisations.ref(organisation)
        parsed = ParsedRow(
            row=row_number,
            registration_number=number,
            values={
                "kind": CredentialKind.QUALIFICATION,
                "title_en": title,
                "qualification_type": tidy(row["QualificationType"]),
                "level": level,
                "area_of_study": area,
                "valid_from": start,
                "valid_to": end,
                "quality_marks": marks,
                "quality_assurance_type": QUALITY_ASSURANCE,
                "external_register": OFQUAL_REGISTER,
            },
            status=CredentialStatus.REGISTERED if approved else CredentialStatus.DRAFT,
            status_reason=self.status_reason,
            # An HTQ mark is added from the title but never taken away: the list does not
            # say which qualifications are HTQs.
            quality_marks_owned=OWNED_MARKS,
        )
        url = optional_url(
            report, row_number, "AwardingOrganisationURL", row.get("AwardingOrganisationURL", "")
        )
        if url:
            parsed.values["further_information_url"] = url
        if self.context.provider is None:
            parsed.provider = awarding
        else:
            parsed.provider = None
            parsed.awarding_body = awarding
            parsed.sets_awarding_body = True
        return parsed
