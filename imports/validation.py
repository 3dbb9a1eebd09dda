"""Checks every format's rows get before any is written, so a bulk write never meets bad data.

Values are checked with the model fields' own ``clean`` (lengths, choices, digits, URLs),
because a bulk insert on PostgreSQL has been known to truncate an over-long string rather
than refuse it. The kinds of value a parser makes (text, whole numbers, booleans, dates and
lists of them) first meet a quick test that passes only what ``clean`` would accept; any
value it does not pass goes to ``clean``, so a bad value's message is the field's own.
"""

import csv
import datetime
import functools
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DecimalField,
    Field,
    IntegerField,
    TextField,
    URLField,
)
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from credentials.models import Credential
from credentials.numbers import registration_key

from .formats.base import ParsedRow, RegisterFormat
from .reading import numbered_cells, read_header
from .report import ImportReport

REGISTRATION_NUMBER = Credential._meta.get_field("registration_number")
# Every register's numbers (HKQR, Ofqual, the registry's provisional P/ numbers) fit this;
# a formula (=HYPERLINK(…), +1, @SUM) or markup never does.
NUMBER_SHAPE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z/ .\-]*$")
RELATIONS = frozenset({"provider", "awarding_body", "level", "area_of_study"})
FIELDS = {
    field.name: field for field in Credential._meta.concrete_fields if field.name not in RELATIONS
}
Quick = Callable[[Any], bool]


def _bounds(field: Field) -> tuple[float, float] | None:
    """The range a number field's validators allow; None if it has any other validator."""
    low, high = -math.inf, math.inf
    for validator in field.validators:
        if type(validator) is MinValueValidator:
            low = max(low, validator.limit_value)
        elif type(validator) is MaxValueValidator:
            high = min(high, validator.limit_value)
        else:
            return None
    return low, high


def _quick_text(field: Field) -> Quick | None:
    if any(type(validator) is not MaxLengthValidator for validator in field.validators):
        return None
    limit = field.max_length if field.max_length is not None else math.inf
    choices = frozenset(str(key) for key, _label in field.flatchoices) if field.choices else None
    blank = field.blank

    def quick(value: Any) -> bool:
        if type(value) is not str:
            return False
        if not value:
            return blank
        return len(value) <= limit and (choices is None or value in choices) and "\x00" not in value

    return quick


def _quick_check(field: Field) -> Quick | None:
    """A test that passes only values without a NUL that ``field.clean`` accepts, without
    asking it; None for a field whose rules it does not know (URLs, decimals): those always
    go to the field."""
    none = field.null and field.blank
    if isinstance(field, ArrayField):
        item = _quick_check(field.base_field)
        if item is None or field.size is not None or field.validators:
            return None
        blank = field.blank
        return lambda value: (
            type(value) is list and (bool(value) or blank) and all(map(item, value))
        )
    if type(field) is BooleanField:
        return lambda value: type(value) is bool
    if type(field) is DateField:
        return lambda value: type(value) is datetime.date or (none and value is None)
    if isinstance(field, IntegerField):
        bounds = _bounds(field)
        if bounds is None:
            return None
        low, high = bounds
        return lambda value: (
            (type(value) is int and low <= value <= high) or (none and value is None)
        )
    if type(field) in (CharField, TextField):
        return _quick_text(field)
    # Blank cells: clean accepts them unchecked where the field may be empty.
    if isinstance(field, DecimalField):
        return lambda value: none and value is None
    if type(field) is URLField:
        blank = field.blank
        return lambda value: blank and type(value) is str and not value
    return None


QUICK_CHECKS = {
    name: quick for name, field in FIELDS.items() if (quick := _quick_check(field)) is not None
}
_quick_number = QUICK_CHECKS["registration_number"]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _check_number(parsed: ParsedRow, fmt: RegisterFormat, report: ImportReport) -> str | None:
    number = parsed.registration_number
    column = fmt.number_column
    if _has_nul(number):
        report.error(parsed.row, column, _("The registration number contains a NUL character."))
        return None
    key = registration_key(number)
    if not key:
        report.error(
            parsed.row, column, _("“%(value)s” has no letters or digits.") % {"value": number}
        )
        return None
    if not NUMBER_SHAPE.match(number):
        report.error(
            parsed.row,
            column,
            _(
                "“%(value)s” is not a registration number: it starts with a letter or digit "
                "and holds only letters, digits, spaces, “/”, “-” and “.”."
            )
            % {"value": number[:60]},
        )
        return None
    if _quick_number(number):
        return key
    try:
        REGISTRATION_NUMBER.clean(number, None)
    except ValidationError as error:
        report.error(parsed.row, column, " ".join(error.messages))
        return None
    return key


def _field_messages(language: str | None, name: str, value: Any) -> tuple[str, ...]:
    """The field's own complaints about a value (none if it is fine), in ``language``, the
    active one: it is part of the cache's key, as a worker runs jobs in either language.
    Lists come as tuples."""
    try:
        FIELDS[name].clean(list(value) if isinstance(value, tuple) else value, None)
    except ValidationError as error:
        return tuple(error.messages)
    return ()


# Files repeat most values (types, levels, marks, dates) thousands of times.
_cached_messages = functools.lru_cache(maxsize=65536)(_field_messages)


def _check_values(parsed: ParsedRow, fmt: RegisterFormat, report: ImportReport) -> None:
    language = get_language()
    for name, value in parsed.values.items():
        quick = QUICK_CHECKS.get(name)
        if quick is not None and quick(value):
            continue
        if name in RELATIONS:
            continue
        kind = type(value)
        if kind is str:
            nul = "\x00" in value
        elif kind is list:
            value = tuple(value)
            nul = any("\x00" in item for item in value if type(item) is str)
        else:
            nul = _has_nul(value)
        if nul:
            report.error(parsed.row, fmt.column_for(name), _("The value contains a NUL character."))
            continue
        messages = _cached_messages(language, name, value)
        if messages:
            report.error(parsed.row, fmt.column_for(name), " ".join(messages))
    start, end = parsed.values.get("valid_from"), parsed.values.get("valid_to")
    if start and end and end < start:
        report.error(
            parsed.row,
            fmt.column_for("valid_to"),
            _("The validity period ends (%(end)s) before it starts (%(start)s).")
            % {"end": end.isoformat(), "start": start.isoformat()},
        )


def check_row(parsed: ParsedRow, fmt: RegisterFormat, report: ImportReport) -> str | None:
    """Check one row and report each problem; return its registration key, if it has one."""
    key = _check_number(parsed, fmt, report)
    _check_values(parsed, fmt, report)
    return key


def report_repeats(
    rows: Iterable[ParsedRow], keys: dict[int, str], fmt: RegisterFormat, report: ImportReport
) -> None:
    """Report a number that appears more than once among the rows as an error on every row
    that holds it: which of them is right cannot be known."""
    rows_of: dict[str, list[int]] = {}
    for parsed in rows:
        key = keys.get(parsed.row)
        if key is not None:
            rows_of.setdefault(key, []).append(parsed.row)
    for row_numbers in rows_of.values():
        if len(row_numbers) < 2:
            continue
        for row in row_numbers:
            others = [str(other) for other in row_numbers if other != row]
            message = ngettext(
                "This registration number also appears on row %(rows)s.",
                "This registration number also appears on rows %(rows)s.",
                len(others),
            ) % {"rows": ", ".join(others)}
            report.error(row, fmt.number_column, message)


def repeated_keys(text: Iterable[str], fmt: RegisterFormat) -> tuple[int, set[str]]:
    """The file's row count, and the registration keys more than one of its rows holds.

    Read ahead of the rows themselves, so that a row whose number appears once can be
    written as soon as it is checked. Every format's number is its cell's text tidied (case,
    spaces, separators), all of which the key ignores, so a cell's key is its row's. Only
    the number's cell is read: the rows are counted as ``read_table`` counts them.
    """
    reader = csv.reader(text)
    report = ImportReport()
    header = read_header(reader, fmt.columns, report)
    if header is None:
        return 0, set()
    positions, width = header
    at = positions.get(fmt.number_column)
    count = 0
    seen: set[str] = set()
    repeated: set[str] = set()
    for _row, cells in numbered_cells(reader, width, report):
        count += 1
        if at is None or at >= len(cells):
            continue
        key = registration_key(cells[at])
        if key in seen:
            repeated.add(key)
        elif key:
            seen.add(key)
    return count, repeated
