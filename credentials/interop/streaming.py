"""Every row of a queryset as plain tuples, for an export of any size.

The rows come in batches ordered by id, each read through a named server-side cursor inside
one REPEATABLE READ transaction:

- a batch is short, so the first row never waits for the whole result (a single
  ``ORDER BY`` over every match sorts them all first: 1.6 s before the first row at 1M);
- the cursor is named and not ``WITH HOLD`` (inside a transaction Django declares it without
  HOLD), so PostgreSQL hands rows over as it finds them rather than materialising the batch;
- one snapshot for the whole export: a row edited while the file streams is written as it
  was when the export began, and no row is written twice or skipped;
- the first batch is small and later ones grow, so the reader sees the first rows at once
  and the rest come in few round trips.

Two plans, chosen per export by how many rows it matches:

- **id set**, for at most ``id_set_limit`` matches: the ids are collected first, in no order,
  from whichever index suits the filter (the search document's GIN index for words), then
  sorted; each batch reads the rows of the next slice of them by primary key. A rare word
  costs its own matches, not a walk of the register: walking the id index and testing each
  row's document took 356 ms to the first of 6,657 rows at 1M.
- **id walk**, for more: each batch is ``id > last ORDER BY id LIMIT n`` on the id index,
  testing the filter row by row. With matches this dense a batch fills after a short walk,
  where collecting them all first would read every match before the first row.

The choice costs an ``EXPLAIN`` (planning only, a few milliseconds): the planner's estimate
of the matches. An estimate past the limit walks at once. One within it collects at most
``id_set_limit`` + 1 ids, in the export's snapshot; one more than the limit (the planner
guessed low, as it does by 2-25 times for words with filters) walks after all, so a wrong
guess costs one bounded read, never a slow export.

Rows are tuples straight from psycopg (``values_list`` SQL on the raw cursor): no model
instances and no per-row Django conversion.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

FIRST_BATCH = 500
LARGEST_BATCH = 20_000
BATCH_GROWTH = 4
# Rows fetched from the server-side cursor per round trip.
FETCH_SIZE = 2_000
# An export matching at most this many rows reads them from its id set (EXPORT_ID_SET_LIMIT):
# at 200,000 entries on the loaded two cores, collecting 6,000-8,000 ids took 115-140 ms
# before the first row, walking to the first batch of a word in 0.7% of the entries 390 ms,
# and of one in 13% 33 ms (docs/performance.md).
DEFAULT_ID_SET_LIMIT = 10_000


def export_id_set_limit() -> int:
    """The most matches an export reads from its id set (the EXPORT_ID_SET_LIMIT setting)."""
    return int(getattr(settings, "EXPORT_ID_SET_LIMIT", DEFAULT_ID_SET_LIMIT))


def rows_by_id(
    queryset: QuerySet,
    fields: Sequence[str],
    *,
    first_batch: int | None = None,
    largest_batch: int | None = None,
    id_set_limit: int | None = None,
) -> Iterator[list[tuple]]:
    """Yield ``fields`` of every row of ``queryset``, in id order, a fetched list at a time.

    ``fields[0]`` must be ``"pk"``, and every field a column or a relation's column of the
    model (an id set's rows are read by primary key alone). Batch sizes default to
    FIRST_BATCH and LARGEST_BATCH; ``id_set_limit`` (default EXPORT_ID_SET_LIMIT, 0 for the
    id walk always) chooses the plan.
    """
    first_batch = FIRST_BATCH if first_batch is None else first_batch
    largest_batch = LARGEST_BATCH if largest_batch is None else largest_batch
    limit = export_id_set_limit() if id_set_limit is None else id_set_limit
    if not fields or fields[0] != "pk":
        raise ValueError("rows_by_id needs 'pk' as its first field.")
    if first_batch < 1 or largest_batch < first_batch:
        raise ValueError("Batch sizes must be positive, the largest at least the first.")
    if limit < 0:
        raise ValueError("The id set limit must not be negative.")
    using = queryset.db
    connection = connections[using]
    fresh = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if fresh:
            # The first statement of the transaction; a caller's own transaction keeps its
            # isolation level.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        sizes = _batch_sizes(first_batch, largest_batch)
        ids = _id_set(queryset, limit) if limit else None
        if ids is None:
            selected = queryset.order_by("pk").values_list(*fields)
            yield from _walk(selected, connection, sizes)
        else:
            by_key = queryset.model._base_manager.order_by("pk").values_list(*fields)
            yield from _within(ids, by_key, connection, sizes)


def _batch_sizes(first: int, largest: int) -> Iterator[int]:
    size = first
    while True:
        yield size
        size = min(size * BATCH_GROWTH, largest)


def _id_set(queryset: QuerySet, limit: int) -> list[int] | None:
    """Every matching id, sorted, or None when more than `limit` match (or are estimated to)."""
    ids = queryset.order_by().values_list("pk", flat=True)
    plan = json.loads(ids.explain(format="json"))
    if plan[0]["Plan"]["Plan Rows"] > limit:
        return None
    found = list(ids[: limit + 1])
    if len(found) > limit:
        return None
    found.sort()
    return found


def _read(connection: BaseDatabaseWrapper, selected: QuerySet) -> Iterator[list[tuple]]:
    sql, params = selected.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_SIZE):
            yield rows


def _walk(
    selected: QuerySet, connection: BaseDatabaseWrapper, sizes: Iterator[int]
) -> Iterator[list[tuple]]:
    """Keyset batches on the id index: each starts after the last id of the one before."""
    last = 0
    for size in sizes:
        read = 0
        for rows in _read(connection, selected.filter(pk__gt=last)[:size]):
            read += len(rows)
            last = rows[-1][0]
            yield rows
        if read < size:
            return


def _within(
    ids: list[int], by_key: QuerySet, connection: BaseDatabaseWrapper, sizes: Iterator[int]
) -> Iterator[list[tuple]]:
    """Batches of the rows of consecutive slices of `ids` (sorted), read by primary key."""
    start = 0
    for size in sizes:
        if start >= len(ids):
            return
        chunk = ids[start : start + size]
        start += size
        # One array parameter, not one placeholder per id.
        keys = RawSQL("SELECT unnest(%s::bigint[])", (chunk,))
        yield from _read(connection, by_key.filter(pk__in=keys))
