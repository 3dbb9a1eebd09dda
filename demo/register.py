"""The demo register's entries, loaded through the registry's own import.

Each register file is a registry CSV (the format ``manage.py import_register`` reads and
the register's CSV export writes) imported by ``imports.services`` as the
command line does, so numbers, statuses, validity and quality marks are set the way any
registry import sets them, with a version and a status-history row per new entry.
Providers come first from ``providers.csv``, which holds what a registry CSV cannot
(website, self-accrediting, status); accreditation records follow from
``accreditation-records.csv``, each valid for its entry's validity period.
"""

import csv
import datetime
import io
from dataclasses import dataclass
from typing import Any

from credentials.choices import CredentialStatus, StatusSource
from credentials.interop.registry_csv import COLUMNS, registry_csv_rows
from credentials.models import AccreditationRecord, Credential
from credentials.numbers import registration_key
from credentials.services import credential_change_status
from imports.choices import ImportFormat, ImportState
from imports.services import import_job_create, import_run
from providers.models import Provider

from .base import DemoDataError, SeedContext, upsert_by_fields

PROVIDERS_FILE = "providers.csv"
ACCREDITATIONS_FILE = "accreditation-records.csv"
# The invented micro-credentials' validity dates are written as of this day and move
# with the calendar, so the register always has entries expiring soon and expired.
DATES_AS_OF = datetime.date(2026, 1, 1)
PROBLEMS_SHOWN = 5
# Columns the seed itself reads before the import does.
SEED_COLUMNS = ("registration_number", "status", "valid_from", "valid_to")


@dataclass(frozen=True)
class RegisterFile:
    """One registry CSV of demo entries and the name its counts are reported under."""

    name: str
    label: str
    moves_with_today: bool = False


REGISTER_FILES = (
    RegisterFile("hk/hk-university-programmes-2025-register.csv", "HK university programmes"),
    RegisterFile("hk/micro-credentials.csv", "HK micro-credentials and awards", True),
    RegisterFile("uk/level-4-5-qualifications-register.csv", "UK qualifications"),
)


def seed_providers(*, ctx: SeedContext) -> dict[str, Provider]:
    """Upsert every demo provider by slug and return them by slug."""
    rows = [
        {
            **row,
            "ukprn": row["ukprn"] or None,
            "ofqual_recognition_number": row["ofqual_recognition_number"] or None,
            "self_accrediting": row["self_accrediting"] == "true",
        }
        for row in ctx.read_csv(PROVIDERS_FILE)
    ]
    by_key = upsert_by_fields(
        Provider, rows, key_fields=["slug"], report=ctx.report, label="providers"
    )
    return {slug: provider for (slug,), provider in by_key.items()}


def _date(spec: RegisterFile, line: int, text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise DemoDataError(
            f"{spec.name} line {line}: “{text}” is not a date in the form YYYY-MM-DD."
        ) from None


def _rows_for_today(ctx: SeedContext, spec: RegisterFile) -> tuple[list[str], list[dict]]:
    with (ctx.data_dir / spec.name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    columns = list(reader.fieldnames or ())
    missing = [name for name in SEED_COLUMNS if name not in columns]
    if missing:
        raise DemoDataError(f"{spec.name} has no {', '.join(missing)} column.")
    shift = ctx.today - DATES_AS_OF if spec.moves_with_today else datetime.timedelta()
    for line, row in enumerate(rows, start=2):
        for column in ("valid_from", "valid_to"):
            if row[column]:
                row[column] = (_date(spec, line, row[column]) + shift).isoformat()
        # A registered entry whose validity has ended is expired, as the status sweep has it.
        ended = row["valid_to"] and datetime.date.fromisoformat(row["valid_to"]) < ctx.today
        if row["status"] == CredentialStatus.REGISTERED and ended:
            row["status"] = CredentialStatus.EXPIRED
    return columns, rows


def _restore_statuses(ctx: SeedContext, rows: list[dict], label: str) -> None:
    """Move entries whose status differs from the file back, through the status service."""
    wanted = {registration_key(row["registration_number"]): row["status"] for row in rows}
    for credential in Credential.objects.filter(registration_key__in=wanted):
        to_status = wanted[credential.registration_key]
        # A status word the register does not know is the import's to report.
        if credential.status == to_status or to_status not in CredentialStatus.values:
            continue
        expiring = to_status == CredentialStatus.EXPIRED
        credential_change_status(
            credential=credential,
            to_status=to_status,
            source=StatusSource.STATUS_CHECK if expiring else StatusSource.MANUAL,
            reason="Validity period ended." if expiring else "Demo data restored.",
        )
        ctx.report.updated[f"{label} (status)"] += 1


def _on_register_already(rows: list[dict]) -> bool:
    """Whether the register's own CSV export of these entries is exactly these rows."""
    keys = [registration_key(row["registration_number"]) for row in rows]
    exported = {
        registration_key(cells[0]): dict(zip(COLUMNS, cells, strict=True))
        for cells in registry_csv_rows(Credential.objects.filter(registration_key__in=keys))
    }
    return len(exported) == len(rows) and all(
        exported[key] == {column: row.get(column, "") for column in COLUMNS}
        for key, row in zip(keys, rows, strict=True)
    )


def _import(ctx: SeedContext, spec: RegisterFile, columns: list[str], rows: list[dict]) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, columns)
    writer.writeheader()
    writer.writerows(rows)
    job = import_job_create(
        actor=None,
        format=ImportFormat.REGISTRY_CSV,
        content=text.getvalue().encode(),
        filename=f"demo/data/{spec.name}",
    )
    job = import_run(job=job)
    if job.state != ImportState.FINISHED:
        problems = [
            f"row {p['row']} {p['column']}: {p['message']}".replace(" :", ":")
            for p in job.report.get("problems", [])
            if p["severity"] == "error"
        ]
        count = f"{job.error_count} error{'s' if job.error_count != 1 else ''}"
        raise DemoDataError(
            f"{spec.name} did not import ({count}): " + "; ".join(problems[:PROBLEMS_SHOWN])
        )
    if job.created_count:
        ctx.report.created[spec.label] += job.created_count
    if job.updated_count:
        ctx.report.updated[spec.label] += job.updated_count


def seed_register(*, ctx: SeedContext) -> dict[str, Credential]:
    """Import every register file; return the demo entries by registration number."""
    numbers: list[str] = []
    for spec in REGISTER_FILES:
        columns, rows = _rows_for_today(ctx, spec)
        _restore_statuses(ctx, rows, spec.label)
        # An import job keeps its file, so a run that would change nothing imports nothing.
        if not _on_register_already(rows):
            _import(ctx, spec, columns, rows)
        numbers.extend(row["registration_number"] for row in rows)
    keys = {registration_key(number): number for number in numbers}
    return {
        keys[credential.registration_key]: credential
        for credential in Credential.objects.filter(registration_key__in=keys)
    }


def seed_accreditations(*, ctx: SeedContext, credentials: dict[str, Credential]) -> None:
    """Upsert each entry's accreditation records, valid for the entry's validity period."""
    rows: list[dict[str, Any]] = []
    for row in ctx.read_csv(ACCREDITATIONS_FILE):
        credential = credentials.get(row["registration_number"])
        if credential is None:
            raise DemoDataError(
                f"{ACCREDITATIONS_FILE} names {row['registration_number']}, "
                "which no register file holds."
            )
        rows.append(
            {
                "credential_id": credential.pk,
                "accreditor": row["accreditor"],
                "reference": row["reference"],
                "valid_from": credential.valid_from,
                "valid_to": credential.valid_to,
                "status": row["status"],
                "source": row["source"],
            }
        )
    upsert_by_fields(
        AccreditationRecord,
        rows,
        key_fields=["credential_id", "accreditor"],
        report=ctx.report,
        label="accreditation records",
    )
