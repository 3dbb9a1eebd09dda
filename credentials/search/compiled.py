"""Search SQL that never changes, compiled once per process: columns and the rows statement.

Every search statement repeats a few computed columns (the size band's five-way CASE, the
rank keys' CASEs). Resolving and compiling them through the ORM on every request was a
large part of building the counting statement, for SQL text that is the same each time.
Each is compiled here on first use and handed out as RawSQL with the same text and
parameters; an argument that varies per request (the registration key) is compiled as a
placeholder value and put in its place.

A page's rows are read by id with the same 20 columns and five joins every time: that
statement is compiled once per set of columns, its ids passed as one array parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BooleanField, Case, CharField, Field, Value, When
from django.db.models.expressions import RawSQL

from ..choices import CredentialStatus
from ..models import Credential
from .sizes import size_band

# Stands for the per-request argument while compiling; nothing a user sends contains NUL
# (query.clean drops control characters), so it cannot be mistaken for a real value.
_ARGUMENT = "\x00argument"


def _exact_number() -> Case:
    return Case(
        When(registration_key=Value(_ARGUMENT), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def _superseded() -> Case:
    return Case(
        When(status=CredentialStatus.SUPERSEDED, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


# name -> (the expression over the credentials table, the column's field)
_EXPRESSIONS: dict[str, tuple[Callable[[], Any], type[Field]]] = {
    "size_band": (size_band, CharField),
    "exact_number": (_exact_number, BooleanField),
    "superseded": (_superseded, BooleanField),
}


@cache
def _compiled(name: str) -> tuple[str, tuple[Any, ...]]:
    """The SQL and parameters of expression `name`, compiled against the credentials table.

    Compiled for the default database: every alias is PostgreSQL, which writes it alike.
    """
    expression, _field = _EXPRESSIONS[name]
    query = Credential.objects.annotate(column=expression()).values("column").query
    compiler = query.get_compiler(DEFAULT_DB_ALIAS)
    sql, params = compiler.compile(query.annotations["column"])
    return sql, tuple(params)


def compiled_column(name: str, argument: Any = None) -> RawSQL:
    """Expression `name` as RawSQL, its per-request `argument` (if it takes one) in place."""
    sql, params = _compiled(name)
    _expression, output_field = _EXPRESSIONS[name]
    values = [argument if param == _ARGUMENT else param for param in params]
    return RawSQL(sql, values, output_field=output_field())


@dataclass(frozen=True)
class _RowsStatement:
    sql: str
    names: tuple[str, ...]
    # Column position -> the ORM's converters for it (none for today's columns).
    converters: dict[int, tuple[list[Callable], Any]]


@lru_cache(maxsize=16)
def _rows_statement(values: tuple[str, ...]) -> _RowsStatement:
    ids = RawSQL("SELECT unnest(%s::bigint[])", [[0]])
    queryset = Credential.objects.filter(pk__in=ids).order_by().values("pk", *values)
    compiler = queryset.query.get_compiler(DEFAULT_DB_ALIAS)
    sql, _params = compiler.as_sql()
    converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
    return _RowsStatement(sql, ("pk", *values), converters)


def rows_by_id(ids: Sequence[int], values: Sequence[str], *, using: str) -> list[dict[str, Any]]:
    """The credentials with `ids` (in no order) as dicts of "pk" and `values`, as
    `Credential.objects.filter(pk__in=ids).values("pk", *values)` reads them."""
    statement = _rows_statement(tuple(values))
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [list(ids)])
        rows = cursor.fetchall()
    if statement.converters:
        converted = []
        for row in rows:
            items = list(row)
            for position, (functions, expression) in statement.converters.items():
                for function in functions:
                    items[position] = function(items[position], expression, connection)
            converted.append(items)
        rows = converted
    return [dict(zip(statement.names, row, strict=True)) for row in rows]
