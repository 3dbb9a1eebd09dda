"""The demo register's entries, loaded through the registry's own import.

Each register file is a registry CSV (the format ``manage.py import_register`` reads and
the register's CSV export writes) imported by ``imports.services`` as the demo's registry
administrator, so numbers, statuses, validity and quality marks are set the way any
registry import sets them, with a version and a status-history row per new entry. An
entry whose status has since moved is moved back through the status check or the
lifecycle service, never written directly.
Providers come first from ``providers.csv``, which holds what a registry CSV cannot
(website, self-accrediting, status); accreditation records follow from
``accreditation-records.csv``, each valid for its entry's validity period.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from config.types import User
from credentials.choices import CredentialStatus
from credentials.interop.registry_csv import COLUMNS, registry_csv_rows
from credentials.lifecycle import Actor, is_allowed
from credentials.models import Credential
from credentials.numbers import registration_key
from credentials.services import (
    AccreditationFacts,
    accreditation_record_set,
    credential_transition,
)
from imports.choices import ImportFormat, ImportState
from imports.services import import_job_create, import_run
from providers.models import Provider
from status_checks.services import status_check_apply

from .base import DemoDataError, SeedContext, upsert_by_fields

PROVIDERS_FILE = "providers.csv"
ACCREDITATIONS_FILE = "accreditation-records.csv"
# The invented micro-credentials' validity dates are written as of this day and move
# with the calendar, so the register always has entries expiring soon and expired.
DATES_AS_OF = datetime.date(2026, 1, 1)
PROBLEMS_SHOWN = 5
# Columns the seed itself reads before the import does.
SEED_COLUMNS = ("registration_number", "status", "valid_from", "valid_to")
RESTORED_REASON = "Demo data restored: the demo's register file gives this status."


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


def _restore_statuses(ctx: SeedContext, rows: list[dict], label: str, *, admin: User) -> None:
    """Move entries whose status differs from the file back, as the register itself would.

    An entry whose validity has ended is checked by the status check, which expires it. Any
    other difference is put right by the demo's registry administrator: a move the
    lifecycle allows is made as that move, one it does not (a withdrawn entry back on the
    register) as a reasoned override, recorded as such in the status history.
    """
    wanted = {registration_key(row["registration_number"]): row["status"] for row in rows}
    for credential in Credential.objects.filter(registration_key__in=wanted):
        to_status = wanted[credential.registration_key]
        # A status word the register does not know is the import's to report.
        if credential.status == to_status or to_status not in CredentialStatus.values:
            continue
        if to_status == CredentialStatus.EXPIRED:
            status_check_apply(credential=credential, today=ctx.today, alert_delivery="none")
        if credential.status != to_status:
            try:
                credential_transition(
                    actor=admin,
                    credential=credential,
                    to_status=CredentialStatus(to_status),
                    reason=RESTORED_REASON,
                    force=not is_allowed(credential.status, to_status, Actor.REGISTRY_ADMIN),
                )
            except ValidationError as error:
                raise DemoDataError(
                    f"{credential.registration_number} cannot be moved back to {to_status}: "
                    + " ".join(error.messages)
                ) from None
        ctx.report.updated[f"{label} (status)"] += 1


def _on_register_already(columns: list[str], rows: list[dict]) -> bool:
    """Whether the register's own CSV export of these entries says what these rows say, in
    the columns the file has (a column left out is one the import leaves alone)."""
    keys = [registration_key(row["registration_number"]) for row in rows]
    compared = [column for column in COLUMNS if column in columns]
    exported = {
        registration_key(cells[0]): dict(zip(COLUMNS, cells, strict=True))
        for cells in registry_csv_rows(Credential.objects.filter(registration_key__in=keys))
    }
    return len(exported) == len(rows) and all(
        {column: exported[key][column] for column in compared}
        == {column: row.get(column, "") for column in compared}
        for key, row in zip(keys, rows, strict=True)
    )


def _import(
    ctx: SeedContext, spec: RegisterFile, columns: list[str], rows: list[dict], *, admin: User
) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, columns)
    writer.writeheader()
    writer.writerows(rows)
    job = import_job_create(
        actor=admin,
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


def seed_register(*, ctx: SeedContext, admin: User) -> dict[str, Credential]:
    """Import every register file as ``admin``, a registry administrator; return the demo
    entries by registration number."""
    numbers: list[str] = []
    for spec in REGISTER_FILES:
        columns, rows = _rows_for_today(ctx, spec)
        _restore_statuses(ctx, rows, spec.label, admin=admin)
        # An import job keeps its file, so a run that would change nothing imports nothing.
        if not _on_register_already(columns, rows):
            _import(ctx, spec, columns, rows, admin=admin)
        numbers.extend(row["registration_number"] for row in rows)
    keys = {registration_key(number): number for number in numbers}
    return {
        keys[credential.registration_key]: credential
        for credential in Credential.objects.filter(registration_key__in=keys)
    }


def seed_accreditations(
    *, ctx: SeedContext, credentials: dict[str, Credential], admin: User
) -> None:
    """Record each entry's accreditation as the registry administrator, through the
    accreditation service, valid for the entry's validity period."""
    for line, row in enumerate(ctx.read_csv(ACCREDITATIONS_FILE), start=2):
        credential = credentials.get(row["registration_number"])
        if credential is None:
            raise DemoDataError(
                f"{ACCREDITATIONS_FILE} names {row['registration_number']}, "
                "which no register file holds."
            )
        facts = AccreditationFacts(
            accreditor=row["accreditor"],
            reference=row["reference"],
            valid_from=credential.valid_from,
            valid_to=credential.valid_to,
            status=row["status"],
            source=row["source"],
        )
        try:
            _record, created = accreditation_record_set(
                actor=admin, credential=credential, facts=facts
            )
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            raise DemoDataError(f"{ACCREDITATIONS_FILE} line {line}: {problems}") from None
        if created is not None:
            (ctx.report.created if created else ctx.report.updated)["accreditation records"] += 1
