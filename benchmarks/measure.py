"""Time the query mix through the API and as the raw SQL the API ran.

API: Django's test Client against the real URL, so middleware, DRF, the search service,
serialization and JSON rendering are all inside the timing. SQL: the statements one API
call executed, captured with `connection.execute_wrapper` and replayed on the bare
psycopg cursor with every row fetched. API and SQL samples alternate per query, so both
see the same cache state; the ratio is what Python adds on top of PostgreSQL.
"""

from __future__ import annotations

import contextlib
import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test import Client
from django.urls import reverse

from .queries import CATEGORIES, BenchQuery

# DESIGN.md, Targets: at 1M entries on two cores.
TARGET_P50_MS = 30.0
TARGET_P95_MS = 100.0
TARGET_RATIO = 2.0

Statement = tuple[str, Any]


@dataclass
class QueryTiming:
    query: BenchQuery
    statements: list[Statement] = field(default_factory=list)
    count: int = 0
    count_capped: bool = False
    first_ms: float = 0.0  # the first call, before any warm-up: cold plan and caches
    api_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)


def percentile(values: Iterable[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with `fraction` of the values at or below."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


class ApiError(Exception):
    """The API answered a benchmark query with something other than 200."""


def _api_get(client: Client, path: str, query: BenchQuery) -> tuple[float, Any]:
    started = time.perf_counter()
    response = client.get(path, query.params)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise ApiError(f"{query.label}: HTTP {response.status_code} {response.content[:300]!r}")
    return elapsed, response


def _capture(client: Client, path: str, query: BenchQuery) -> tuple[float, Any, list[Statement]]:
    statements: list[Statement] = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        elapsed, response = _api_get(client, path, query)
    return elapsed, response, statements


def _run_raw(statements: list[Statement]) -> float:
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        started = time.perf_counter()
        for sql, params in statements:
            if params is None:
                cursor.execute(sql)
            else:
                cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()
        return (time.perf_counter() - started) * 1000


def time_queries(
    queries: list[BenchQuery],
    *,
    repetitions: int,
    warmup: int,
    say: Callable[[str], None] = lambda message: None,
) -> list[QueryTiming]:
    """Time every query `repetitions` times through the API and as SQL, after warm-up."""
    client = Client(HTTP_ACCEPT="application/json", HTTP_HOST="localhost")
    path = reverse("api:credential-list")
    timings: list[QueryTiming] = []
    say(f"Warm-up: {len(queries)} queries × {warmup + 1}")
    for query in queries:
        first_ms, response = _api_get(client, path, query)
        data = response.json()
        for _ in range(warmup):
            _api_get(client, path, query)
        # Captured after warm-up, so the SQL is what a warm request runs (a cached browse
        # count is not run again).
        _elapsed, _response, statements = _capture(client, path, query)
        for _ in range(warmup):
            _run_raw(statements)
        timings.append(
            QueryTiming(
                query=query,
                statements=statements,
                count=data["count"],
                count_capped=data["count_capped"],
                first_ms=first_ms,
            )
        )
    say(f"Measuring: {len(queries)} queries × {repetitions}, API and SQL alternating")
    for _ in range(repetitions):
        for timing in timings:
            timing.api_ms.append(_api_get(client, path, timing.query)[0])
            timing.sql_ms.append(_run_raw(timing.statements))
    return timings


def _summary(api: list[float], sql: list[float]) -> dict[str, float]:
    api_p50, sql_p50 = percentile(api, 0.5), percentile(sql, 0.5)
    return {
        "samples": len(api),
        "api_p50_ms": api_p50,
        "api_p95_ms": percentile(api, 0.95),
        "api_max_ms": max(api, default=0.0),
        "sql_p50_ms": sql_p50,
        "sql_p95_ms": percentile(sql, 0.95),
        "ratio_p50": api_p50 / sql_p50 if sql_p50 else 0.0,
        "api_mean_ms": statistics.fmean(api) if api else 0.0,
        "sql_mean_ms": statistics.fmean(sql) if sql else 0.0,
    }


def summarise(timings: list[QueryTiming]) -> dict[str, Any]:
    """Per class and overall percentiles, per query figures, and the targets' verdicts."""
    classes: dict[str, Any] = {}
    for category in CATEGORIES:
        members = [timing for timing in timings if timing.query.category == category]
        if not members:
            continue
        classes[category] = {
            "queries": len(members),
            **_summary(
                [ms for timing in members for ms in timing.api_ms],
                [ms for timing in members for ms in timing.sql_ms],
            ),
        }
    overall = _summary(
        [ms for timing in timings for ms in timing.api_ms],
        [ms for timing in timings for ms in timing.sql_ms],
    )
    overall["queries"] = len(timings)
    # The ratio target is per query: a cheap query's fixed Python cost would otherwise hide
    # behind a slow query's SQL time.
    ratios = sorted(
        percentile(t.api_ms, 0.5) / percentile(t.sql_ms, 0.5)
        for t in timings
        if percentile(t.sql_ms, 0.5)
    )
    overall["ratio_p50_worst_query"] = ratios[-1] if ratios else 0.0
    targets = {
        "api_p50_ms": {"target": TARGET_P50_MS, "measured": overall["api_p50_ms"]},
        "api_p95_ms": {"target": TARGET_P95_MS, "measured": overall["api_p95_ms"]},
        "api_over_sql": {"target": TARGET_RATIO, "measured": overall["ratio_p50"]},
    }
    for verdict in targets.values():
        verdict["met"] = verdict["measured"] <= verdict["target"]
    return {
        "classes": classes,
        "all": overall,
        "targets": targets,
        "queries": [
            {
                "category": t.query.category,
                "params": t.query.params,
                "count": t.count,
                "count_capped": t.count_capped,
                "statements": len(t.statements),
                "first_ms": t.first_ms,
                "api_p50_ms": percentile(t.api_ms, 0.5),
                "api_p95_ms": percentile(t.api_ms, 0.95),
                "sql_p50_ms": percentile(t.sql_ms, 0.5),
                "sql_p95_ms": percentile(t.sql_ms, 0.95),
            }
            for t in timings
        ],
    }


def machine() -> dict[str, Any]:
    """The machine and PostgreSQL settings the figures were measured on."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                "",
            )
    except OSError:
        pass
    memory_gb = 0.0
    with contextlib.suppress(ValueError, OSError):
        memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        postgres = {"server_version": version}
        for name in (
            "shared_buffers",
            "work_mem",
            "effective_cache_size",
            "jit",
            "max_parallel_workers_per_gather",
        ):
            cursor.execute(f"SHOW {name}")
            postgres[name] = cursor.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(memory_gb, 1),
        "python": platform.python_version(),
        "postgres": postgres,
        "database": {key: connection.settings_dict[key] for key in ("HOST", "PORT", "NAME")},
    }


def format_table(summary: dict[str, Any]) -> str:
    """The per-class table `make bench` prints."""
    header = (
        f"{'class':<9} {'queries':>7} {'samples':>7} {'API p50':>8} {'API p95':>8} "
        f"{'SQL p50':>8} {'SQL p95':>8} {'API/SQL':>7}"
    )
    lines = [header, "-" * len(header)]
    rows = [*summary["classes"].items(), ("all", summary["all"])]
    for name, figures in rows:
        lines.append(
            f"{name:<9} {figures['queries']:>7} {figures['samples']:>7} "
            f"{figures['api_p50_ms']:>8.1f} {figures['api_p95_ms']:>8.1f} "
            f"{figures['sql_p50_ms']:>8.1f} {figures['sql_p95_ms']:>8.1f} "
            f"{figures['ratio_p50']:>7.2f}"
        )
    lines.append("(milliseconds; API/SQL = API p50 / SQL p50)")
    return "\n".join(lines)


def format_queries(summary: dict[str, Any]) -> str:
    """One line per query, for finding the slow ones."""
    lines = []
    for query in summary["queries"]:
        label = "&".join(f"{k}={v}" for k, v in query["params"].items()) or "(no filters)"
        count = f"{query['count']}{'+' if query['count_capped'] else ''}"
        lines.append(
            f"  {query['category']:<8} {label[:46]:<46} {count:>7} "
            f"api {query['api_p50_ms']:7.1f}/{query['api_p95_ms']:7.1f}  "
            f"sql {query['sql_p50_ms']:7.1f}/{query['sql_p95_ms']:7.1f}  "
            f"first {query['first_ms']:7.1f}  stmts {query['statements']}"
        )
    return "\n".join(lines)
