"""Import progress that others can read while the import's own transaction is still open.

A file is imported in one transaction, so a ``rows_done`` written through the import's
connection would stay invisible until the end. Progress is therefore written through a
second database connection in autocommit mode: the page and the API read it from the
ImportJob row like every other field, and nothing else (Redis, a cache) has to agree
with the database about a job. The import's transaction does not touch the job row until
its last statement, so the two connections never wait on each other's row lock.

When the caller already holds a transaction (a test, or a caller that wraps the import),
no second connection is opened: it could not see the uncommitted job row anyway.
"""

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from .models import ImportJob

PROGRESS_COLUMNS = frozenset({"rows_total", "rows_done"})


class ImportProgress:
    """Writes rows_total and rows_done for one job."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        # Inside a caller's transaction the job row may be uncommitted: stay on its connection.
        self.may_use_own_connection = not connection.in_atomic_block
        self._own: BaseDatabaseWrapper | None = None

    def _connection(self) -> BaseDatabaseWrapper:
        if not connection.in_atomic_block or not self.may_use_own_connection:
            return connection
        if self._own is None:
            self._own = connections.create_connection(DEFAULT_DB_ALIAS)
        return self._own

    def set(self, **counts: int) -> None:
        """Write rows_total and/or rows_done now, committed at once where possible."""
        if not counts or not set(counts) <= PROGRESS_COLUMNS:
            raise ValueError(
                f"Progress columns are {sorted(PROGRESS_COLUMNS)}, not {sorted(counts)}"
            )
        assignments = ", ".join(f"{name} = %s" for name in counts)
        table = ImportJob._meta.db_table
        with self._connection().cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {assignments}, updated_at = %s WHERE id = %s",
                [*counts.values(), timezone.now(), self.job_id],
            )

    def close(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None
