"""The registry's own CSV: every editable field of a credential, one row per entry.

The writer here and the ``registry-csv`` import format share this module's column list and
cell codecs, so exporting the register and importing the file into an empty one gives back
the same entries. Relations are written by natural key (provider slug, framework and level
code, area scheme and code) with enough about each provider to create it where it is
missing. Lists of text are JSON arrays; lists of codes are joined with ``|``.
"""

import datetime
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from enum import Enum
from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Credential
from ..vocabulary import REGISTERS, register_term
from .csv_cells import (
    ESCAPE,
    csv_text,
    safe_rows_text,
    spreadsheet_safe_cells,
    spreadsheet_unescape,
)
from .streaming import rows_by_id

# Provider attribute → the suffix of its column after "provider_" or "awarding_body_".
PROVIDER_ATTRIBUTES = {
    "name_en": "name_en",
    "name_zh": "name_zh",
    "short_name": "short_name",
    "jurisdiction": "jurisdiction",
    "provider_type": "type",
    "ofqual_recognition_number": "ofqual_recognition_number",
    "ukprn": "ukprn",
}


class Cell(Enum):
    """How a field's value is written in a cell."""

    TEXT = "text"
    DECIMAL = "decimal"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATE = "date"
    TEXT_LIST = "text list"
    CODE_LIST = "code list"


# Credential fields written as they are, in column order, with their cell codec.
FIELD_CELLS: dict[str, Cell] = {
    "registration_number": Cell.TEXT,
    "kind": Cell.TEXT,
    "title_en": Cell.TEXT,
    "title_zh": Cell.TEXT,
    "qualification_type": Cell.TEXT,
    "credits": Cell.DECIMAL,
    "ects_credits": Cell.DECIMAL,
    "notional_hours": Cell.INTEGER,
    "guided_learning_hours": Cell.INTEGER,
    "summary_en": Cell.TEXT,
    "summary_zh": Cell.TEXT,
    "learning_outcomes_en": Cell.TEXT_LIST,
    "learning_outcomes_zh": Cell.TEXT_LIST,
    "assessment_type": Cell.TEXT,
    "supervision": Cell.TEXT,
    "mode_of_delivery": Cell.TEXT,
    "quality_assurance_type": Cell.TEXT,
    "prerequisites": Cell.TEXT,
    "languages": Cell.CODE_LIST,
    "stackable": Cell.BOOLEAN,
    "further_information_url": Cell.TEXT,
    "fee": Cell.DECIMAL,
    "fee_currency": Cell.TEXT,
    "quality_marks": Cell.CODE_LIST,
    "valid_from": Cell.DATE,
    "valid_to": Cell.DATE,
    "teach_out_ends_on": Cell.DATE,
    "external_register": Cell.TEXT,
    "external_status": Cell.TEXT,
}
# Relations, written by natural key: field → its columns.
RELATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "provider": ("provider", *(f"provider_{s}" for s in PROVIDER_ATTRIBUTES.values())),
    "awarding_body": (
        "awarding_body",
        *(f"awarding_body_{s}" for s in PROVIDER_ATTRIBUTES.values()),
    ),
    "level": ("framework", "level"),
    "area_of_study": ("area_scheme", "area_code"),
}
STATUS_COLUMN = "status"
# The successor's registration number, for a superseded entry.
SUPERSEDED_BY_COLUMN = "superseded_by"
# The status in each mirrored register's own words (credentials/vocabulary.py); written for
# readers and other registers, never read back: the status column is the registry's fact.
REGISTER_STATUS_COLUMNS = {register: f"{register}_status" for register in REGISTERS}
COLUMNS: tuple[str, ...] = (
    "registration_number",
    "kind",
    "title_en",
    "title_zh",
    "qualification_type",
    *RELATION_COLUMNS["provider"],
    *RELATION_COLUMNS["awarding_body"],
    *RELATION_COLUMNS["level"],
    *RELATION_COLUMNS["area_of_study"],
    *(
        name
        for name in FIELD_CELLS
        if name not in {"registration_number", "kind", "title_en", "title_zh", "qualification_type"}
    ),
    STATUS_COLUMN,
    SUPERSEDED_BY_COLUMN,
    *REGISTER_STATUS_COLUMNS.values(),
)
LIST_SEPARATOR = "|"


def encode(cell: Cell, value: Any) -> str:
    """Write one value as its cell text."""
    if value is None:
        return ""
    if cell is Cell.BOOLEAN:
        return "true" if value else "false"
    if cell is Cell.DATE:
        return value.isoformat()
    if cell is Cell.TEXT_LIST:
        return json.dumps(list(value), ensure_ascii=False) if value else ""
    if cell is Cell.CODE_LIST:
        return LIST_SEPARATOR.join(value)
    if cell is Cell.DECIMAL:
        return str(value)
    return str(value)


class CellValueError(ValueError):
    """A cell does not hold what its column needs; the message says what was expected."""


def _text(text: str) -> str:
    # Only a cell starting with the escape can be escaped: the rest skip the call.
    return spreadsheet_unescape(text) if text.startswith(ESCAPE) else text


def _text_list(text: str) -> list[str]:
    text = _text(text)
    if not text.strip():
        return []
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except ValueError as error:
            raise CellValueError("not a JSON list of text") from error
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise CellValueError("not a JSON list of text")
        return items
    # A hand-written file may list one item per line.
    return [line.strip() for line in text.splitlines() if line.strip()]


def _code_list(text: str) -> list[str]:
    if not text:
        return []
    text = _text(text)
    if LIST_SEPARATOR not in text:
        # Most cells hold one code: no split, no list built item by item.
        code = text.strip()
        return [code] if code else []
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})


def _boolean(text: str) -> bool:
    folded = _text(text).strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE or not folded:
        return False
    raise CellValueError("not true or false")


def _date(text: str) -> datetime.date | None:
    text = _text(text).strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CellValueError("not a date in the form YYYY-MM-DD") from error


def _decimal(text: str) -> Decimal | None:
    text = _text(text).strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except ArithmeticError as error:
        raise CellValueError("not a number") from error
    if not value.is_finite():
        raise CellValueError("not a number")
    return value


def _integer(text: str) -> int | None:
    text = _text(text).strip()
    if not text:
        return None
    # isdigit() passes "²" and lstrip("-") passes "--5", neither of which int() reads.
    if not text.lstrip("-").isdigit():
        raise CellValueError("not a whole number")
    try:
        return int(text)
    except ValueError as error:
        raise CellValueError("not a whole number") from error


_DECODERS: dict[Cell, Callable[[str], Any]] = {
    Cell.TEXT: _text,
    Cell.TEXT_LIST: _text_list,
    Cell.CODE_LIST: _code_list,
    Cell.BOOLEAN: _boolean,
    Cell.DATE: _date,
    Cell.DECIMAL: _decimal,
    Cell.INTEGER: _integer,
}


def decoder(cell: Cell) -> Callable[[str], Any]:
    """The function that reads a ``cell`` column's text back as a value, chosen once per
    column rather than per cell; it raises CellValueError for text it cannot read."""
    return _DECODERS[cell]


def decode(cell: Cell, text: str) -> Any:
    """Read one cell's text back as a value; raises CellValueError for text it cannot read."""
    return _DECODERS[cell](text)


def _relation_fields(relation: str) -> tuple[str, ...]:
    return (f"{relation}__slug", *(f"{relation}__{name}" for name in PROVIDER_ATTRIBUTES))


# The columns read from the database, in COLUMNS order; the registers' own status words come
# last and are worked out from the status (and the start of validity).
_READ_COLUMNS: tuple[str, ...] = tuple(
    column for column in COLUMNS if column not in REGISTER_STATUS_COLUMNS.values()
)
# What a row is read from, as values (no model instances): the id first (exports stream in
# id order), then every read column's source in _READ_COLUMNS order.
EXPORT_FIELDS: tuple[str, ...] = (
    "pk",
    *(
        {
            **{column: column for column in FIELD_CELLS},
            **dict(zip(RELATION_COLUMNS["provider"], _relation_fields("provider"), strict=True)),
            **dict(
                zip(
                    RELATION_COLUMNS["awarding_body"],
                    _relation_fields("awarding_body"),
                    strict=True,
                )
            ),
            "framework": "level__framework__code",
            "level": "level__code",
            "area_scheme": "area_of_study__scheme",
            "area_code": "area_of_study__code",
            STATUS_COLUMN: "status",
            SUPERSEDED_BY_COLUMN: "superseded_by__registration_number",
        }[column]
        for column in _READ_COLUMNS
    ),
)
# How each read column's value is written; relations' natural keys are text.
_COLUMN_CELLS: tuple[Cell, ...] = tuple(
    FIELD_CELLS.get(column, Cell.TEXT) for column in _READ_COLUMNS
)
_STATUS_AT = EXPORT_FIELDS.index("status")
_VALID_FROM_AT = EXPORT_FIELDS.index("valid_from")


# The read columns whose cell text is not the value itself (nor its ``str``), by position
# in a row without its id, each with its codec's encoder, chosen once. Every other value
# goes to csv.writer as read: text, None (an empty cell), dates and numbers (written as
# ``str``, as encode does).
_ENCODED: tuple[tuple[int, Callable[[Any], str]], ...] = tuple(
    (at, partial(encode, cell))
    for at, cell in enumerate(_COLUMN_CELLS)
    if cell in {Cell.BOOLEAN, Cell.TEXT_LIST, Cell.CODE_LIST}
)


def export_row(values: tuple, *, today: datetime.date) -> list[str]:
    """One registry CSV row's cells, in COLUMNS order, from a tuple in EXPORT_FIELDS order."""
    status, valid_from = values[_STATUS_AT], values[_VALID_FROM_AT]
    return [
        *(encode(cell, value) for cell, value in zip(_COLUMN_CELLS, values[1:], strict=True)),
        *(
            register_term(register, status, valid_from=valid_from, today=today)
            for register in REGISTER_STATUS_COLUMNS
        ),
    ]


def registry_csv_block(batch: list[tuple], *, today: datetime.date) -> str:
    """A batch of tuples in EXPORT_FIELDS order as the file's lines: :func:`export_row`'s
    cells, each spreadsheet-safe.

    A million rows are forty million cells, so each step here is per row or cheap per cell:
    only the few encoded columns are encoded, and the escape is tested inline on the text
    (the database keeps the numbers non-negative, so none starts with "-"; a date starts
    with a digit). The registers' words depend only on the status and on whether the
    validity has started, so they are worked out once per pair in the batch.
    """
    words: dict[tuple[str, bool], list[str]] = {}
    rows = []
    for values in batch:
        status, valid_from = values[_STATUS_AT], values[_VALID_FROM_AT]
        key = (status, valid_from is not None and valid_from > today)
        register_cells = words.get(key)
        if register_cells is None:
            register_cells = words[key] = [
                register_term(register, status, valid_from=valid_from, today=today)
                for register in REGISTER_STATUS_COLUMNS
            ]
        row = list(values[1:])
        for at, write in _ENCODED:
            row[at] = write(row[at])
        row += register_cells
        rows.append(spreadsheet_safe_cells(row))
    return safe_rows_text(rows)


def registry_csv_chunks(credentials: QuerySet[Credential]) -> Iterator[str]:
    """The header and every credential's line, in blocks as they are read (in id order)."""
    yield csv_text([COLUMNS])
    today = timezone.localdate()
    for batch in rows_by_id(credentials, EXPORT_FIELDS):
        yield registry_csv_block(batch, today=today)


def registry_csv_rows(credentials: QuerySet[Credential]) -> Iterator[list[str]]:
    """Every credential's cells as :func:`registry_csv_chunks` writes them, before each cell
    is made spreadsheet-safe, in id order."""
    today = timezone.localdate()
    for batch in rows_by_id(credentials, EXPORT_FIELDS):
        yield from (export_row(values, today=today) for values in batch)
