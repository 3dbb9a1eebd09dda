"""Measure import speed: a DfE file and a generated registry CSV, first import and re-import.

Every run goes through ``import_run`` exactly as an upload does, inside one outer transaction
that is rolled back at the end, so the register is left as it was (the commit itself is not
timed). Peak memory is the process's maximum resident set size after each run, so it only
ever grows: run one file per process (``--only``) to read one file's peak.
"""

import csv
import io
import json
import resource
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from imports.choices import ImportFormat
from imports.services import import_job_create, import_run

DEFAULT_DFE = (
    settings.BASE_DIR / "tests" / "data" / "uk" / "dfe-approved-qualifications-2025-02.csv"
)
TARGET_ROWS_PER_SECOND = 10_000
TARGET_PEAK_MB = 400


class _RolledBack(Exception):
    pass


def registry_csv(rows: int) -> bytes:
    """A registry CSV of ``rows`` registered HKQF level 4 entries of one new provider."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "registration_number",
            "title_en",
            "provider",
            "provider_name_en",
            "provider_jurisdiction",
            "provider_type",
            "framework",
            "level",
            "credits",
            "notional_hours",
            "valid_from",
            "valid_to",
            "status",
        ]
    )
    for n in range(rows):
        writer.writerow(
            [
                f"BENCH/{n:07d}/L4",
                f"Certificate in Benchmarked Studies {n}",
                "bench-import-provider",
                "Bench Import Provider",
                "HK",
                "training_provider",
                "HKQF",
                "4",
                "6",
                "60",
                "2025-09-01",
                "2030-08-31",
                "registered",
            ]
        )
    return out.getvalue().encode()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = (
        "Time imports of the DfE list and a generated registry CSV (first import, then the "
        "same file again) and print rows/s and peak memory as a table and JSON. Writes "
        "nothing: everything is rolled back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=100_000, help="Registry CSV rows.")
        parser.add_argument("--dfe", type=Path, default=DEFAULT_DFE, help="A DfE list CSV.")
        parser.add_argument("--only", choices=["dfe", "registry-csv"], help="One file only.")
        parser.add_argument("--json", action="store_true", help="Print JSON only.")

    def handle(self, *args, **options) -> None:
        files: list[tuple[str, str, bytes]] = []
        if options["only"] in (None, "dfe"):
            if not options["dfe"].is_file():
                raise CommandError(f"No DfE file at {options['dfe']}; pass --dfe PATH.")
            files.append(("dfe", ImportFormat.DFE, options["dfe"].read_bytes()))
        if options["only"] in (None, "registry-csv"):
            files.append(
                (
                    f"registry-csv {options['rows']:,}",
                    ImportFormat.REGISTRY_CSV,
                    registry_csv(options["rows"]),
                )
            )
        results = []
        try:
            with transaction.atomic():
                for name, format, content in files:
                    for run in ("first import", "re-import"):
                        results.append(self._measure(name, run, format, content))
                raise _RolledBack
        except _RolledBack:
            pass
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=2))
            return
        self.stdout.write(
            f"{'file':<22} {'run':<13} {'rows':>8} {'seconds':>8} {'rows/s':>8} "
            f"{'peak MB':>8}  state"
        )
        for r in results:
            self.stdout.write(
                f"{r['file']:<22} {r['run']:<13} {r['rows']:>8} {r['seconds']:>8.2f} "
                f"{r['rows_per_second']:>8} {r['peak_mb']:>8.0f}  {r['state']}"
                f"{'' if r['meets_target'] else '  (below target)'}"
            )
        self.stdout.write(json.dumps(results))

    def _measure(self, name: str, run: str, format: str, content: bytes) -> dict:
        job = import_job_create(actor=None, format=format, content=content, filename=name)
        started = time.perf_counter()
        job = import_run(job=job)
        seconds = time.perf_counter() - started
        rate = round(job.rows_total / seconds) if seconds else 0
        peak = round(_peak_mb(), 1)
        return {
            "file": name,
            "run": run,
            "rows": job.rows_total,
            "seconds": round(seconds, 3),
            "rows_per_second": rate,
            "peak_mb": peak,
            "state": job.state,
            "created": job.created_count,
            "updated": job.updated_count,
            "unchanged": job.unchanged_count,
            "errors": job.error_count,
            "meets_target": rate >= TARGET_ROWS_PER_SECOND and peak <= TARGET_PEAK_MB,
        }
