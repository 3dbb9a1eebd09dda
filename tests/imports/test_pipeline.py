"""The parser thread hands over what a single thread reading the file would find, in its
order, never queries the database, speaks the job's language, and ends with the import."""

import io
import threading
from collections.abc import Iterator

import pytest
from django.db import IntegrityError
from django.utils import translation

from credentials.choices import CredentialStatus
from credentials.models import Credential
from imports import pipeline, services
from imports.choices import ImportState
from imports.formats import FormatContext, ParsedRow
from imports.formats.registry_csv import RegistryCsvFormat
from imports.models import ImportJob
from imports.pipeline import CheckedChunks, DatabaseAccessInParser
from imports.reading import read_table
from imports.report import ImportReport, Problem
from imports.validation import check_row, repeated_keys, report_repeats
from providers.models import Provider
from tests.factories import ProviderFactory

from .conftest import registry_csv, run_import

# Rows 2-14: a blank number, NULs, a bad status and level, a row with cells beyond the
# header, a blank line (row 8, left out), and 24/000001/L4 on rows 3 and 13, chunks apart.
FILE = (
    "registration_number,title_en,provider,status,framework,level\n"
    "24/000000/L4,Good,harbour,draft,,\n"
    "24/000001/L4,First of two,harbour,,,\n"
    ",No number,harbour,,,\n"
    "24/000002/L4,Bad status,harbour,finished,,\n"
    "24/000003/L4,Bad level,harbour,,HKQF,9\n"
    "24/000004/L4,Too wide,harbour,,,,extra\n"
    "\n"
    "24/\x00000005,NUL in the number,harbour,,,\n"
    "24/000006/L4,NUL \x00 in the title,harbour,,,\n"
    "24/000007/L4,No provider,,,,\n"
    "24/000008/L4,Good,harbour,,,\n"
    "24/000001/L4,Second of two,harbour,,,\n"
    "24/000009/L4,Good,harbour,,,\n"
)
# (row numbers, problems found so far, keys recorded so far, rows read) after each chunk.
Step = tuple[list[int], list[Problem], dict[int, str], int]


def _single_threaded(size: int) -> list[Step]:
    """Read FILE as main's ``_Importer._checked_rows`` did before the thread, in one thread."""
    report = ImportReport()
    fmt = RegistryCsvFormat(FormatContext(report=report))
    table = read_table(io.StringIO(FILE), fmt.columns, report)
    assert table is not None
    _total, repeated = repeated_keys(io.StringIO(FILE), fmt)
    keys: dict[int, str] = {}

    def checked() -> Iterator[ParsedRow]:
        waiting = []
        for number, cells in table.rows:
            parsed = fmt.parse(number, cells)
            if parsed is None:
                continue
            key = check_row(parsed, fmt, report)
            if key is None:
                yield parsed
                continue
            keys[parsed.row] = key
            if key in repeated:
                waiting.append(parsed)
            else:
                yield parsed
        report_repeats(waiting, keys, fmt, report)
        yield from waiting

    steps: list[Step] = []
    rows: list[int] = []
    for parsed in checked():
        rows.append(parsed.row)
        if len(rows) == size:
            steps.append((rows, list(report.problems), dict(keys), table.count))
            rows = []
    steps.append((rows, list(report.problems), dict(keys), table.count))
    return steps


def _threaded(size: int) -> list[Step]:
    """Read FILE through CheckedChunks, taking each chunk in as the importer does."""
    report = ImportReport()
    fmt = RegistryCsvFormat(FormatContext(report=ImportReport()))
    table = read_table(io.StringIO(FILE), fmt.columns, fmt.report)
    assert table is not None
    report.merge(fmt.report.take())
    _total, repeated = repeated_keys(io.StringIO(FILE), fmt)
    keys: dict[int, str] = {}
    steps: list[Step] = []
    with CheckedChunks(table, fmt, repeated, report=fmt.report, size=size) as chunks:
        for chunk in chunks:
            report.merge(chunk.report)
            keys.update(chunk.keys)
            steps.append(
                ([p.row for p in chunk.rows], list(report.problems), dict(keys), chunk.rows_read)
            )
    return steps


def _parser_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "import-parser"]


@pytest.mark.parametrize("size", [1, 2, 3, 100])
def test_chunks_hold_what_one_thread_reading_the_file_finds_in_its_order(size):
    """Rows, their order, keys, problems (the repeat's on both rows last) and progress: each
    chunk hands over exactly what the single-threaded read had found once it was complete."""
    expected = _single_threaded(size)

    assert _threaded(size) == expected
    _rows, problems, keys, read = expected[-1]
    assert [row for rows, *_rest in expected for row in rows][-2:] == [3, 13]
    assert [(p.row, p.column) for p in problems][-2:] == [
        (3, "registration_number"),
        (13, "registration_number"),
    ]
    assert {3, 13} <= keys.keys() and read == 12
    assert not _parser_threads()


@pytest.fixture
def harbour(db):
    return ProviderFactory(slug="harbour", name_en="Harbour College")


def _rows(count: int) -> bytes:
    return registry_csv(
        *({"registration_number": f"24/{n:06d}/L4", "provider": "harbour"} for n in range(count))
    )


@pytest.mark.django_db
@pytest.mark.parametrize("chunk_size", [None, 2], indirect=True)
def test_an_error_in_the_parser_thread_fails_the_import_and_writes_nothing(
    harbour, monkeypatch, chunk_size
):
    parse = RegistryCsvFormat.parse

    def broken(self, row_number, row):
        if row_number == 5:
            raise RuntimeError("parser broke on row 5")
        return parse(self, row_number, row)

    monkeypatch.setattr(RegistryCsvFormat, "parse", broken)

    with pytest.raises(RuntimeError, match="parser broke on row 5"):
        run_import("registry-csv", _rows(8))

    assert not Credential.objects.exists()
    assert not _parser_threads()


@pytest.mark.django_db
def test_the_parser_thread_may_not_query_the_database(harbour, monkeypatch):
    """A query from the thread would run outside the import's transaction: it is refused."""
    parse = RegistryCsvFormat.parse

    def querying(self, row_number, row):
        Provider.objects.count()
        return parse(self, row_number, row)

    monkeypatch.setattr(RegistryCsvFormat, "parse", querying)

    with pytest.raises(DatabaseAccessInParser, match="may not query the database"):
        run_import("registry-csv", _rows(3))

    assert not Credential.objects.exists()
    assert not _parser_threads()


@pytest.mark.django_db
@pytest.mark.parametrize("chunk_size", [1], indirect=True)
def test_the_parser_thread_stops_when_the_writes_fail(harbour, monkeypatch, chunk_size):
    """The thread is a chunk ahead and would wait for room forever; the failed import ends it."""
    monkeypatch.setattr(pipeline, "STOP_POLL_SECONDS", 0.01)

    def refused(self, rows, fmt):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services._Importer, "_apply_chunk", refused)

    job = run_import("registry-csv", _rows(20))

    assert job.state == ImportState.FAILED
    assert "The database refused the file" in job.report["problems"][0]["message"]
    assert not _parser_threads()


@pytest.mark.django_db
def test_the_parser_threads_messages_are_in_the_jobs_language(harbour):
    content = registry_csv(
        {"registration_number": "", "provider": "harbour"},
        {"registration_number": "24/000001/L4", "provider": "harbour", "status": "finished"},
    )

    with translation.override("zh-hant"):
        job = run_import("registry-csv", content)

    assert job.state == ImportState.FAILED
    assert [p["message"] for p in job.report["problems"]] == [
        "登記編號空白。",
        f"「finished」不是狀態；請使用以下其一：{', '.join(CredentialStatus.values)}。",
    ]
    assert ImportJob.objects.get(pk=job.pk).error_count == 2
