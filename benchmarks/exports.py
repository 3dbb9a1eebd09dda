"""Time CSV exports through the API: the wait for the first row, then rows a second.

Django's test Client runs the real view, middleware and streaming response in-process; the
response is read chunk by chunk as a client would, so the first-row time is what a reader
waits before the download starts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.test import Client
from django.urls import reverse

# Issue targets at 1M entries: first row within 300 ms, at least 20,000 rows a second.
TARGET_FIRST_ROW_MS = 300.0
TARGET_ROWS_PER_SECOND = 20_000.0

# Each plan of credentials.interop.streaming on both sides of its choice: rare words (read
# from their id set), broad ones and filters (the id walk), and the kinds in between.
EXPORT_CASES: tuple[tuple[str, str], ...] = (
    ("text", "q=nursing&format=csv"),
    ("text rare", "q=aromatherapy&format=csv"),
    ("text broad", "q=diploma&format=csv"),
    ("text phrase", "q=health+and+social+care&format=csv"),
    ("Chinese", "q=%E8%AD%B7%E7%90%86&format=csv"),
    ("Chinese broad", "q=%E9%87%91%E8%9E%8D&format=csv"),
    ("number", "q=999%2F9999%2F9&format=csv"),
    ("ticked facets", "framework=HKQF&area=Business&kind=micro_credential&format=csv"),
    ("text + facet", "q=%E9%87%91%E8%9E%8D&mode=online&format=csv"),
    ("level filter", "level=HKQF-5&format=csv"),
    ("whole register", "status=all&format=csv"),
)


@dataclass(frozen=True)
class ExportTiming:
    label: str
    rows: int
    first_row_ms: float
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "label": self.label,
            "rows": self.rows,
            "first_row_ms": round(self.first_row_ms, 1),
            "seconds": round(self.seconds, 2),
            "rows_per_second": round(self.rows_per_second),
        }


def time_export(client: Client, label: str, query: str) -> ExportTiming:
    """Stream one export to its end; the header line does not count as the first row."""
    started = time.perf_counter()
    response = client.get(f"{reverse('api:credential-list')}?{query}")
    if response.status_code != 200:
        raise RuntimeError(f"export {label!r} answered {response.status_code}")
    first_row_at = None
    lines = 0
    for chunk in response.streaming_content:  # type: ignore[attr-defined]  # a CSV export streams
        lines += chunk.count(b"\n")
        if first_row_at is None and lines >= 2:
            first_row_at = time.perf_counter()
    ended = time.perf_counter()
    return ExportTiming(
        label=label,
        rows=max(0, lines - 1),
        first_row_ms=1000 * ((first_row_at or ended) - started),
        seconds=ended - started,
    )


def time_exports(say: Callable[[str], None] = lambda message: None) -> list[ExportTiming]:
    client = Client(HTTP_HOST="localhost")
    timings = []
    for label, query in EXPORT_CASES:
        say(f"Export: {label}")
        timings.append(time_export(client, label, query))
    return timings


def format_exports(timings: list[ExportTiming]) -> str:
    lines = ["export             rows   first row ms     seconds      rows/s"]
    for timing in timings:
        lines.append(
            f"{timing.label:<14} {timing.rows:>9,} {timing.first_row_ms:>14.1f}"
            f" {timing.seconds:>11.2f} {timing.rows_per_second:>11,.0f}"
        )
    return "\n".join(lines)
