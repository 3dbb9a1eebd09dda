"""Streamed CSV and JSON exports of a whole search result, not just one page."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

from ..choices import CredentialStatus
from ..interop.csv_cells import csv_text, safe_rows_text, spreadsheet_safe_cells
from ..interop.streaming import rows_by_id
from ..vocabulary import HKQR, OFQUAL, register_term
from .service import CredentialSearch

EXPORT_COLUMNS = (
    "registration_number",
    "title_en",
    "title_zh",
    "kind",
    "provider",
    "provider_zh",
    "framework",
    "level",
    "credits",
    "notional_hours",
    "ects_credits",
    "area_of_study",
    "mode_of_delivery",
    "quality_marks",
    "status",
    "status_label",
    "ofqual_status",
    "hkqr_status",
    "valid_from",
    "valid_to",
    "teach_out_ends_on",
    "superseded_by",
    "url",
)


# What each export column is read from: plain values, no model instances, so a million rows
# stream at the speed of the cursor rather than of building objects.
EXPORT_FIELDS = (
    "pk",
    "registration_number",
    "title_en",
    "title_zh",
    "kind",
    "provider__name_en",
    "provider__name_zh",
    "level__framework__code",
    "level__code",
    "credits",
    "notional_hours",
    "ects_credits",
    "area_of_study__name_en",
    "mode_of_delivery",
    "quality_marks",
    "status",
    "valid_from",
    "valid_to",
    "teach_out_ends_on",
    "superseded_by__registration_number",
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def status_labels() -> dict[str, str]:
    """Each status in the reader's language, read once: rows stream after the view returns."""
    return {value: str(label) for value, label in CredentialStatus.choices}


class _StatusWords:
    """A status's label and the registers' words for it, worked out once per batch for each
    (status, validity started) pair: they depend on nothing else."""

    def __init__(self, labels: dict[str, str], today: datetime.date) -> None:
        self.labels, self.today = labels, today
        self.known: dict[tuple[str, bool], tuple[str, str, str]] = {}

    def __call__(self, status: str, valid_from: datetime.date | None) -> tuple[str, str, str]:
        key = (status, valid_from is not None and valid_from > self.today)
        words = self.known.get(key)
        if words is None:
            words = self.known[key] = (
                self.labels.get(status, status),
                register_term(OFQUAL, status, valid_from=valid_from, today=self.today),
                register_term(HKQR, status),
            )
        return words


def _row_cells(values: tuple, url_prefix: str, status_words: _StatusWords) -> list[Any]:
    """One row's cells in EXPORT_COLUMNS order, from a tuple in EXPORT_FIELDS order, as read
    (numbers, dates and the marks list as they come from the database)."""
    (
        pk,
        number,
        title_en,
        title_zh,
        kind,
        provider,
        provider_zh,
        framework,
        level,
        credits,
        hours,
        ects,
        area,
        mode,
        marks,
        status,
        valid_from,
        valid_to,
        teach_out_ends_on,
        successor,
    ) = values
    return [
        number,
        title_en,
        title_zh,
        kind,
        provider,
        provider_zh,
        framework,
        level,
        credits,
        hours,
        ects,
        area,
        mode,
        marks,
        status,
        *status_words(status, valid_from),
        valid_from,
        valid_to,
        teach_out_ends_on,
        successor,
        f"{url_prefix}{pk}/",
    ]


_DECIMAL_COLUMNS = ("credits", "ects_credits")
_DATE_COLUMNS = ("valid_from", "valid_to", "teach_out_ends_on")


def export_row(
    values: tuple, url_prefix: str, *, labels: dict[str, str], today: datetime.date
) -> dict:
    """One export row as plain JSON-ready values, from a tuple in EXPORT_FIELDS order."""
    return _json_row(values, url_prefix, _StatusWords(labels, today))


def _json_row(values: tuple, url_prefix: str, status_words: _StatusWords) -> dict:
    row = dict(zip(EXPORT_COLUMNS, _row_cells(values, url_prefix, status_words), strict=True))
    for name in _DECIMAL_COLUMNS:
        row[name] = _text(row[name])
    for name in _DATE_COLUMNS:
        row[name] = _date(row[name])
    row["quality_marks"] = list(row["quality_marks"] or ())
    return row


# Excel needs the byte-order mark to read UTF-8 Chinese titles.
CSV_HEAD = "\ufeff" + csv_text([EXPORT_COLUMNS])
JSON_HEAD, JSON_TAIL = "[", "\n]\n"


_MARKS_AT = EXPORT_COLUMNS.index("quality_marks")


def csv_block(
    batch: list[tuple], url_prefix: str, *, labels: dict[str, str], today: datetime.date
) -> str:
    """One fetched batch of rows as CSV lines: the cells of :func:`export_row`, each
    spreadsheet-safe, in EXPORT_COLUMNS order.

    Built from the row's cells rather than through export_row's dict: a million rows are a
    million times each step. Text is escaped as read; numbers and dates go to csv.writer as
    they are, which writes them as ``str`` does: the database keeps the numbers
    non-negative, so none starts with ``-``.
    """
    status_words = _StatusWords(labels, today)
    rows = []
    for values in batch:
        cells = _row_cells(values, url_prefix, status_words)
        marks = cells[_MARKS_AT]
        cells[_MARKS_AT] = "|".join(marks) if marks else ""
        rows.append(spreadsheet_safe_cells(cells))
    return safe_rows_text(rows)


def json_block(
    batch: list[tuple],
    url_prefix: str,
    *,
    first: bool,
    labels: dict[str, str],
    today: datetime.date,
) -> str:
    """One fetched batch of rows as JSON array items, led by the separator it needs."""
    status_words = _StatusWords(labels, today)
    items = ",\n".join(
        json.dumps(_json_row(values, url_prefix, status_words), ensure_ascii=False)
        for values in batch
    )
    return ("\n" if first else ",\n") + items


def _csv_chunks(
    batches: Iterator[list[tuple]], url_prefix: str, **row_context: Any
) -> Iterator[str]:
    yield CSV_HEAD
    for batch in batches:
        yield csv_block(batch, url_prefix, **row_context)


def _json_chunks(
    batches: Iterator[list[tuple]], url_prefix: str, **row_context: Any
) -> Iterator[str]:
    yield JSON_HEAD
    for number, batch in enumerate(batches):
        yield json_block(batch, url_prefix, first=number == 0, **row_context)
    yield JSON_TAIL


def export_response(search: CredentialSearch, *, url_prefix: str) -> StreamingHttpResponse:
    """Stream every result of `search` in its export format, in register (id) order, whatever
    the search's own ordering: the rows then come from an index walk without a sort, so the
    download starts at once. Each row's ``url`` is ``url_prefix`` followed by its id."""
    batches = rows_by_id(search.matches(), EXPORT_FIELDS)
    labels, today = status_labels(), timezone.localdate()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if search.export_format == "csv":
        response = StreamingHttpResponse(
            _csv_chunks(batches, url_prefix, labels=labels, today=today),
            content_type="text/csv; charset=utf-8",
        )
        extension = "csv"
    else:
        response = StreamingHttpResponse(
            _json_chunks(batches, url_prefix, labels=labels, today=today),
            content_type="application/json; charset=utf-8",
        )
        extension = "json"
    response["Content-Disposition"] = (
        f'attachment; filename="credential-register-{stamp}.{extension}"'
    )
    return response
