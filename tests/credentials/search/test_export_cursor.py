"""Exports stream from PostgreSQL: the first row comes before the whole query has run."""

import pytest
from django.db import connection

from credentials.search.service import credential_search
from tests.factories import CredentialFactory


def _cursors() -> list[tuple[bool, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT is_holdable, statement FROM pg_cursors")
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_export_reads_through_a_cursor_that_is_not_held():
    """A WITH HOLD cursor is materialised in full at commit before it returns a row."""
    for _ in range(3):
        CredentialFactory()
    rows = credential_search(params={"status": "all"}).iter_export(("pk",), chunk_size=1)

    first = next(rows)
    cursors = _cursors()
    rest = list(rows)

    assert first[0]
    assert len(rest) == 2
    assert [holdable for holdable, _statement in cursors] == [False]
    assert _cursors() == []  # closed with the transaction once the export ended
