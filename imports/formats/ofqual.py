"""Ofqual's full register export (33 columns; ``uk/ofqual-full-export-sample.csv``).

Validity runs from the operational start date to the certification end date (the last
day a learner can be certificated), falling back to the operational end date, as the
status checks read the register. Ofqual's status becomes the registry status of a new
entry and is kept word for word as the external status.
"""

from django.utils.translation import gettext as _

from credentials.choices import CredentialKind, CredentialStatus
from credentials.vocabulary import OFQUAL, register_terms, status_for_term

from ..organisations import AwardingOrganisations
from ..reading import Column
from .base import (
    CellError,
    FormatContext,
    ParsedRow,
    RegisterFormat,
    optional_url,
    read_decimal,
    read_ofqual_date,
    read_whole_number,
    tidy,
    unknown_status_message,
)
from .ofqual_common import (
    ENTRY_LEVEL_UNKNOWN,
    OFQUAL_REGISTER,
    QUALITY_ASSURANCE,
    read_qualification_number,
    rqf_level,
    sector_subject_area,
)


class OfqualFormat(RegisterFormat):
    name = "ofqual"
    external_register = OFQUAL_REGISTER
    number_column = "Qualification Number"
    columns = (
        Column("Qualification Number"),
        Column("Qualification Title"),
        Column("Owner Organisation Name"),
        Column("Owner Organisation Acronym", required=False),
        Column("Qualification Level"),
        Column("Qualification Sub Level", required=False),
        Column("Qualification Type"),
        Column("Total Credits", required=False),
        Column("Qualification SSA", required=False),
        Column("Qualification Status"),
        Column("Operational Start Date"),
        Column("Operational End Date", required=False),
        Column("Certification End Date", required=False),
        Column("Total Qualification Time", required=False),
        Column("Guided Learning Hours", required=False),
        Column("Assessment Methods", required=False),
        Column("Link To Specification", required=False),
    )
    field_columns = {
        "registration_number": "Qualification Number",
        "title_en": "Qualification Title",
        "qualification_type": "Qualification Type",
        "level": "Qualification Level",
        "area_of_study": "Qualification SSA",
        "credits": "Total Credits",
        "notional_hours": "Total Qualification Time",
        "guided_learning_hours": "Guided Learning Hours",
        "assessment_type": "Assessment Methods",
        "valid_from": "Operational Start Date",
        "valid_to": "Certification End Date",
        "further_information_url": "Link To Specification",
        "external_status": "Qualification Status",
        "provider": "Owner Organisation Name",
        "awarding_body": "Owner Organisation Name",
    }

    def __init__(self, context: FormatContext):
        super().__init__(context)
        self.organisations = AwardingOrganisations()

    def parse(self, row_number: int, row: dict[str, str]) -> ParsedRow | None:
        report = self.report
        number = self.cell(
            row_number,
            "Qualification Number",
            read_qualification_number,
            row["Qualification Number"],
        )
        if number is None:
            if not row["Qualification Number"].strip():
                report.error(
                    row_number, "Qualification Number", _("The qualification number is blank.")
                )
            return None
        title = tidy(row["Qualification Title"])
        try:
            level = rqf_level(
                self.context,
                row["Qualification Level"],
                sub_level=row.get("Qualification Sub Level", ""),
                title=title,
            )
        except CellError as error:
            report.error(row_number, "Qualification Level", str(error))
            level = None
        else:
            if level is None:
                report.warning(
                    row_number,
                    "Qualification Sub Level",
                    _(ENTRY_LEVEL_UNKNOWN),
                )
        area = None
        ssa = row.get("Qualification SSA", "").strip()
        if ssa:
            area = sector_subject_area(self.context, ssa)
            if area is None:
                report.warning(
                    row_number,
                    "Qualification SSA",
                    _("“%(value)s” is not a known sector subject area; it is left blank.")
                    % {"value": tidy(ssa)},
                )
        status_text = tidy(row["Qualification Status"])
        status = status_for_term(OFQUAL, status_text)
        if status is None:
            report.error(
                row_number,
                "Qualification Status",
                unknown_status_message("Ofqual", status_text, register_terms(OFQUAL)),
            )
            return None
        start = self.cell(
            row_number,
            "Operational Start Date",
            read_ofqual_date,
            row["Operational Start Date"].strip(),
        )
        end_column = "Certification End Date"
        if not row.get(end_column, "").strip():
            end_column = "Operational End Date"
        end = self.cell(row_number, end_column, read_ofqual_date, row.get(end_column, "").strip())
        credits = self.cell(
            row_number, "Total Credits", read_decimal, row.get("Total Credits", "").strip()
        )
        hours = self.cell(
            row_number,
            "Total Qualification Time",
            read_whole_number,
            row.get("Total Qualification Time", "").strip(),
        )
        guided = self.cell(
            row_number,
            "Guided Learning Hours",
            read_whole_number,
            row.get("Guided Learning Hours", "").strip(),
        )
        methods = [
            tidy(part) for part in row.get("Assessment Methods", "").split("|") if part.strip()
        ]
        organisation = tidy(row["Owner Organisation Name"])
        if not organisation:
            report.error(
                row_number, "Owner Organisation Name", _("The awarding organisation is blank.")
            )
            return None
        awarding = self.organisations.ref(
            organisation, tidy(row.get("Owner Organisation Acronym", ""))
        )
        values = {
            "kind": CredentialKind.QUALIFICATION,
            "title_en": title,
            "qualification_type": tidy(row["Qualification Type"]),
            "level": level,
            "area_of_study": area,
            # Older qualifications carry 0 credits: credit was not used, not zero credit.
            "credits": credits or None,
            "notional_hours": hours or None,
            "guided_learning_hours": guided or None,
            "assessment_type": ", ".join(methods),
            "valid_from": start,
            "valid_to": end,
            "quality_assurance_type": QUALITY_ASSURANCE,
            "external_register": OFQUAL_REGISTER,
            "external_status": status_text,
        }
        if status == CredentialStatus.TEACH_OUT:
            # No new learners since the operational end; those enrolled are certificated
            # until the certification end date, which is when the teach-out ends.
            ends_on = self.cell(
                row_number,
                "Certification End Date",
                read_ofqual_date,
                row.get("Certification End Date", "").strip(),
            )
            if ends_on is None and not row.get("Certification End Date", "").strip():
                report.error(
                    row_number,
                    "Certification End Date",
                    _(
                        "A qualification no longer available to new learners needs its "
                        "certification end date: the day its teach-out ends."
                    ),
                )
            values["teach_out_ends_on"] = ends_on
        url = optional_url(
            report, row_number, "Link To Specification", row.get("Link To Specification", "")
        )
        if url:
            values["further_information_url"] = url
        parsed = ParsedRow(
            row=row_number,
            registration_number=number,
            values=values,
            status=status,
            status_reason=_("Ofqual lists it as “%(status)s”.") % {"status": status_text},
        )
        if self.context.provider is None:
            parsed.provider = awarding
        else:
            parsed.awarding_body = awarding
            parsed.sets_awarding_body = True
        return parsed
