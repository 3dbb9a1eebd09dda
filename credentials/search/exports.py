"""Streamed CSV and JSON exports of a whole search result, not just one page."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone

from ..interop.csv_cells import csv_lines
from ..models import Credential
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
    "valid_from",
    "valid_to",
    "url",
)


def export_row(credential: Credential, url_for: Callable[[Credential], str]) -> dict:
    """Return one export row as plain JSON-ready values."""
    level = credential.level
    area = credential.area_of_study
    return {
        "registration_number": credential.registration_number,
        "title_en": credential.title_en,
        "title_zh": credential.title_zh,
        "kind": credential.kind,
        "provider": credential.provider.name_en,
        "provider_zh": credential.provider.name_zh,
        "framework": level.framework.code if level else None,
        "level": level.code if level else None,
        "credits": str(credential.credits) if credential.credits is not None else None,
        "notional_hours": credential.notional_hours,
        "ects_credits": (
            str(credential.ects_credits) if credential.ects_credits is not None else None
        ),
        "area_of_study": area.name_en if area else None,
        "mode_of_delivery": credential.mode_of_delivery,
        "quality_marks": list(credential.quality_marks),
        "status": credential.status,
        "valid_from": credential.valid_from.isoformat() if credential.valid_from else None,
        "valid_to": credential.valid_to.isoformat() if credential.valid_to else None,
        "url": url_for(credential),
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


def export_response(
    search: CredentialSearch, *, url_for: Callable[[Credential], str]
) -> StreamingHttpResponse:
    """Stream every result of `search` in its export format."""
    rows = (export_row(credential, url_for) for credential in search.iter_export())
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
