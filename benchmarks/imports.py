"""The import benchmark: a 100k-row registry CSV and the DfE list, each imported twice
(first import, then the same file again) into the loaded register, then taken out again.

The registry CSV is the bench register's own export (its first rows, numbers prefixed so
that every row is a new entry), so it carries every column the generator fills. Each import
runs in a child process through ``import_register``, the command line's path, so its peak
resident memory is the importing process's alone (``os.wait4``). Its end-to-end time is the
command's (``bench_import``): storing the file to the commit, without the child's Python
and Django start-up, which a worker running an upload's import has already paid. The
entries, providers, history and change events the imports added are removed afterwards, so
the search benchmark can reuse the database.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from changes.models import ChangeEvent
from credentials.interop.registry_csv import COLUMNS, registry_csv_rows
from credentials.models import Credential, CredentialStatusChange, CredentialVersion
from imports.models import ImportJob
from providers.models import Provider

from .load import FACET_DELTA_DELETE_TRIGGER, user_triggers_off
from .server import _database_url

REGISTRY_CSV_ROWS = 100_000
# Keeps every exported number distinct from the register's own (and still a valid number).
NUMBER_PREFIX = "BI-"
DFE_FILE = (
    Path(settings.BASE_DIR) / "tests" / "data" / "uk" / "dfe-approved-qualifications-2025-02.csv"
)
TARGET_ROWS_PER_SECOND = 10_000.0
TARGET_PEAK_RSS_MB = 400.0
# The generated file is larger than an upload may be; the command line is given room.
UPLOAD_LIMIT_BYTES = 1024 * 1024 * 1024


@dataclass
class ImportTiming:
    label: str
    rows: int
    created: int
    updated: int
    unchanged: int
    state: str
    errors: int
    seconds: float
    rows_per_second: float
    # The job's own rate stops before its commit (the report is written in the same
    # transaction); the command's time includes storing the file and the commit.
    command_seconds: float
    end_to_end_rows_per_second: float
    # The child process's whole life, interpreter and Django start-up included.
    process_seconds: float
    peak_rss_mb: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def write_registry_csv(path: Path, rows: int) -> int:
    """Export the register's first ``rows`` entries as a registry CSV of new numbers."""
    number_at = COLUMNS.index("registration_number")
    successor_at = COLUMNS.index("superseded_by")
    written = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        last_id = (
            Credential.objects.order_by("id").values_list("id", flat=True)[rows - 1 : rows].first()
        )
        for cells in registry_csv_rows(Credential.objects.filter(id__lte=last_id or 0)):
            cells[number_at] = NUMBER_PREFIX + cells[number_at]
            # A successor outside the exported rows would not be found; all-or-nothing
            # would then refuse the whole file.
            cells[successor_at] = ""
            if cells[COLUMNS.index("status")] == "superseded":
                cells[COLUMNS.index("status")] = "registered"
            writer.writerow(cells)
            written += 1
    return written


def write_dfe_file(path: Path) -> int:
    """Copy the DfE sample with numbers the generated register cannot hold (it uses 60… to
    69…), so the first import adds every row rather than meeting another provider's entry."""
    with DFE_FILE.open(newline="", encoding="utf-8-sig") as source:
        reader = csv.DictReader(source)
        fieldnames = list(reader.fieldnames or [])
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames)
            writer.writeheader()
            written = 0
            for row in reader:
                number = row["QualificationNumber"].strip()
                if number[:1].isdigit():
                    row["QualificationNumber"] = str((int(number[0]) + 3) % 10) + number[1:]
                writer.writerow(row)
                written += 1
    return written


def _run_import(
    target: dict[str, Any], label: str, fmt: str, path: Path, rows: int
) -> ImportTiming:
    """Import ``path`` in a child process, which prints the command's own time; its job's
    report gives the service's time before the commit."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(target),
        "IMPORT_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT_BYTES),
        "DEBUG": "0",
    }
    command = [sys.executable, "manage.py", "bench_import", "--format", fmt, str(path)]
    last_job = ImportJob.objects.order_by("-id").values_list("id", flat=True).first() or 0
    started = time.perf_counter()
    # A file, not a pipe: a pipe nobody reads while waiting could fill and stall the child.
    with tempfile.TemporaryFile() as output, tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=errors
        )
        _, _status, usage = os.wait4(child.pid, 0)
        process_seconds = time.perf_counter() - started
        # Not the file: a child's ru_maxrss starts from this process's own peak (the kernel
        # folds the memory the child was spawned with into it at exec), and a 100k-row file
        # loaded here made every later import look 200 MB larger than it was.
        job = ImportJob.objects.filter(id__gt=last_job).defer("content").order_by("id").first()
        report = job.report if job is not None else {}
        if job is None or "elapsed_seconds" not in report:
            errors.seek(0)
            raise RuntimeError(f"import_register {fmt} {path.name} did not run: {errors.read()!r}")
        output.seek(0)
        command_seconds = json.loads(output.read().splitlines()[-1])["seconds"]
    return ImportTiming(
        label=label,
        rows=rows,
        created=job.created_count,
        updated=job.updated_count,
        unchanged=job.unchanged_count,
        state=job.state,
        errors=job.error_count,
        seconds=report["elapsed_seconds"],
        rows_per_second=report["rows_per_second"],
        command_seconds=command_seconds,
        end_to_end_rows_per_second=rows / command_seconds,
        process_seconds=process_seconds,
        # ru_maxrss is in kilobytes on Linux.
        peak_rss_mb=usage.ru_maxrss / 1024,
    )


def _high_water() -> tuple[int, int, int]:
    """The last ids of credentials, providers and import jobs before the imports."""
    return (
        Credential.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        Provider.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        ImportJob.objects.order_by("-id").values_list("id", flat=True).first() or 0,
    )


def import_bench_restore(high_water: tuple[int, int, int]) -> None:
    """Remove what the imports added: entries, their history and events, providers, jobs."""
    credential_id, provider_id, job_id = high_water
    history = [_table(model) for model in (CredentialVersion, CredentialStatusChange, ChangeEvent)]
    # The register also records a removal event for each deleted entry (its trigger), but
    # the facet cubes' delta trigger stays on: the browse counts must lose the rows too.
    triggered = [*history, _table(Credential)]
    keep = [(_table(Credential), FACET_DELTA_DELETE_TRIGGER)]
    with transaction.atomic(), connection.cursor() as cursor:
        with user_triggers_off(cursor, triggered, keep=keep):
            for table in history:
                cursor.execute(f"DELETE FROM {table} WHERE credential_id > %s", [credential_id])
            cursor.execute(f"DELETE FROM {_table(Credential)} WHERE id > %s", [credential_id])
        cursor.execute(f"DELETE FROM {_table(ImportJob)} WHERE id > %s", [job_id])
        cursor.execute(f"DELETE FROM {_table(Provider)} WHERE id > %s", [provider_id])


def time_imports(target: dict[str, Any], say: Callable[[str], None]) -> list[ImportTiming]:
    """Time first import and re-import of the registry CSV and the DfE list; put back after."""
    high_water = _high_water()
    timings: list[ImportTiming] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
            registry_csv = Path(folder) / "registry-100k.csv"
            rows = write_registry_csv(registry_csv, REGISTRY_CSV_ROWS)
            dfe_file = Path(folder) / DFE_FILE.name
            dfe_rows = write_dfe_file(dfe_file)
            for label, fmt, path, count in (
                ("registry CSV", "registry-csv", registry_csv, rows),
                ("DfE 2025-02", "dfe", dfe_file, dfe_rows),
            ):
                for run in ("first import", "re-import"):
                    say(f"Importing {count:,} rows of {label} ({run})")
                    timing = _run_import(target, f"{label} {run}", fmt, path, count)
                    say(
                        f"  {timing.end_to_end_rows_per_second:,.0f} rows/s end to end "
                        f"({timing.command_seconds:.1f} s; the process "
                        f"{timing.process_seconds:.1f} s; the run itself "
                        f"{timing.rows_per_second:,.0f} rows/s in {timing.seconds:.1f} s), "
                        f"peak RSS {timing.peak_rss_mb:,.0f} MB"
                    )
                    timings.append(timing)
    finally:
        say("Taking the imported entries out of the register")
        import_bench_restore(high_water)
    return timings


def format_imports(timings: list[ImportTiming]) -> str:
    lines = [
        f"{'import':<32} {'rows':>8} {'created':>8} {'updated':>8} {'errors':>7} "
        f"{'rows/s':>8} {'end2end':>8} {'RSS MB':>7}",
        "-" * 93,
    ]
    for t in timings:
        lines.append(
            f"{t.label:<32} {t.rows:>8,} {t.created:>8,} {t.updated:>8,} {t.errors:>7,} "
            f"{t.rows_per_second:>8,.0f} {t.end_to_end_rows_per_second:>8,.0f} "
            f"{t.peak_rss_mb:>7,.0f}"
        )
    return "\n".join(lines)
