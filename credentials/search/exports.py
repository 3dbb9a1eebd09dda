"""Streamed CSV and JSON exports of a whole search result, not just one page."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

from ..choices import CredentialStatus
from ..interop.csv_cells import csv_lines
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


def export_row(
    values: tuple, url_prefix: str, *, labels: dict[str, str], today: datetime.date
) -> dict:
    """One export row as plain JSON-ready values, from a tuple in EXPORT_FIELDS order."""
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
    return {
        "registration_number": number,
        "title_en": title_en,
        "title_zh": title_zh,
        "kind": kind,
        "provider": provider,
        "provider_zh": provider_zh,
        "framework": framework,
        "level": level,
        "credits": _text(credits),
        "notional_hours": hours,
        "ects_credits": _text(ects),
        "area_of_study": area,
        "mode_of_delivery": mode,
        "quality_marks": list(marks or ()),
        "status": status,
        "status_label": labels.get(status, status),
        "ofqual_status": register_term(OFQUAL, status, valid_from=valid_from, today=today),
        "hkqr_status": register_term(HKQR, status),
        "valid_from": _date(valid_from),
        "valid_to": _date(valid_to),
        "teach_out_ends_on": _date(teach_out_ends_on),
        "superseded_by": successor,
        "url": f"{url_prefix}{pk}/",
    }


def _csv_lines(rows: Iterator[dict]) -> Iterator[str]:
    yield "\ufeff"  # Excel needs the byte-order mark to read UTF-8 Chinese titles.
    yield from csv_lines(
        EXPORT_COLUMNS,
        (
            [
                "|".join(row["quality_marks"]) if name == "quality_marks" else row[name]
                for name in EXPORT_COLUMNS
            ]
            for row in rows
        ),
    )


def _json_chunks(rows: Iterator[dict]) -> Iterator[str]:
    yield "["
    first = True
    for row in rows:
        yield ("" if first else ",") + "\n" + json.dumps(row, ensure_ascii=False)
        first = False
    yield "\n]\n"


def export_response(search: CredentialSearch, *, url_prefix: str) -> StreamingHttpResponse:
    """Stream every result of `search` in its export format; each row's ``url`` is
    ``url_prefix`` followed by its id."""
    labels, today = status_labels(), timezone.localdate()
    rows = (
        export_row(values, url_prefix, labels=labels, today=today)
        for values in search.iter_export(EXPORT_FIELDS)
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if search.export_format == "csv":
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
        extension = "csv"
    else:
        response = StreamingHttpResponse(
            _json_chunks(rows), content_type="application/json; charset=utf-8"
        )
        extension = "json"
    response["Content-Disposition"] = (
        f'attachment; filename="credential-register-{stamp}.{extension}"'
    )
    return response
