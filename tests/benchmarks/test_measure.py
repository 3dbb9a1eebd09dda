"""The benchmark's statistics and report."""

import pytest

from benchmarks.measure import QueryTiming, format_table, percentile, summarise
from benchmarks.queries import CATEGORIES, BenchQuery


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([5.0, 1.0, 3.0, 2.0, 4.0], 0.5, 3.0),
        ([float(n) for n in range(1, 101)], 0.95, 95.0),
        ([float(n) for n in range(1, 21)], 0.95, 19.0),
        ([7.0], 0.95, 7.0),
        ([], 0.5, 0.0),
    ],
)
def test_percentiles_are_nearest_rank(values, fraction, expected):
    assert percentile(values, fraction) == expected


def test_the_summary_has_every_class_the_ratio_and_the_targets():
    timings = [
        QueryTiming(query=BenchQuery(category), api_ms=[20.0, 30.0], sql_ms=[10.0, 12.0])
        for category in CATEGORIES
    ]

    summary = summarise(timings)

    assert list(summary["classes"]) == list(CATEGORIES)
    assert summary["all"]["api_p50_ms"] == 20.0
    assert summary["all"]["ratio_p50"] == 2.0
    assert summary["targets"]["api_p50_ms"]["met"] is True
    assert summary["targets"]["api_over_sql"]["met"] is True
    table = format_table(summary)
    assert table.splitlines()[0].split()[:2] == ["class", "queries"]
    assert "all" in table
