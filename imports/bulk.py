"""Bulk writes for imports through PostgreSQL's COPY.

``bulk_create`` and ``bulk_update`` build one huge parameterised statement per batch, and
turning it into SQL cost more than the database spent running it (about 400 rows/s for
the DfE list). COPY streams rows instead. New credentials get their ids from the sequence
first, so their versions and status changes can be written in the same way; updates are
copied into a temporary table and applied with one UPDATE ... FROM per set of columns.
The search-document trigger fires for COPY as for any INSERT or UPDATE.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

from credentials.models import Credential


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def next_ids(model: type[Model], count: int) -> list[int]:
    """Take ``count`` ids from the model's id sequence."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    types: Sequence[str] | None = None,
) -> None:
    """COPY the rows into the table; values are Python values psycopg adapts.

    Given the columns' PostgreSQL types (``text``, ``numeric``, ``varchar[]``), the rows go
    in binary, which psycopg's C dumpers write without quoting or escaping each value.
    """
    column_list = ", ".join(_quote(column) for column in columns)
    statement = f"COPY {_quote(table)} ({column_list}) FROM STDIN"
    if types is not None:
        statement += " (FORMAT BINARY)"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        if types is not None:
            copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def update_rows(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Set ``columns`` (attnames) on the rows, each given as (id, *values); return how many
    rows the UPDATE matched."""
    if not rows:
        return 0
    meta = model._meta
    fields = {field.attname: field for field in meta.concrete_fields}
    temp = f"_import_{meta.db_table}"
    definitions = ", ".join(
        f"{_quote(column)} {fields[column].db_type(connection)}" for column in columns
    )
    assignments = ", ".join(f"{_quote(c)} = u.{_quote(c)}" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        cursor.execute(f"CREATE TEMPORARY TABLE {temp} (id bigint PRIMARY KEY, {definitions})")
    copy_rows(temp, ["id", *columns], rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_quote(meta.db_table)} AS t SET {assignments} FROM {temp} AS u "
            "WHERE t.id = u.id"
        )
        updated = cursor.rowcount
        cursor.execute(f"DROP TABLE {temp}")
    return updated


CREDENTIAL_COLUMNS = tuple(
    field.attname
    for field in Credential._meta.concrete_fields
    if not field.generated and field.attname != "search_document"
)
