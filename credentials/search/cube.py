"""Browse counts read from the facet cubes instead of the entries (migration 0013).

Counting a browse over the entries aggregates every current entry (over a second at a
million). The cubes hold counts per combination of facet dimensions, kept exact by
statement triggers that append delta rows; a read sums cube and deltas in one statement
(one snapshot, so the counts are exact under concurrent writes), and a compactor folds
the deltas in (`facet_cube_compact`, a beat task).

- `by_area` (level, area, mode, kind, status, size) answers the total and every facet but
  the provider's; `by_provider` (level, provider, mode, kind, status, size) the provider
  facet. A count needing both an area and a provider (any area or provider filter: the
  other facet is counted under it) or a filter outside the dimensions (text, dates,
  credits, hours, languages, quality marks) is counted from the entries as before.
- The cubes count by status. The default view ("registered or in teach-out, valid
  today") takes the cube's current entries and subtracts those not valid today, counted
  from the entries through partial indexes: few once the daily sweep has expired entries
  past their end (docs/search.md), as many as wait for it when it has not run.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections

from ..choices import CURRENT_STATUSES, PUBLIC_STATUSES
from .codes import CODED_PARAMETERS
from .filters import ALL_STATUSES, CONTROL_PARAMETERS, FACET_PARAMETERS

# Each cube: its count table, its delta table, and its facet columns with the entry column
# (in the cube and on credentials_credential) each is read from.
_CUBES: dict[str, tuple[str, str, dict[str, str]]] = {
    "by_area": (
        "credentials_facetcount_by_area",
        "credentials_facetdelta_by_area",
        {"level": "level_id", "area": "area_of_study_id"},
    ),
    "by_provider": (
        "credentials_facetcount_by_provider",
        "credentials_facetdelta_by_provider",
        {"level": "level_id", "provider": "provider_id"},
    ),
}
_SHARED_COLUMNS = {"mode": "mode_of_delivery", "kind": "kind", "status": "status", "size": "size"}
# The order grouped columns take (the same as the entry-counting statement's).
_COLUMN_ORDER = ("level", "area", "provider", "mode", "kind", "status", "size")
_FACET_GROUP = {dimension: dimension for dimension in FACET_PARAMETERS} | {"framework": "level"}
# The filters the cubes can apply, besides the facet parameters: `eqf` narrows levels.
_CUBE_FILTERS = {parameter for parameters in FACET_PARAMETERS.values() for parameter in parameters}
_CUBE_FILTERS.add("eqf")
# The entry's size band as the cubes store it (the migration's SQL function).
_ENTRY_SIZE = "credentials_size_band(credits, notional_hours)"


def _cube_columns(cube: str) -> dict[str, str]:
    return {**_CUBES[cube][2], **_SHARED_COLUMNS}


@dataclass
class CubeCounts:
    """Counting CTEs over the cubes and where the total and each facet are read from."""

    ctes: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    # (grouping CTE, its `gs` value for the total row)
    total: tuple[str, int] = ("", 0)
    # dimension -> (grouping CTE, its grouped columns, the count column to read)
    groupings: dict[str, tuple[str, list[str], str]] = field(default_factory=dict)


def _conditions(
    data: Mapping[str, Any], resolved_ids: Mapping[str, list[int]]
) -> tuple[dict[str, str], dict[str, Any]]:
    """Each ticked facet's condition on the cube columns (named parameters), and the values."""
    conditions: dict[str, str] = {}
    params: dict[str, Any] = {}
    for dimension, parameters in FACET_PARAMETERS.items():
        parts = []
        column = _FACET_GROUP[dimension]
        for parameter in parameters:
            value: Any = data.get(parameter)
            if value in (None, "", []):
                continue
            values: list[Any]
            if parameter == "status":
                values = (
                    [status.value for status in PUBLIC_STATUSES]
                    if ALL_STATUSES in value
                    else list(value)
                )
            elif parameter in CODED_PARAMETERS:
                values = list(resolved_ids[parameter])
            else:
                values = list(value)
            as_text = column in _SHARED_COLUMNS
            params[f"f_{parameter}"] = [str(item) if as_text else int(item) for item in values]
            parts.append(f"d_{column} = ANY(%(f_{parameter})s)")
        if parts:
            conditions[dimension] = "(" + " AND ".join(parts) + ")"
    return conditions, params


def _needed(dimension: str | None, active: Sequence[str], eqf: bool) -> set[str]:
    """The columns a count needs: the total (None) or a facet leaves its own filter out."""
    columns = {_FACET_GROUP[ticked] for ticked in active if ticked != dimension}
    if dimension is not None:
        columns.add(_FACET_GROUP[dimension])
    if eqf:
        columns.add("level")
    return columns


def _source(cube: str, *, eqf: bool, default_view: bool) -> str:
    """One cube's rows under the base conditions: counts, pending deltas and, for the default
    view, minus one for each current entry not valid today."""
    count_table, delta_table, _own = _CUBES[cube]
    columns = _cube_columns(cube)
    selected = ", ".join(f"{column} AS d_{name}" for name, column in columns.items())
    level = " AND level_id = ANY(%(eqf)s)" if eqf else ""
    where = f" WHERE status = ANY(%(statuses)s){level}"
    parts = [
        f"SELECT {selected}, n FROM {count_table}{where}",
        f"SELECT {selected}, n FROM {delta_table}{where}",
    ]
    if default_view:
        parts.append(f"SELECT {', '.join(columns.values())}, -1 FROM not_valid_today")
    return f"c_{cube} AS (" + " UNION ALL ".join(parts) + ")"


def _not_valid_today(*, eqf: bool) -> str:
    """The current entries not valid today, with their dimensions, read once for both cubes.

    Ended, not begun, and undated-start entries as three disjoint index-only range scans
    of credential_current_valid_to and credential_current_valid_from (partial indexes
    holding the dimensions): one row each, so the subtraction is exact. One OR condition
    was planned as a scan of every current entry.
    """
    current = ", ".join(f"'{status.value}'" for status in CURRENT_STATUSES)
    level = " AND level_id = ANY(%(eqf)s)" if eqf else ""
    selected = (
        "SELECT level_id, area_of_study_id, provider_id, mode_of_delivery, kind, status,"
        f" {_ENTRY_SIZE} AS size FROM credentials_credential WHERE status IN ({current})"
    )
    running = "(valid_to >= %(today)s OR valid_to IS NULL)"
    conditions = (
        "valid_to < %(today)s",
        f"valid_from > %(today)s AND {running}",
        f"valid_from IS NULL AND {running}",
    )
    parts = " UNION ALL ".join(f"{selected} AND {condition}{level}" for condition in conditions)
    return f"not_valid_today AS MATERIALIZED ({parts})"


def cube_counts(
    *,
    data: Mapping[str, Any],
    resolved_ids: Mapping[str, list[int]],
    active: Sequence[str],
    today: datetime.date,
) -> CubeCounts | None:
    """The counting CTEs for a browse with cleaned `data`, or None when the cubes cannot
    answer it (then the entries are counted)."""
    for name, value in data.items():
        if name in CONTROL_PARAMETERS or value in (None, "", []):
            continue
        if name not in _CUBE_FILTERS:
            return None
    eqf = data.get("eqf") not in (None, "")
    # Every count goes to the first cube holding the columns it needs.
    assigned: dict[str, list[str | None]] = {cube: [] for cube in _CUBES}
    for dimension in (None, *FACET_PARAMETERS):
        needed = _needed(dimension, active, eqf)
        cube = next((cube for cube in _CUBES if needed <= set(_cube_columns(cube))), None)
        if cube is None:
            return None
        assigned[cube].append(dimension)

    conditions, params = _conditions(data, resolved_ids)
    if "status" in active:
        # A ticked status counts its alternatives among every public status, undated.
        params["statuses"] = [str(status) for status in PUBLIC_STATUSES]
        default_view = False
    else:
        params["statuses"] = [str(status) for status in CURRENT_STATUSES]
        default_view = True
        params["today"] = today
    if eqf:
        params["eqf"] = list(resolved_ids["eqf"])

    counts = CubeCounts(params=params)
    if default_view:
        counts.ctes.append(_not_valid_today(eqf=eqf))
    for cube, dimensions in assigned.items():
        if not dimensions:
            continue
        counts.ctes.append(_source(cube, eqf=eqf, default_view=default_view))
        wanted = {_FACET_GROUP[dimension] for dimension in dimensions if dimension is not None}
        columns = [column for column in _COLUMN_ORDER if column in wanted] or ["status"]
        aggregates = [_sum("n", conditions.values())]
        for dimension in dimensions:
            if dimension in active:
                others = [text for ticked, text in conditions.items() if ticked != dimension]
                aggregates.append(_sum(f"n_{dimension}", others))
        keys = ", ".join(f"d_{column}" for column in columns)
        sets_sql = ", ".join(["()", *(f"(d_{column})" for column in columns)])
        name = f"g_{cube}"
        counts.ctes.append(
            f"{name} AS (SELECT {keys}, {', '.join(aggregates)}, GROUPING({keys}) AS gs"
            f" FROM c_{cube} GROUP BY GROUPING SETS ({sets_sql}))"
        )
        for dimension in dimensions:
            if dimension is None:
                counts.total = (name, (1 << len(columns)) - 1)
            else:
                count = f"n_{dimension}" if dimension in active else "n"
                counts.groupings[dimension] = (name, columns, count)
    return counts


def _sum(alias: str, conditions: Sequence[str] | Any) -> str:
    condition = " AND ".join(conditions) or "true"
    return f"coalesce(sum(n) FILTER (WHERE {condition}), 0)::bigint AS {alias}"


def facet_cube_compact(*, using: str = "default") -> int:
    """Fold the pending deltas into the cubes; return how many by-area cube rows they
    changed (0: nothing pending, or another compactor holds the lock).

    One transaction under an advisory lock (a second compactor returns 0 at once); readers
    see the deltas or their sum in the cube, never both, so counts stay exact meanwhile.
    """
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT credentials_facet_cube_compact()")
        (folded,) = cursor.fetchone()
    return int(folded)


def facet_cube_refill(*, using: str = "default") -> None:
    """Recount both cubes from the entries (after a bulk load with the triggers off)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT credentials_facet_cube_refill()")
