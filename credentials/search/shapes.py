"""A plain text search's counting statement, compiled once per shape of query.

Building the counting statement through the ORM (the FilterSet's WHERE, the rank
expression, `values()` with a dozen annotations, the compile) was about a third of a text
search's CPU, for SQL text that only changes with the query's shape: how many tsquery
parts under which configurations, whether it holds a registration number, the ordering
and the page. A text search without filters is compiled once per shape with marker
values (the tsquery texts, the registration key, today) and each request puts its own
values in the markers' parameter positions: the values stay psycopg parameters, never
part of the SQL text.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import Any

from .query import ParsedQuery

# Markers start with NUL, which no user text holds (query.clean drops control
# characters); the date is one no register entry or filter uses.
_KEY = "\x00key"
_TODAY = datetime.date(1, 1, 1)
# Shapes are few (the parts of a query, ordering, page); the bound only guards a process
# against a stream of odd ones.
_MAX_SHAPES = 256


def _text_marker(position: int) -> str:
    return f"\x00text:{position}"


def query_shape(parsed: ParsedQuery) -> Hashable:
    """What of a parsed query the SQL text depends on: each part's configuration, not its
    text, and whether it carries a registration key."""
    parts = tuple(
        tuple(tuple(config for config, _text in alternative) for alternative in group)
        for group in parsed.groups
    )
    return parts, parsed.registration_key is not None


def marked_query(parsed: ParsedQuery) -> ParsedQuery:
    """`parsed` with each tsquery text and the registration key replaced by a marker."""
    counter = itertools.count()
    groups = tuple(
        tuple(
            tuple((config, _text_marker(next(counter))) for config, _text in alternative)
            for alternative in group
        )
        for group in parsed.groups
    )
    key = _KEY if parsed.registration_key is not None else None
    return replace(parsed, text="", groups=groups, registration_key=key)


def _request_values(parsed: ParsedQuery, today: datetime.date) -> dict[Any, Any]:
    texts = (text for group in parsed.groups for alternative in group for _c, text in alternative)
    values: dict[Any, Any] = {_text_marker(position): text for position, text in enumerate(texts)}
    values[_KEY] = parsed.registration_key
    values[_TODAY] = today
    return values


def _is_marker(param: Any) -> bool:
    if type(param) is str:
        return param.startswith("\x00")
    return type(param) is datetime.date and param == _TODAY


@dataclass(frozen=True)
class _Template:
    sql: str
    params: tuple[Any, ...]
    # (parameter position, marker) for every position a request's value goes in.
    positions: tuple[tuple[int, Any], ...]


_templates: dict[Hashable, _Template | None] = {}


def _template(
    parsed: ParsedQuery, build: Callable[[ParsedQuery, datetime.date], tuple[str, Any]]
) -> _Template | None:
    """The statement `build` writes for `parsed`'s shape, or None if a marker did not
    come out as a parameter of its own (then it cannot be filled in, and the ORM builds
    every such statement)."""
    marked = marked_query(parsed)
    sql, params = build(marked, _TODAY)
    positions = tuple((index, param) for index, param in enumerate(params) if _is_marker(param))
    expected = set(_request_values(marked, _TODAY))
    if marked.registration_key is None:
        expected.discard(_KEY)
    found = {marker for _index, marker in positions}
    if "\x00" in sql or found != expected:
        return None
    return _Template(sql, tuple(params), positions)


def shaped_statement(
    shape: Hashable,
    parsed: ParsedQuery,
    today: datetime.date,
    build: Callable[[ParsedQuery, datetime.date], tuple[str, Any]],
) -> tuple[str, list[Any]]:
    """The statement `build(parsed, today)` writes, from the template of `shape` (which
    must hold everything besides `parsed`'s shape that the SQL text depends on)."""
    key = (shape, query_shape(parsed))
    if key not in _templates:
        if len(_templates) >= _MAX_SHAPES:
            _templates.clear()
        _templates[key] = _template(parsed, build)
    template = _templates[key]
    if template is None:
        sql, params = build(parsed, today)
        return sql, list(params)
    values = _request_values(parsed, today)
    params = list(template.params)
    for index, marker in template.positions:
        params[index] = values[marker]
    return template.sql, params
