"""Sent marks: append-only rows that record a notice or an alert as sent, exactly once.

A mark is inserted in the transaction that sends, so a failed send rolls it back for the
retry and a redelivered task finds it. qa_reviews' ``SentNotice`` and status_checks'
``AlertSent`` claim their marks here.
"""

from collections.abc import Iterable, Mapping

from django.db import connection, models


def _column(model: type[models.Model], name: str) -> str:
    """Return the quoted column of the model's field ``name``."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is no column of its table")
    return connection.ops.quote_name(field.column)


def sent_marks_claim(
    model: type[models.Model],
    *,
    about: str,
    ids: Iterable[int],
    fixed: Mapping[str, str] | None = None,
) -> set[int]:
    """Mark each id sent and return the ids not marked before.

    ``about`` names the field holding the id, ``fixed`` the other fields of the mark and
    their one value; together they are the model's unique key, and the model has a
    ``sent_at``. Call it inside the transaction that sends.
    """
    fixed = fixed or {}
    key = [_column(model, name) for name in (*fixed, about)]
    # One statement, so concurrent deliveries agree: a row another open transaction is
    # inserting makes this one wait for it, and then count as already sent if that
    # transaction committed. The ids go in sorted, so two claims of overlapping ids take
    # their row locks in one order.
    claim = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)}"
        f" ({', '.join(key)}, {_column(model, 'sent_at')})"
        f" SELECT {'%s, ' * len(fixed)}about, now() FROM unnest(%s::bigint[]) AS about"
        f" ON CONFLICT ({', '.join(key)}) DO NOTHING RETURNING {key[-1]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(claim, [*fixed.values(), sorted(set(ids))])
        return {marked for (marked,) in cursor.fetchall()}
