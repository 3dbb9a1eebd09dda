import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from imports import services
from imports.models import ImportJob
from imports.services import import_job_create, import_run
from providers.models import Provider
from tests import TEST_DATA_DIR

FIXTURES = Path(__file__).parent / "fixtures"
UK = TEST_DATA_DIR / "uk"
DFE_2024_10 = UK / "dfe-approved-qualifications-2024-10.csv"
DFE_2025_02 = UK / "dfe-approved-qualifications-2025-02.csv"
OFQUAL_SAMPLE = UK / "ofqual-full-export-sample.csv"
HKQR_REGISTER = FIXTURES / "hkqr-style-register.csv"
HKQR_BROKEN = FIXTURES / "hkqr-broken-rows.csv"

Importer = Callable[..., ImportJob]


def run_import(
    format: str,
    source: Path | bytes,
    *,
    actor=None,
    provider: Provider | None = None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    filename: str = "",
) -> ImportJob:
    """Import a file the way the command does: record the job, then run it in this process."""
    content = source.read_bytes() if isinstance(source, Path) else source
    job = import_job_create(
        actor=actor,
        format=format,
        content=content,
        filename=filename or (source.name if isinstance(source, Path) else "upload.csv"),
        provider=provider,
        dry_run=dry_run,
        skip_bad_rows=skip_bad_rows,
    )
    return import_run(job=job)


def problems(job: ImportJob, severity: str = "error") -> list[tuple[int | None, str]]:
    """The (row, column) of every problem of one severity, in report order."""
    return [(p["row"], p["column"]) for p in job.report["problems"] if p["severity"] == severity]


def registry_csv(*rows: dict[str, str]) -> bytes:
    """A registry CSV of the given cells; every row gets a title unless it names one."""
    rows = tuple({"title_en": "Certificate in Imported Things", **row} for row in rows)
    columns = list(dict.fromkeys(column for row in rows for column in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def chunk_size(request, monkeypatch):
    """Read the file ``request.param`` rows at a time (None: the service's own size), so a
    small file is also handled as several chunks: providers added in one are found in the
    next, and a number repeated across chunks is still reported on both rows."""
    size = getattr(request, "param", None)
    if size is not None:
        monkeypatch.setattr(services, "CHUNK_SIZE", size)
    return size
