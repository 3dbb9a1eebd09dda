"""Progress written during an import's transaction is visible to other sessions at once."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from imports.models import ImportJob
from imports.progress import ImportProgress


def _read_elsewhere(job_id: int) -> tuple[int, int]:
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT rows_done, rows_total FROM credentials_importjob WHERE id = %s", [job_id]
            )
            return cursor.fetchone()
    finally:
        other.close()


def test_rows_done_is_committed_while_the_import_transaction_is_open(committed_db):
    job = ImportJob.objects.create(format="dfe", content=b"x")
    progress = ImportProgress(job.pk)
    progress.set(rows_total=10)
    try:
        with transaction.atomic():
            progress.set(rows_done=4)
            # The import's own connection has not committed anything; another session
            # (the API, the page) sees the progress already.
            assert _read_elsewhere(job.pk) == (4, 10)
    finally:
        progress.close()


def test_only_progress_columns_may_be_written(db):
    with pytest.raises(ValueError, match="Progress columns are"):
        ImportProgress(1).set(state="finished")
