"""The bytes of a job's file, written to and read from its row as binary bytea.

Django's psycopg cursor binds parameters on the client, so a bytea goes to the server as a
hex literal inside the SQL text, and comes back as hex text too: a 57 MB file cost some
430 MB and 3.5 s to store, and twice its size again to read. A cursor that binds on the
server sends and receives the bytes as they are. It shares Django's connection, so it runs
in the caller's transaction.
"""

import psycopg
from django.db import connection

from .models import ImportJob


def _table() -> str:
    return connection.ops.quote_name(ImportJob._meta.db_table)


def _cursor() -> psycopg.Cursor:
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def store_file(job_id: int, content: bytes) -> None:
    """Write ``content`` as the job's file."""
    with _cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET content = %b WHERE id = %s",
            [content, job_id],
        )


def read_file(job_id: int) -> bytes:
    """The job's file, read once; ``ImportJob.DoesNotExist`` when there is no such job."""
    with _cursor() as cursor:
        cursor.execute(
            f"SELECT content FROM {_table()} WHERE id = %s",
            [job_id],
            binary=True,
        )
        row = cursor.fetchone()
    if row is None:
        raise ImportJob.DoesNotExist(f"No import job {job_id}.")
    # psycopg hands bytea back as bytes; the memoryview case is only its type's declaration.
    return bytes(row[0])
