"""Time browse pages deep in the list: page 50 by number (OFFSET) and by cursor, cold and warm.

"Cold" is a browse with the count cache made stale first (its counts and facets computed
on the spot); "no cache" runs with SEARCH_FACET_CACHE_SECONDS=0, so every request counts
again. Page 50 by cursor is the request a reader makes after following `next` 49 times:
the cursor is collected first, then that one request is timed.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.test import Client, override_settings
from django.urls import reverse

from credentials.search.cache import search_cache_invalidate

# Issue 13's targets at 1M entries.
TARGET_DEEP_PAGE_MS = 50.0
TARGET_COLD_MS = 300.0
DEEP_PAGE = 50

BROWSES: tuple[dict[str, str], ...] = (
    {},
    {"level": "HKQF-5"},
    {"framework": "RQF", "mode": "online"},
)


@dataclass(frozen=True)
class BrowseTiming:
    label: str
    depth: int  # the deep page's number: 50, or the last page of a smaller register
    cold_ms: float  # page 1, count cache stale
    no_cache_ms: float  # page 1 with the cache off (median)
    page_ms: float  # the deep page by number, warm (median)
    cursor_ms: float  # the deep page by cursor, warm (median)

    def as_dict(self) -> dict[str, float | str]:
        return {
            "label": self.label,
            "depth": self.depth,
            "cold_ms": round(self.cold_ms, 1),
            "no_cache_ms": round(self.no_cache_ms, 1),
            "page_50_ms": round(self.page_ms, 1),
            "cursor_page_50_ms": round(self.cursor_ms, 1),
        }


def _get(client: Client, path: str, params: dict | None = None) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.get(path, params or {})
    elapsed = 1000 * (time.perf_counter() - started)
    if response.status_code != 200:
        raise RuntimeError(f"browse {path} {params}: HTTP {response.status_code}")
    return elapsed, response.json()


def _median(sample: Callable[[], float], repetitions: int) -> float:
    return statistics.median(sample() for _ in range(repetitions))


def time_browse(client: Client, params: dict[str, str], repetitions: int) -> BrowseTiming:
    path = reverse("api:credential-list")
    search_cache_invalidate()
    cold, body = _get(client, path, params)
    with override_settings(SEARCH_FACET_CACHE_SECONDS=0):
        no_cache = _median(lambda: _get(client, path, params)[0], repetitions)
    # A small register may have fewer pages: its last one then stands in for page 50.
    depth = max(1, min(DEEP_PAGE, math.ceil(body["count"] / len(body["results"] or [0]))))
    # The cursor to that page, as a reader following `next` would hold it.
    link = body["next"]
    for _ in range(depth - 2):
        link = _get(client, link)[1]["next"] if link else None
    deep = {**params, "page": str(depth)}
    page = _median(lambda: _get(client, path, deep)[0], repetitions)
    cursor = _median(lambda: _get(client, link)[0], repetitions) if link else float("nan")
    label = "&".join(f"{k}={v}" for k, v in params.items()) or "(no filters)"
    return BrowseTiming(label, depth, cold, no_cache, page, cursor)


def time_browses(repetitions: int, say: Callable[[str], None]) -> list[BrowseTiming]:
    client = Client(HTTP_HOST="localhost")
    timings = []
    for params in BROWSES:
        say(f"Browse: {params or '(no filters)'}")
        timings.append(time_browse(client, params, repetitions))
    return timings


def format_browses(timings: list[BrowseTiming]) -> str:
    lines = ["browse                        page  cold ms  no-cache ms  by number ms  by cursor ms"]
    for timing in timings:
        lines.append(
            f"{timing.label:<30} {timing.depth:>3} {timing.cold_ms:>8.1f}"
            f" {timing.no_cache_ms:>12.1f} {timing.page_ms:>13.1f} {timing.cursor_ms:>13.1f}"
        )
    return "\n".join(lines)
