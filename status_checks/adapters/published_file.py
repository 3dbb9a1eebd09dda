"""Reader for registers that publish a file (CSV) instead of an API, e.g. HKQR-style exports."""

import csv
import io
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings

from credentials.numbers import registration_key

from .base import (
    RegisterAdapter,
    RegisterAnswer,
    RegisterRecord,
    SourceUnavailable,
    clean_text,
    normalise_status,
    parse_register_date,
)
from .http import HttpPolicy, ResilientClient

# One download serves every chunk a process handles within CACHE_SECONDS.
_tables: dict[str, tuple[float, dict[str, RegisterRecord]]] = {}
_tables_lock = threading.Lock()


def parse_register_file(
    text: str, *, reference_column: str, status_column: str, end_date_column: str = ""
) -> dict[str, RegisterRecord]:
    """Index a published register file by normalised reference."""
    reader = csv.DictReader(io.StringIO(text))
    columns = set(reader.fieldnames or ())
    missing = {reference_column, status_column} - columns
    if missing:
        raise SourceUnavailable(f"the file has no column {', '.join(sorted(missing))}")
    table: dict[str, RegisterRecord] = {}
    for row in reader:
        reference = (row.get(reference_column) or "").strip()
        if not reference:
            continue
        status_text = clean_text(row.get(status_column))
        table[registration_key(reference)] = RegisterRecord(
            reference=reference,
            status_text=status_text,
            status=normalise_status(status_text),
            end_date=parse_register_date(row.get(end_date_column)) if end_date_column else None,
        )
    return table


class PublishedRegisterFileAdapter(RegisterAdapter):
    """Download the register's file once, then answer every reference from it."""

    def __init__(self, *, source: str, config: Mapping[str, Any], **client_options: Any):
        super().__init__(source=source, config=config)
        self.url = str(config["URL"])
        self.cache_seconds = int(config.get("CACHE_SECONDS", 3600))
        self.client = ResilientClient(
            source=source,
            policy=HttpPolicy.from_settings(settings.STATUS_CHECK_HTTP, config),
            **client_options,
        )

    def close(self) -> None:
        self.client.close()

    def lookup(self, references: Sequence[str]) -> dict[str, RegisterAnswer]:
        try:
            table = self._table()
        except SourceUnavailable as exc:
            return {ref: RegisterAnswer(unavailable_reason=exc.reason) for ref in references}
        return {ref: RegisterAnswer(record=table.get(registration_key(ref))) for ref in references}

    def _table(self) -> dict[str, RegisterRecord]:
        with _tables_lock:
            cached = _tables.get(self.url)
            if cached and time.monotonic() - cached[0] < self.cache_seconds:
                return cached[1]
        response = self.client.get(self.url)
        if response.status_code != 200:
            raise SourceUnavailable(f"HTTP {response.status_code} for the register file")
        table = parse_register_file(
            response.content.decode("utf-8-sig", errors="replace"),
            reference_column=str(self.config.get("REFERENCE_COLUMN", "Registration Number")),
            status_column=str(self.config.get("STATUS_COLUMN", "Status")),
            end_date_column=str(self.config.get("END_DATE_COLUMN", "")),
        )
        with _tables_lock:
            _tables[self.url] = (time.monotonic(), table)
        return table


def clear_cache() -> None:
    """Forget downloaded files (tests, or an operator wanting a fresh copy now)."""
    with _tables_lock:
        _tables.clear()
