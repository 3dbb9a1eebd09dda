"""One table of a `make bench` run: every measure beside its issue-13 target.

Built from the run's JSON (bench_search's result), so the printed table and the file agree.
"""

from __future__ import annotations

import math
from typing import Any

from .browse import TARGET_COLD_MS, TARGET_DEEP_PAGE_MS
from .exports import TARGET_FIRST_ROW_MS, TARGET_ROWS_PER_SECOND
from .imports import TARGET_PEAK_RSS_MB
from .imports import TARGET_ROWS_PER_SECOND as TARGET_IMPORT_ROWS_PER_SECOND
from .server import TARGET_P99_MS, TARGET_REQUESTS_PER_SECOND

TARGET_CHECKS_PER_SECOND = 3000.0
# (measure, value, target, "max" when lower is better / "min" when higher is)
Row = tuple[str, float, float | None, str]


def _rows(result: dict[str, Any]) -> list[Row]:
    overall = result["all"]
    rows: list[Row] = [
        ("search p50 ms (all)", overall["api_p50_ms"], 25.0, "max"),
        ("search p95 ms (all)", overall["api_p95_ms"], 100.0, "max"),
        ("search API/SQL (p50)", overall["ratio_p50"], 2.0, "max"),
    ]
    for browse in result["browse"]:
        label = browse["label"]
        rows.append((f"browse {label}: cold ms", browse["cold_ms"], None, "max"))
        rows.append((f"browse {label}: no cache ms", browse["no_cache_ms"], TARGET_COLD_MS, "max"))
        rows.append((f"browse {label}: page 50 ms", browse["page_50_ms"], None, "max"))
        rows.append(
            (
                f"browse {label}: cursor page 50",
                browse["cursor_page_50_ms"],
                TARGET_DEEP_PAGE_MS,
                "max",
            )
        )
    for export in result["exports"]:
        label = export["label"]
        rows.append(
            (f"export {label}: first row ms", export["first_row_ms"], TARGET_FIRST_ROW_MS, "max")
        )
        rows.append((f"export {label}: rows/s", export["rows_per_second"], None, "min"))
    server = result.get("server") or {}
    if server:
        load = server["load"]
        rows.append(
            (
                f"server req/s at {load['clients']} clients",
                load["requests_per_second"],
                TARGET_REQUESTS_PER_SECOND,
                "min",
            )
        )
        rows.append(("server p99 ms", load["p99_ms"], TARGET_P99_MS, "max"))
        rows.append(("server errors", load["errors"], 0, "max"))
        rss = server.get("worker_rss_mb_after_export") or server.get("worker_rss_mb_after_load")
        if rss:
            rows.append(("server worker RSS MB (largest)", max(rss), None, "max"))
        export = server.get("export")
        if export:
            rows.append(("server whole export rows", export["rows"], None, "min"))
            rows.append(
                (
                    "server whole export first row ms",
                    export["first_row_ms"],
                    TARGET_FIRST_ROW_MS,
                    "max",
                )
            )
            rows.append(
                (
                    "server whole export rows/s",
                    export["rows_per_second"],
                    TARGET_ROWS_PER_SECOND,
                    "min",
                )
            )
    sweep = result.get("sweep") or {}
    if sweep:
        rows.append(
            (
                "sweep checks/s (30% changing)",
                sweep["checks_per_second"],
                TARGET_CHECKS_PER_SECOND,
                "min",
            )
        )
    for timing in result.get("imports") or []:
        label = timing["label"]
        rows.append(
            (
                f"import {label}: rows/s end to end",
                timing["end_to_end_rows_per_second"],
                TARGET_IMPORT_ROWS_PER_SECOND,
                "min",
            )
        )
        rows.append(
            (f"import {label}: peak RSS MB", timing["peak_rss_mb"], TARGET_PEAK_RSS_MB, "max")
        )
    return rows


def headline(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's rows as data: measure, value, target and whether it was met."""
    table = []
    for measure, value, target, sense in _rows(result):
        met = None
        if target is not None and not math.isnan(value):
            met = value <= target if sense == "max" else value >= target
        table.append({"measure": measure, "value": value, "target": target, "met": met})
    return table


def format_headline(table: list[dict[str, Any]]) -> str:
    lines = [f"{'measure':<44} {'value':>12} {'target':>10}  verdict", "-" * 78]
    for row in table:
        target = "" if row["target"] is None else f"{row['target']:g}"
        verdict = {True: "met", False: "NOT MET", None: ""}[row["met"]]
        lines.append(f"{row['measure']:<44} {row['value']:>12,.1f} {target:>10}  {verdict}")
    return "\n".join(lines)
