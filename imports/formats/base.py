"""What every format parser shares: the row it produces and the lookups it needs."""

import datetime
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, cast

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from credentials.choices import CredentialStatus
from credentials.models import Credential
from providers.models import Provider
from qualifications.models import AreaOfStudy, Level

from ..organisations import ProviderRef
from ..reading import Column
from ..report import ImportReport


def unknown_status_message(register_name: str, text: str, known: list[str]) -> str:
    """The row error for a register status word the mapping table does not hold."""
    return _(
        "“%(value)s” is not a %(register)s status the registry maps; it knows: %(known)s "
        "(docs/status-vocabulary.md)."
    ) % {"value": text, "register": register_name, "known": ", ".join(known)}


class CellError(ValueError):
    """A cell's value cannot be read; the message says what was expected."""


@dataclass
class ParsedRow:
    """One data row turned into credential field values, before it meets the database.

    ``values`` holds model field names and Python values (Level and AreaOfStudy objects for
    those relations); ``provider`` and ``awarding_body`` are references resolved later.
    ``quality_marks_owned`` names the marks this format decides; None means the whole list.
    """

    row: int
    registration_number: str
    values: dict[str, Any] = field(default_factory=dict)
    provider: ProviderRef | None = None
    awarding_body: ProviderRef | None = None
    sets_awarding_body: bool = False
    status: str | None = None
    status_reason: str = ""
    # A superseded entry's successor, by registration number (the registry's own CSV).
    superseded_by: str = ""
    quality_marks_owned: frozenset[str] | None = None


@dataclass
class FormatContext:
    """Reference data and options every parser reads; loaded once per import."""

    report: ImportReport
    provider: Provider | None = None
    levels: dict[tuple[str, str], Level] = field(default_factory=dict)
    areas: dict[str, dict[str, AreaOfStudy]] = field(default_factory=dict)
    area_codes: dict[tuple[str, str], AreaOfStudy] = field(default_factory=dict)

    @classmethod
    def load(cls, *, report: ImportReport, provider: Provider | None = None) -> "FormatContext":
        levels = {
            (level.framework.code, level.code.upper()): level
            for level in Level.objects.select_related("framework")
        }
        areas: dict[str, dict[str, AreaOfStudy]] = {}
        area_codes: dict[tuple[str, str], AreaOfStudy] = {}
        for area in AreaOfStudy.objects.all():
            area_codes[(area.scheme, area.code)] = area
            lookup = areas.setdefault(area.scheme, {})
            for key in (area.code, area.name_en, area.name_zh):
                if key:
                    lookup.setdefault(" ".join(key.split()).casefold(), area)
        return cls(
            report=report, provider=provider, levels=levels, areas=areas, area_codes=area_codes
        )

    def area(self, schemes: tuple[str, ...], text: str) -> AreaOfStudy | None:
        key = " ".join(text.split()).casefold()
        for scheme in schemes:
            area = self.areas.get(scheme, {}).get(key)
            if area is not None:
                return area
        return None


class RegisterFormat:
    """One file format: its columns, and how a row becomes credential values."""

    name: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    # Which value of Credential.external_register the format's rows mirror, if any.
    external_register: ClassVar[str] = ""
    # Whether a registered entry whose validity has ended is imported as expired; the
    # registry's own CSV carries its statuses exactly as they were.
    status_follows_validity: ClassVar[bool] = True
    # The column holding the registration number, for problems the validator finds.
    number_column: ClassVar[str]
    # Model field name → the column it came from, for problems the validator finds.
    field_columns: ClassVar[Mapping[str, str]] = {}

    def __init__(self, context: FormatContext):
        self.context = context
        self.report = context.report

    def parse(self, row_number: int, row: dict[str, str]) -> ParsedRow | None:
        """Turn one row into values; report each problem found and return None if unusable."""
        raise NotImplementedError

    def column_for(self, field_name: str) -> str:
        return self.field_columns.get(field_name, field_name)

    def cell(self, row_number: int, column: str, reader: Callable[[str], Any], text: str) -> Any:
        """Read a cell with ``reader``; report a CellError as an error and return None."""
        if not text:
            return None
        try:
            return reader(text)
        except CellError as error:
            self.report.error(row_number, column, str(error))
            return None


def tidy(text: str) -> str:
    """Collapse runs of whitespace, as published files pad and wrap titles."""
    return " ".join(text.split())


def http_url(text: str) -> str:
    """Keep a web address; registers put "False" or a bare domain where there is none."""
    text = text.strip()
    return text if text.startswith(("http://", "https://")) else ""


_URL = URLValidator()
_URL_LENGTH = cast(int, Credential._meta.get_field("further_information_url").max_length)


@functools.lru_cache(maxsize=4096)
def _url_problem(language: str | None, url: str) -> str:
    """What is wrong with ``url`` in ``language``, the active one (part of the cache's key)."""
    if len(url) > _URL_LENGTH:
        return _("The web address is longer than %(limit)d characters.") % {"limit": _URL_LENGTH}
    try:
        _URL(url)
    except ValidationError:
        return _("“%(value)s” is not a valid web address.") % {"value": url}
    return ""


def optional_url(report: ImportReport, row_number: int, column: str, text: str) -> str:
    """A further-information link from a published register: a broken one is dropped with a
    warning rather than holding up the rest of the row."""
    url = http_url(text)
    if not url:
        return ""
    problem = _url_problem(get_language(), url)
    if problem:
        report.warning(row_number, column, problem + " " + _("It is left out."))
        return ""
    return url


DECIMAL_TEXT = re.compile(r"^\d+(\.\d+)?$")


def read_decimal(text: str) -> Decimal:
    text = text.replace(",", "").strip()
    if not DECIMAL_TEXT.match(text):
        raise CellError(_("“%(value)s” is not a number.") % {"value": text})
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise CellError(_("“%(value)s” is not a number.") % {"value": text}) from error


def read_whole_number(text: str) -> int:
    value = read_decimal(text)
    if value != value.to_integral_value():
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": text})
    return int(value)


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DAY_FIRST_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# Ofqual's exports: "5/1/2008 12:00:00 AM +00:00", month first.
OFQUAL_DATE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AP]M)?)?"
    r"(?:\s*[+-]\d{2}:?\d{2}|\s*Z)?$",
    re.I,
)


def _date(year: str, month: str, day: str, text: str) -> datetime.date:
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError as error:
        raise CellError(_("“%(value)s” is not a real date.") % {"value": text}) from error


def read_date_day_first(text: str) -> datetime.date:
    """Read 2025-09-01 or 01/09/2025 (day first, as the UK and Hong Kong write dates)."""
    if ISO_DATE.match(text):
        year, month, day = text.split("-")
        return _date(year, month, day, text)
    match = DAY_FIRST_DATE.match(text)
    if match:
        day, month, year = match.groups()
        return _date(year, month, day, text)
    raise CellError(
        _("“%(value)s” is not a date; write it as YYYY-MM-DD or DD/MM/YYYY.") % {"value": text}
    )


def read_iso_date(text: str) -> datetime.date:
    if not ISO_DATE.match(text):
        raise CellError(_("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": text})
    year, month, day = text.split("-")
    return _date(year, month, day, text)


def read_ofqual_date(text: str) -> datetime.date:
    """Read Ofqual's month-first export dates; the time of day is dropped."""
    match = OFQUAL_DATE.match(text)
    if match:
        month, day, year = match.groups()
        return _date(year, month, day, text)
    if ISO_DATE.match(text[:10]):
        return read_iso_date(text[:10])
    raise CellError(
        _("“%(value)s” is not a date in Ofqual's form (month/day/year).") % {"value": text}
    )


def status_for_new(
    status: str,
    *,
    has_level: bool,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
    today: datetime.date,
    expire: bool = True,
    teach_out_ends_on: datetime.date | None = None,
) -> str:
    """The status an entry takes: registered (or in teach-out) only with a level and a start
    date, and (with ``expire``) expired once its validity, or its teach-out, has ended."""
    if status in (CredentialStatus.REGISTERED, CredentialStatus.TEACH_OUT):
        if not has_level or valid_from is None:
            return CredentialStatus.DRAFT
        if expire and valid_to is not None and valid_to < today:
            return CredentialStatus.EXPIRED
    ended = teach_out_ends_on is not None and teach_out_ends_on < today
    if status == CredentialStatus.TEACH_OUT and expire and ended:
        return CredentialStatus.EXPIRED
    return status
