"""Exports stream from PostgreSQL: keyset batches by id through a cursor that is not held."""

import psycopg
import pytest
from django.db import connection

from credentials.interop.streaming import rows_by_id
from credentials.models import Credential
from tests.factories import CredentialFactory


def _cursors() -> list[tuple[bool, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT is_holdable, statement FROM pg_cursors")
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("id_set_limit", "batch_sql"), [(0, "LIMIT 1"), (1_000, "unnest")])
def test_export_reads_through_a_cursor_that_is_not_held(id_set_limit, batch_sql):
    """A WITH HOLD cursor is materialised in full at commit before it returns a row; by the
    id walk (limit 0) or from the id set, the batches read through one that is not."""
    for _ in range(3):
        CredentialFactory()
    batches = rows_by_id(
        Credential.objects.all(),
        ("pk",),
        first_batch=1,
        largest_batch=1,
        id_set_limit=id_set_limit,
    )

    first = next(batches)
    cursors = _cursors()
    with connection.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")
        isolation = cursor.fetchone()[0]
    rest = list(batches)

    assert len(first) == 1
    assert sum(len(batch) for batch in rest) == 2
    assert [holdable for holdable, _statement in cursors] == [False]
    assert "ORDER BY" in cursors[0][1] and batch_sql in cursors[0][1]
    assert isolation == "repeatable read"  # one snapshot for the whole export
    assert _cursors() == []  # closed with the transaction once the export ended


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("id_set_limit", [0, 1_000], ids=["id walk", "id set"])
def test_an_export_reads_one_snapshot(id_set_limit):
    """A row changed while the export streams is written as it was when the export began,
    whichever plan reads it (an id set is collected before the edit, its rows read after)."""
    first, second = CredentialFactory(title_en="Before"), CredentialFactory(title_en="Before")
    batches = rows_by_id(
        Credential.objects.order_by("pk"),
        ("pk", "title_en"),
        first_batch=1,
        largest_batch=1,
        id_set_limit=id_set_limit,
    )

    assert next(batches) == [(first.pk, "Before")]
    # Another session edits it (this one is inside the export's read-only transaction).
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute(
            f"UPDATE {Credential._meta.db_table} SET title_en = 'After' WHERE id = %s",
            [second.pk],
        )

    assert list(batches) == [[(second.pk, "Before")]]
    assert Credential.objects.get(pk=second.pk).title_en == "After"


@pytest.mark.django_db
@pytest.mark.parametrize("id_set_limit", [0, 1_000])
@pytest.mark.parametrize(("first_batch", "largest_batch"), [(1, 1), (2, 3), (3, 100), (500, 500)])
def test_every_row_comes_once_in_id_order_across_batches(first_batch, largest_batch, id_set_limit):
    made = sorted(credential.pk for credential in CredentialFactory.create_batch(7))
    # A filter the batches keep: every other row.
    kept = made[::2]

    rows = [
        row
        for batch in rows_by_id(
            Credential.objects.filter(pk__in=kept),
            ("pk",),
            first_batch=first_batch,
            largest_batch=largest_batch,
            id_set_limit=id_set_limit,
        )
        for row in batch
    ]

    assert [pk for (pk,) in rows] == kept


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "first_batch", "largest_batch"),
    [(("title_en", "pk"), 1, 1), (("pk",), 0, 1), (("pk",), 5, 4), ((), 1, 1)],
)
def test_bad_arguments_are_refused(fields, first_batch, largest_batch):
    with pytest.raises(ValueError):
        next(
            rows_by_id(
                Credential.objects.all(),
                fields,
                first_batch=first_batch,
                largest_batch=largest_batch,
            )
        )
