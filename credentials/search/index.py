"""Rebuilding stored search documents, for bulk loads and after changing the SQL."""

from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Max, Min

from ..models import Credential
from .sql import install_search_sql

DEFAULT_BATCH_SIZE = 5000


def search_index_rebuild(
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    reinstall: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Recompute every credential's search document in id-range batches; return rows touched.

    Setting the column to NULL fires the row trigger, which computes the document from
    the row and its provider and area. Batches keep each transaction (and its locks and
    WAL) small on a large register. With `reinstall`, the functions and triggers are
    re-created first from the current code, so a changed fold map takes effect.
    """
    if reinstall:
        with transaction.atomic():
            install_search_sql(connection)
    bounds = Credential.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return 0
    touched = 0
    start = bounds["low"]
    while start <= bounds["high"]:
        end = start + batch_size
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE credentials_credential SET search_document = NULL"
                " WHERE id >= %s AND id < %s",
                [start, end],
            )
            touched += cursor.rowcount
        if progress:
            progress(touched, bounds["high"] - bounds["low"] + 1)
        start = end
    return touched
