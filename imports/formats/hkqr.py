"""An HKQR-style CSV: what a Hong Kong Qualifications Register entry carries, one per row.

No HKQR export is public, so the columns are the register's published key features (see
docs/import-formats.md); headers are matched case-insensitively and in English or Chinese.
"""

import re

from django.utils.translation import gettext as _

from credentials.choices import CredentialKind, CredentialStatus, DeliveryMode
from credentials.vocabulary import HKQR, register_terms, status_for_term
from providers.choices import ProviderType
from qualifications.choices import AreaScheme

from ..organisations import ProviderRef
from ..reading import Column
from .base import (
    CellError,
    ParsedRow,
    RegisterFormat,
    read_date_day_first,
    read_decimal,
    tidy,
    unknown_status_message,
)

HKQR_REGISTER = HKQR
HKQF = "HKQF"
HOURS_PER_QF_CREDIT = 10
# HKQF levels 1-4 must state their QF credits.
LEVELS_NEEDING_CREDITS = {"1", "2", "3", "4"}
QF_LEVEL = re.compile(r"^(?:(?:HK)?QF\s*)?(?:Level\s*|L)?(?P<code>[1-7])$", re.I)
LEVEL_SUFFIX = re.compile(r"/L(?P<code>\d)$", re.I)
# The Qualifications Register's numbers: year / serial / level, e.g. 24/000123/L4 (files
# also write the separators as "-" or leave them out; the registration key matches them).
HKQR_NUMBER = re.compile(r"^\d{2}[/ -]?[0-9A-Z]{4,8}[/ -]?L\d$")
MODES = {
    "onsite": DeliveryMode.ONSITE,
    "on-site": DeliveryMode.ONSITE,
    "on site": DeliveryMode.ONSITE,
    "face-to-face": DeliveryMode.ONSITE,
    "face to face": DeliveryMode.ONSITE,
    "classroom": DeliveryMode.ONSITE,
    "面授": DeliveryMode.ONSITE,
    "online": DeliveryMode.ONLINE,
    "e-learning": DeliveryMode.ONLINE,
    "distance": DeliveryMode.ONLINE,
    "網上": DeliveryMode.ONLINE,
    "網上學習": DeliveryMode.ONLINE,
    "blended": DeliveryMode.BLENDED,
    "mixed": DeliveryMode.BLENDED,
    "mixed mode": DeliveryMode.BLENDED,
    "hybrid": DeliveryMode.BLENDED,
    "混合": DeliveryMode.BLENDED,
    "混合模式": DeliveryMode.BLENDED,
}
KINDS = {
    "qualification": CredentialKind.QUALIFICATION,
    "資歷": CredentialKind.QUALIFICATION,
    "micro-credential": CredentialKind.MICRO_CREDENTIAL,
    "micro credential": CredentialKind.MICRO_CREDENTIAL,
    "micro_credential": CredentialKind.MICRO_CREDENTIAL,
    "microcredential": CredentialKind.MICRO_CREDENTIAL,
    "微證書": CredentialKind.MICRO_CREDENTIAL,
}
AREA_SCHEMES = (AreaScheme.HK_AREA, AreaScheme.HK_PROGRAMME)


def read_qf_level(text: str) -> str:
    match = QF_LEVEL.match(tidy(text))
    if match is None:
        raise CellError(_("“%(value)s” is not an HKQF level (1 to 7).") % {"value": text})
    return match["code"]


def read_mode(text: str) -> str:
    mode = MODES.get(tidy(text).casefold())
    if mode is None:
        raise CellError(
            _("“%(value)s” is not a mode of delivery; use on-site, online or blended.")
            % {"value": text}
        )
    return mode


def read_kind(text: str) -> str:
    kind = KINDS.get(tidy(text).casefold())
    if kind is None:
        raise CellError(
            _("“%(value)s” is not a kind of credential; use qualification or micro-credential.")
            % {"value": text}
        )
    return kind


class HkqrFormat(RegisterFormat):
    name = "hkqr"
    external_register = HKQR_REGISTER
    number_column = "Registration Number"
    columns = (
        Column(
            "Registration Number",
            aliases=("QR Registration No.", "QR Registration Number", "資歷名冊登記號碼"),
        ),
        Column(
            "Title (English)",
            aliases=("English Title", "Title in English", "Qualification Title (English)"),
        ),
        Column(
            "Title (Chinese)",
            required=False,
            aliases=(
                "Chinese Title",
                "Title in Chinese",
                "Qualification Title (Chinese)",
                "資歷名稱",
            ),
        ),
        Column("Operator", required=False, aliases=("Operator (English)", "營辦者")),
        Column("Operator (Chinese)", required=False, aliases=("營辦者（中文）",)),
        Column("QF Level", aliases=("資歷架構級別",)),
        Column("QF Credit", required=False, aliases=("QF Credits", "資歷架構學分")),
        Column(
            "Area of Study",
            required=False,
            aliases=("Area of Study and Training", "學習及培訓範疇"),
        ),
        Column("Mode", required=False, aliases=("Mode of Delivery", "授課模式")),
        Column("Valid From", aliases=("Validity Period From", "有效期由")),
        Column("Valid To", required=False, aliases=("Validity Period To", "有效期至")),
        Column("Status", required=False, aliases=("Registration Status", "狀態")),
        Column("Kind", required=False, aliases=("類別",)),
    )
    field_columns = {
        "registration_number": "Registration Number",
        "title_en": "Title (English)",
        "title_zh": "Title (Chinese)",
        "kind": "Kind",
        "level": "QF Level",
        "credits": "QF Credit",
        "notional_hours": "QF Credit",
        "area_of_study": "Area of Study",
        "mode_of_delivery": "Mode",
        "valid_from": "Valid From",
        "valid_to": "Valid To",
        "external_status": "Status",
        "provider": "Operator",
    }

    def parse(self, row_number: int, row: dict[str, str]) -> ParsedRow | None:
        report, context = self.report, self.context
        number = tidy(row["Registration Number"]).upper()
        if not number:
            report.error(row_number, "Registration Number", _("The registration number is blank."))
            return None
        if not HKQR_NUMBER.match(number):
            report.error(
                row_number,
                "Registration Number",
                _("“%(value)s” is not an HKQR registration number (e.g. 24/000123/L4).")
                % {"value": number[:60]},
            )
            return None
        code = self.cell(row_number, "QF Level", read_qf_level, row["QF Level"].strip())
        if code is None and not row["QF Level"].strip():
            report.error(row_number, "QF Level", _("The QF level is blank."))
        level = context.levels[(HKQF, code)] if code else None
        suffix = LEVEL_SUFFIX.search(number)
        if code and suffix and suffix["code"] != code:
            report.error(
                row_number,
                "Registration Number",
                _("The number ends in L%(suffix)s but the QF level is %(level)s.")
                % {"suffix": suffix["code"], "level": code},
            )
        credits = self.cell(row_number, "QF Credit", read_decimal, row.get("QF Credit", "").strip())
        if (
            credits is None
            and code in LEVELS_NEEDING_CREDITS
            and not row.get("QF Credit", "").strip()
        ):
            report.warning(
                row_number,
                "QF Credit",
                _("HKQF levels 1 to 4 must state their QF credits."),
            )
        start = self.cell(row_number, "Valid From", read_date_day_first, row["Valid From"].strip())
        if start is None and not row["Valid From"].strip():
            report.error(row_number, "Valid From", _("The start of the validity period is blank."))
        end = self.cell(
            row_number, "Valid To", read_date_day_first, row.get("Valid To", "").strip()
        )
        values = {
            "title_en": tidy(row["Title (English)"]),
            "level": level,
            "credits": credits,
            "notional_hours": int(credits * HOURS_PER_QF_CREDIT) if credits is not None else None,
            "valid_from": start,
            "valid_to": end,
            "external_register": HKQR_REGISTER,
        }
        if "Title (Chinese)" in row:
            values["title_zh"] = tidy(row["Title (Chinese)"])
        if "Kind" in row:
            values["kind"] = (
                self.cell(row_number, "Kind", read_kind, row["Kind"].strip())
                or CredentialKind.QUALIFICATION
            )
        else:
            values["kind"] = CredentialKind.QUALIFICATION
        if "Mode" in row:
            values["mode_of_delivery"] = (
                self.cell(row_number, "Mode", read_mode, row["Mode"].strip()) or ""
            )
        if "Area of Study" in row:
            area_text = tidy(row["Area of Study"])
            area = context.area(AREA_SCHEMES, area_text) if area_text else None
            if area_text and area is None:
                report.warning(
                    row_number,
                    "Area of Study",
                    _("“%(value)s” is not a known area of study; it is left blank.")
                    % {"value": area_text},
                )
            values["area_of_study"] = area
        status: str | None = CredentialStatus.REGISTERED
        status_text = tidy(row.get("Status", ""))
        if status_text:
            values["external_status"] = status_text
            status = status_for_term(HKQR, status_text)
            if status is None:
                report.error(
                    row_number,
                    "Status",
                    unknown_status_message("HKQR", status_text, register_terms(HKQR)),
                )
                return None
        parsed = ParsedRow(
            row=row_number,
            registration_number=number,
            values=values,
            status=status,
            status_reason=_("Imported from an HKQR-style register file."),
        )
        operator = tidy(row.get("Operator", ""))
        operator_zh = tidy(row.get("Operator (Chinese)", ""))
        if operator or operator_zh:
            parsed.provider = ProviderRef(
                name_en=operator or operator_zh,
                name_zh=operator_zh,
                jurisdiction="HK",
                provider_type=ProviderType.TRAINING_PROVIDER,
            )
        elif context.provider is None:
            report.error(
                row_number,
                "Operator",
                _("The operator is blank and no provider was chosen for this import."),
            )
        return parsed
