"""The codes a search names, resolved to ids before it runs.

A filter on `level__framework__code` or `area_of_study__parent__code` joins the reference
tables, and PostgreSQL then estimates how many entries match from the join alone: a guess
that at a million entries picked a bitmap of every entry with a common level to AND into a
text search, or a plan built for a few hundred matches that met tens of thousands. Resolved
first, the filter is `level_id = ANY(...)` on the credential table's own column, which its
statistics describe. One query resolves every coded parameter of a search together; a
search naming no codes makes none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import CharField, Q, QuerySet, Value

from providers.models import Provider
from qualifications.models import AreaOfStudy, Level, LevelReference

# The parameters resolved here; each filters on the credential column beside it.
CODED_PARAMETERS: dict[str, str] = {
    "framework": "level_id",
    "level": "level_id",
    "eqf": "level_id",
    "area": "area_of_study_id",
    "area_id": "area_of_study_id",
    "provider": "provider_id",
}


def _level_condition(keys: list[str]) -> Q:
    """Levels named `FRAMEWORK-CODE`, or by a bare code in any framework."""
    condition = Q(pk__in=[])
    for key in keys:
        framework, sep, code = key.partition("-")
        if sep:
            condition |= Q(framework__code=framework, code=code)
        else:
            condition |= Q(code=framework)
    return condition


def _eqf_condition(eqf_level: int) -> Q:
    """EQF `eqf_level` itself and every level referenced to it."""
    code = str(eqf_level)
    referencing = LevelReference.objects.filter(
        to_level__framework__code="EQF", to_level__code=code
    ).values("from_level_id")
    return Q(framework__code="EQF", code=code) | Q(pk__in=referencing)


def _lookup(parameter: str, value: Any) -> QuerySet:
    """The ids `parameter` = `value` names, as (parameter, id) rows."""
    queryset: QuerySet
    if parameter == "framework":
        queryset = Level.objects.filter(framework__code__in=[code.upper() for code in value])
    elif parameter == "level":
        queryset = Level.objects.filter(_level_condition(value))
    elif parameter == "eqf":
        queryset = Level.objects.filter(_eqf_condition(value))
    elif parameter == "area":
        # A broad area includes the areas filed under it.
        queryset = AreaOfStudy.objects.filter(Q(code__in=value) | Q(parent__code__in=value))
    elif parameter == "area_id":
        queryset = AreaOfStudy.objects.filter(Q(pk__in=value) | Q(parent_id__in=value))
    else:
        queryset = Provider.objects.filter(slug__in=value)
    return (
        queryset.order_by()
        .annotate(parameter=Value(parameter, output_field=CharField()))
        .values_list("parameter", "pk")
    )


def search_codes_resolve(data: Mapping[str, Any]) -> dict[str, list[int]]:
    """Return the ids each coded parameter in cleaned search `data` names (one query).

    A parameter naming nothing on the register maps to an empty list: it matches nothing.
    """
    asked = [
        parameter for parameter in CODED_PARAMETERS if data.get(parameter) not in (None, "", [])
    ]
    if not asked:
        return {}
    lookups = [_lookup(parameter, data[parameter]) for parameter in asked]
    union = lookups[0].union(*lookups[1:], all=True) if len(lookups) > 1 else lookups[0]
    resolved: dict[str, list[int]] = {parameter: [] for parameter in asked}
    for parameter, pk in union:
        resolved[parameter].append(pk)
    return resolved
