"""A job's file is stored as its bytes and read once per run, never through the ORM."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imports import services
from imports.models import ImportJob
from imports.services import import_job_create, import_run
from imports.stored_file import read_file

from .conftest import HKQR_REGISTER

pytestmark = pytest.mark.django_db

EVERY_BYTE = bytes(range(256)) * 4


def _content_queries(queries: list[dict[str, str]]) -> list[str]:
    table = ImportJob._meta.db_table
    return [q["sql"] for q in queries if table in q["sql"] and '"content"' in q["sql"]]


def test_the_file_is_kept_byte_for_byte():
    job = import_job_create(actor=None, format="registry-csv", content=EVERY_BYTE)

    assert job.content == EVERY_BYTE
    assert bytes(ImportJob.objects.get(pk=job.pk).content) == EVERY_BYTE
    assert read_file(job.pk) == EVERY_BYTE


def test_storing_the_file_does_not_put_its_bytes_in_the_sql_text():
    with CaptureQueriesContext(connection) as captured:
        job = import_job_create(actor=None, format="registry-csv", content=EVERY_BYTE)

    assert not any(EVERY_BYTE.hex() in q["sql"] for q in captured.captured_queries)
    assert read_file(job.pk) == EVERY_BYTE


def test_a_run_reads_the_file_once_and_the_orm_never_loads_it(monkeypatch):
    job = import_job_create(actor=None, format="hkqr", content=HKQR_REGISTER.read_bytes())
    reads: list[int] = []

    def counted(job_id: int) -> bytes:
        reads.append(job_id)
        return read_file(job_id)

    monkeypatch.setattr(services, "read_file", counted)
    with CaptureQueriesContext(connection) as captured:
        done = import_run(job=ImportJob(pk=job.pk))

    assert done.created_count == 9
    assert reads == [job.pk]
    assert _content_queries(captured.captured_queries) == []


@pytest.mark.parametrize("content", [b"", b" \r\n\t\r\n"])
def test_an_empty_file_is_still_reported_as_empty(content):
    job = import_run(job=import_job_create(actor=None, format="registry-csv", content=content))

    assert [p["message"] for p in job.report["problems"]] == ["The file is empty."]


def test_a_large_file_is_stored_as_it_came_not_compressed():
    # Compressible text well past TOAST's threshold: pglz would shrink it several times.
    content = b"registration_number,title_en\n" + b"HK-0001,Certificate in Care\n" * 20_000
    job = import_job_create(actor=None, format="registry-csv", content=content)

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pg_column_size(content) FROM {ImportJob._meta.db_table} WHERE id = %s",
            [job.pk],
        )
        (stored,) = cursor.fetchone()

    assert stored >= len(content)
    assert read_file(job.pk) == content
