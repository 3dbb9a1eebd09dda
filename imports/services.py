"""Import a register file: check every row, then upsert by registration number in one transaction.

The command, the API and the Celery task all go through ``import_run``. A file is applied
all or nothing: with any error nothing is written unless the job asked to skip bad rows,
and a dry run rolls everything back after counting. Existing rows are read a batch at a
time by registration key and written with COPY (see ``bulk.py``); each change is kept as
a CredentialVersion (source "import") and each status set as a CredentialStatusChange,
written in bulk in the same transaction. Rows are handled as dicts of column values, not
model instances, which at 8,000 rows cost a third of the run.
"""

import datetime
import enum
import gc
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import BooleanField, Count, DecimalField, Field, Max, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from config.types import User
from credentials.choices import CredentialKind, CredentialStatus, StatusSource
from credentials.lifecycle import (
    EDITABLE_STATUSES,
    LOCKED_STATUSES,
    REVIEWED_FIELDS,
    Actor,
    is_allowed,
)
from credentials.models import Credential, CredentialStatusChange, CredentialVersion
from credentials.selectors import credential_by_number
from credentials.services import EDITABLE_FIELDS, credential_change_status, credential_supersede
from providers.models import Provider
from providers.roles import is_provider_admin, is_registry_admin

from .bulk import CREDENTIAL_COLUMNS, copy_rows, next_ids, update_rows
from .choices import ImportFormat, ImportState
from .formats import FORMATS, FormatContext, ParsedRow, RegisterFormat
from .formats.base import status_for_new
from .models import ImportJob
from .organisations import ProviderDirectory, ProviderRef
from .pipeline import CheckedChunk, CheckedChunks
from .progress import ImportProgress
from .reading import Table, decode, open_text, read_table
from .recovery import count_attempt, job_lock, mark_failed
from .report import HEADER_ROW, ImportReport
from .staging import StagingTable, existing_keys
from .stored_file import read_file, store_file
from .validation import repeated_keys

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# Rows parsed ahead of writing: enough to make a staging join worth its statements, few
# enough that a file's rows are never all held at once.
CHUNK_SIZE = 10_000
# Imports are serialised: two files adding the same new number at once would otherwise
# collide on the unique registration key half-way through.
IMPORT_LOCK_ID = 0x1A_B0_27_01
MISSING_LISTED = 1000
FIELDS = {name: cast(Field, Credential._meta.get_field(name)) for name in EDITABLE_FIELDS}
PLAIN_TYPES = frozenset({str, bool, int, float})
SNAPSHOT_COLUMNS = tuple((name, field.attname) for name, field in FIELDS.items())
# What an update reads of an existing entry: enough to compare, version and move its status.
EXISTING_COLUMNS = ("id", "registration_key", "status", *(a for _, a in SNAPSHOT_COLUMNS))
NEW_ROW_DEFAULTS = {
    field.attname: field.get_default()
    for field in Credential._meta.concrete_fields
    if field.attname in CREDENTIAL_COLUMNS
}
LIST_COLUMNS = tuple(name for name, value in NEW_ROW_DEFAULTS.items() if isinstance(value, list))
VERSION_COLUMNS = (
    "credential_id",
    "number",
    "created_at",
    "actor_id",
    "source",
    "reason",
    "snapshot",
    "changes",
)
STATUS_CHANGE_COLUMNS = (
    "credential_id",
    "from_status",
    "to_status",
    "changed_at",
    "changed_by_id",
    "source",
    "reason",
)


def max_upload_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_BYTES


# Whole national registers: only the registry decides what of them goes on the register.
NATIONAL_FORMATS = frozenset({ImportFormat.OFQUAL, ImportFormat.DFE, ImportFormat.HKQR})
# Sources whose status an import may overwrite: its own earlier claims, and nobody's.
IMPORT_SOURCES = frozenset({StatusSource.IMPORT, StatusSource.EXTERNAL_REGISTER})


def _is_authority(actor: User | None) -> bool:
    """The command line and registry administrators import for the registry itself."""
    return actor is None or is_registry_admin(actor)


def _may_import(actor: User | None, provider: Provider | None) -> bool:
    if actor is None or is_registry_admin(actor):
        return True
    return provider is not None and is_provider_admin(actor, provider.pk)


def import_job_create(
    *,
    actor: User | None,
    format: str,
    content: bytes,
    filename: str = "",
    provider: Provider | None = None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
) -> ImportJob:
    """Record an uploaded file as a queued job; ``actor`` None means the command line.

    Provider administrators import only their own records, as a registry CSV, into a
    provider they administer; registry administrators import any format into any provider,
    or into the providers the file names.
    """
    if not _may_import(actor, provider):
        if provider is None:
            raise PermissionDenied(_("Choose one of your providers to import into."))
        raise PermissionDenied(_("You may only import into a provider you administer."))
    if format not in ImportFormat.values:
        raise ValidationError(
            {
                "format": _("Choose one of: %(formats)s.")
                % {"formats": ", ".join(ImportFormat.values)}
            }
        )
    if format in NATIONAL_FORMATS and not _is_authority(actor):
        raise PermissionDenied(
            _(
                "National register files (%(format)s) are imported by registry "
                "administrators only; import your own records as a registry CSV."
            )
            % {"format": ImportFormat(format).label}
        )
    if len(content) > max_upload_bytes():
        raise ValidationError(
            {
                "file": _("The file is larger than %(limit)d MB.")
                % {"limit": max_upload_bytes() // (1024 * 1024)}
            }
        )
    job = ImportJob(
        format=format,
        filename=filename[:255],
        content=b"",
        provider=provider,
        requested_by=actor,
        dry_run=dry_run,
        skip_bad_rows=skip_bad_rows,
    )
    job.full_clean(exclude=["content"])
    # The row and its file are one write: a queued job is never seen without its file.
    with transaction.atomic():
        job.save()
        store_file(job.pk, content)
    job.content = content
    return job


def import_fail(*, job_id: int, reason: str) -> None:
    """Mark a job that could not run to its end as failed; a finished job stays finished."""
    mark_failed(job_id=job_id, reason=reason)


def import_run(*, job: ImportJob) -> ImportJob:
    """Run a queued (or interrupted) job to its end and return it with its counts and report.

    Running a finished or failed job again does nothing, so a redelivered task is harmless;
    nor does a job another worker is running (it holds the job's lock). Each run counts as
    an attempt, which the reaper weighs when the run is lost.
    """
    with job_lock(job.pk) as locked:
        # The file is read once, by the run that uses it; the job's other fields stay light.
        job = (
            ImportJob.objects.select_related("provider", "requested_by")
            .defer("content")
            .get(pk=job.pk)
        )
        if not locked:
            logger.info("Import job %s is being run by another worker; leaving it.", job.pk)
            return job
        if job.state in (ImportState.FINISHED, ImportState.FAILED):
            return job
        count_attempt(job.pk, timezone.now())
        with _heap_before_frozen():
            _Importer(job).run()
    # Counts and report only: ``content`` stays deferred, so the file is not fetched again.
    job.refresh_from_db()
    return job


@contextmanager
def _heap_before_frozen() -> Iterator[None]:
    """Leave what the process held before the run out of the garbage collector's sweeps.

    A run keeps thousands of rows alive at a time, so the collector sweeps its oldest
    generation again and again, and each sweep also walked every object Django had loaded
    (0.8 s of a 100,000-row re-import). Only the run's own objects are swept; the rest go
    back to the collector when the run ends, however it ends.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class _Rollback(Exception):
    """Undo the file's writes: a dry run, or errors without skip_bad_rows."""


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _jsonable(value: Any) -> Any:
    """The value as a version stores it (DjangoJSONEncoder's forms), without a JSON round trip."""
    if value is None or type(value) in PLAIN_TYPES:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    raise TypeError(f"No JSON form for {type(value).__name__}")


def snapshot(row: dict[str, Any]) -> dict[str, Any]:
    """Every editable field of a credential's column values, foreign keys as ids: what
    ``credentials.services.credential_snapshot`` records for a saved credential."""
    return {name: _jsonable(row[attname]) for name, attname in SNAPSHOT_COLUMNS}


def _column_converter(field: Field) -> Callable[[Any], Any] | None:
    if field.is_relation:
        return lambda value: value.pk if value is not None else None
    if isinstance(field, DecimalField):
        places = Decimal(1).scaleb(-field.decimal_places)
        return lambda value: Decimal(value).quantize(places) if value is not None else None
    return None


# Chosen once per field: a re-import converts every value of every row it stages.
COLUMN_CONVERTERS = {
    name: convert for name, field in FIELDS.items() if (convert := _column_converter(field))
}


def _column_value(name: str, value: Any) -> Any:
    """A parsed value as its column holds it: related objects as ids, decimals rounded."""
    convert = COLUMN_CONVERTERS.get(name)
    if convert is not None:
        return convert(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


# The types of a value its column holds as it is: no enum member to unwrap.
PLAIN_COLUMN_TYPES = frozenset({*PLAIN_TYPES, type(None), Decimal, datetime.date, list})


def _columns_values(names: Iterable[str]) -> Callable[[dict[str, Any]], list[Any]]:
    """A function giving, in ``names`` order, the values a row's ``values`` hold for those
    fields as :func:`_column_value` makes them, None where the row gives none.

    A re-import stages millions of values: they are read in one pass, only the few columns
    with a converter are converted, and the enum test is made per value only in a row that
    holds something other than plain values.
    """
    names = tuple(names)
    converted = tuple(
        (index, COLUMN_CONVERTERS[name])
        for index, name in enumerate(names)
        if name in COLUMN_CONVERTERS
    )

    def columns_values(values: dict[str, Any]) -> list[Any]:
        row = list(map(values.get, names))
        for index, convert in converted:
            row[index] = convert(row[index])
        if not PLAIN_COLUMN_TYPES.issuperset(map(type, row)):
            row = [value.value if isinstance(value, enum.Enum) else value for value in row]
        return row

    return columns_values


def _merge_marks(existing: Sequence[str], new: Sequence[str], owned: frozenset[str]) -> list[str]:
    """Keep the marks the file does not govern, in their order; add the new ones after."""
    kept = [mark for mark in existing if mark not in owned or mark in new]
    return kept + [mark for mark in new if mark not in kept]


def _chunks(rows: Sequence[ParsedRow], size: int) -> Iterator[Sequence[ParsedRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _new_row_defaults() -> dict[str, Any]:
    row = dict(NEW_ROW_DEFAULTS)
    for name in LIST_COLUMNS:
        row[name] = []
    return row


@dataclass
class _Batch:
    """What one batch will write."""

    created: list[dict[str, Any]]
    updated: dict[tuple[str, ...], list[dict[str, Any]]]
    versions: list[tuple[Any, ...]]
    status_changes: list[tuple[Any, ...]]
    reregister: list["_Reregistration"]


@dataclass(frozen=True)
class _Supersession:
    """An entry the file says is superseded: moved once every row is written, so that a
    successor later in the file is on the register by then."""

    key: str
    row: int
    successor: str
    reason: str


@dataclass(frozen=True)
class _Reregistration:
    """An expired entry whose newer snapshot extends its validity past today."""

    credential_id: int
    row: int
    reason: str


class _Importer:
    """One run of one job; holds what the run has learned so far."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.actor = job.requested_by
        self.actor_id = job.requested_by_id
        self.authority = _is_authority(self.actor)
        self.report = ImportReport()
        self.counts = _Counts()
        self.progress = ImportProgress(job.pk)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.reason = _("Imported from %(file)s (%(format)s).") % {
            "file": job.filename or _("a file"),
            "format": job.get_format_display(),
        }
        self.missing: list[str] = []
        # Credential id → (source, when) of the move that set its current status.
        self.status_set_by: dict[int, tuple[str, datetime.datetime]] = {}
        self.status_follows_validity = True
        self.missing_count = 0
        self.supersessions: list[_Supersession] = []
        # Row number → registration key of every row with a well-formed number.
        self.keys: dict[int, str] = {}
        # Providers are met and added across the file's chunks, each only once.
        self.directory: ProviderDirectory
        self.refused: dict[ProviderRef, str] = {}

    # --- the run ----------------------------------------------------------------------

    def run(self) -> None:
        started = time.monotonic()
        try:
            opened = self._open()
            if opened is None:
                self._finish(ImportState.FAILED, 0, started)
                return
            table, fmt, total, repeated = opened
            chunks = CheckedChunks(table, fmt, repeated, report=fmt.report, size=CHUNK_SIZE)
            if self.report.file_error:
                # Every row is still checked, so the report names all that is wrong at once.
                with chunks:
                    for chunk in chunks:
                        self._take(chunk)
                self._finish(ImportState.FAILED, total, started)
                return
            try:
                # Leaving ``chunks`` first stops its thread before the transaction ends.
                with transaction.atomic(), chunks:
                    self._apply(chunks, fmt)
                    if self.report.has_errors and not self.job.skip_bad_rows:
                        raise _Rollback
                    if self.job.dry_run:
                        raise _Rollback
                    self._finish(ImportState.FINISHED, total, started)
            except _Rollback:
                failed = self.report.has_errors and not self.job.skip_bad_rows
                self._finish(ImportState.FAILED if failed else ImportState.FINISHED, total, started)
            except (IntegrityError, DataError) as error:
                logger.exception("Import job %s refused by the database", self.job.pk)
                self.report.error(
                    None,
                    "",
                    _("The database refused the file, so nothing was imported: %(error)s")
                    % {"error": str(error).splitlines()[0]},
                )
                self._finish(ImportState.FAILED, total, started)
        finally:
            self.progress.close()

    def _open(self) -> tuple[Table, RegisterFormat, int, set[str]] | None:
        """The file's rows, to be read as they are handled; how many there are, and the keys
        more than one of them holds (from a first, quick read of the file).

        The rows are read and parsed in a thread (see ``pipeline.py``), which records what it
        finds in the format's report and hands it over with each chunk; the header's
        problems are taken at once.
        """
        context = FormatContext.load(report=ImportReport(), provider=self.job.provider)
        fmt = FORMATS[self.job.format](context)
        self.status_follows_validity = fmt.status_follows_validity
        content = read_file(self.job.pk)
        text = decode(content, self.report)
        table = read_table(text, fmt.columns, fmt.report) if text is not None else None
        self.report.merge(fmt.report.take())
        if table is None:
            return None
        total, repeated = repeated_keys(open_text(content), fmt)
        self.progress.set(rows_total=total)
        return table, fmt, total, repeated

    def _take(self, chunk: CheckedChunk) -> list[ParsedRow]:
        """Record what the parser thread found reading a chunk, as if found here."""
        self.report.merge(chunk.report)
        self.keys.update(chunk.keys)
        return chunk.rows

    def _finish(self, state: str, total: int, started: float) -> None:
        elapsed = time.monotonic() - started
        report = self.report.as_dict()
        report["elapsed_seconds"] = round(elapsed, 3)
        report["rows_per_second"] = round(total / elapsed) if elapsed > 0 and total else 0
        if self.missing_count:
            report["missing_from_file"] = {
                "count": self.missing_count,
                "registration_numbers": self.missing,
            }
        written = state == ImportState.FINISHED and not self.job.dry_run
        ImportJob.objects.filter(pk=self.job.pk).update(
            state=state,
            rows_total=total,
            rows_done=total,
            created_count=self.counts.created,
            updated_count=self.counts.updated,
            unchanged_count=self.counts.unchanged,
            skipped_count=len(self.report.error_rows - {HEADER_ROW}),
            error_count=self.report.error_count,
            warning_count=self.report.warning_count,
            report=report,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        logger.info(
            "Import job %s %s: %s rows in %.2fs (%s rows/s), %s created, %s updated%s",
            self.job.pk,
            state,
            total,
            elapsed,
            report["rows_per_second"],
            self.counts.created,
            self.counts.updated,
            "" if written else " (rolled back)",
        )

    # --- writing ----------------------------------------------------------------------

    def _apply(self, chunks: Iterable[CheckedChunk], fmt: RegisterFormat) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_ID])
        self.directory = ProviderDirectory()
        for chunk in chunks:
            self._apply_chunk(self._take(chunk), fmt)
            self.progress.set(rows_done=chunk.rows_read)
        for supersession in self.supersessions:
            self._supersede(supersession)
        missing = getattr(fmt, "missing_candidates", None)
        if missing is not None:
            self._report_missing(missing(), set(self.keys.values()))

    def _apply_chunk(self, rows: list[ParsedRow], fmt: RegisterFormat) -> None:
        """Write a run of checked rows: providers found or added, unchanged ones counted."""
        self._resolve_providers(rows, fmt)
        unchanged = self._unchanged_rows(rows)
        self.counts.unchanged += len(unchanged)
        for batch in _chunks([p for p in rows if p.row not in unchanged], BATCH_SIZE):
            self._apply_batch(batch, self.keys, fmt)

    def _unchanged_rows(self, rows: list[ParsedRow]) -> set[int]:
        """The checked rows whose entry is on the register and would not change, found by one
        join of the staged rows with the register (see ``staging.py``)."""
        keys = self.keys
        checked = [
            parsed
            for parsed in rows
            if parsed.row in keys and parsed.row not in self.report.error_rows
        ]
        # A first import meets no entry: only rows whose number is on the register are staged.
        on_register = existing_keys(keys[parsed.row] for parsed in checked)
        if not on_register:
            return set()
        staging = StagingTable(FIELDS)
        staging.create()
        columns_values = _columns_values(staging.fields)
        staging.copy(
            self._staged(parsed, keys[parsed.row], staging, columns_values)
            for parsed in checked
            if keys[parsed.row] in on_register
        )
        return set(
            staging.unchanged_rows(
                today=self.today,
                expire=self.status_follows_validity,
                authority=self.authority,
                locked_statuses=LOCKED_STATUSES,
            )
        )

    def _staged(
        self,
        parsed: ParsedRow,
        key: str,
        staging: StagingTable,
        columns_values: Callable[[dict[str, Any]], list[Any]],
    ) -> list[Any]:
        """A checked row as the staging table holds it: the values it gives, as columns."""
        values = parsed.values
        provider = values.get("provider")
        return [
            parsed.row,
            key,
            staging.given(values),
            parsed.status or None if self.authority else None,
            sorted(parsed.quality_marks_owned) if parsed.quality_marks_owned is not None else None,
            provider.pk if provider is not None else None,
            *columns_values(values),
        ]

    def _resolve_providers(self, rows: list[ParsedRow], fmt: RegisterFormat) -> None:
        """Find or add the provider (and awarding body) each row names.

        Providers are added as they are met, so a later row that names one differently (by
        its Chinese name only, say) finds the one an earlier row added.
        """
        directory = self.directory
        job_provider = self.job.provider
        refused = self.refused

        def resolve(parsed: ParsedRow, ref: ProviderRef, field: str) -> Provider | None:
            found = directory.find(ref)
            if found is not None or (job_provider is not None and field == "provider"):
                return found
            if not ref.creatable:
                refused[ref] = _(
                    "“%(name)s” is not a provider on the register, and the file does not say "
                    "enough (name, jurisdiction, type) to add it."
                ) % {"name": ref.label()}
            elif ref not in refused:
                try:
                    return directory.create(ref)
                except ValidationError as error:
                    refused[ref] = _("“%(name)s” cannot be added as a provider: %(problem)s") % {
                        "name": ref.label(),
                        "problem": directory.messages(error),
                    }
            self.report.error(parsed.row, fmt.column_for(field), refused[ref])
            return None

        for parsed in rows:
            if parsed.row in self.report.error_rows:
                continue
            ref = parsed.provider
            if ref is None:
                if job_provider is not None:
                    parsed.values["provider"] = job_provider
            else:
                provider = resolve(parsed, ref, "provider")
                if job_provider is not None and provider != job_provider:
                    self.report.error(
                        parsed.row,
                        fmt.column_for("provider"),
                        _("“%(name)s” is not %(provider)s, the provider this import is for.")
                        % {"name": ref.label(), "provider": job_provider.name_en},
                    )
                elif provider is not None:
                    parsed.values["provider"] = provider
            if parsed.sets_awarding_body and parsed.row not in self.report.error_rows:
                ref = parsed.awarding_body
                if ref is not None and not self.authority:
                    self._own_awarding_body(parsed, ref, directory.find(ref), fmt)
                    continue
                body = resolve(parsed, ref, "awarding_body") if ref is not None else None
                if ref is None or body is not None:
                    parsed.values["awarding_body"] = body

    def _own_awarding_body(
        self, parsed: ParsedRow, ref: ProviderRef, body: Provider | None, fmt: RegisterFormat
    ) -> None:
        """A provider's import names only itself as awarding body; it never adds providers."""
        job_provider = self.job.provider
        if body is not None and body == job_provider:
            parsed.values["awarding_body"] = body
            return
        self.report.error(
            parsed.row,
            fmt.column_for("awarding_body"),
            _(
                "“%(name)s” is not %(provider)s: a provider imports only the records it "
                "awards itself."
            )
            % {"name": ref.label(), "provider": job_provider.name_en if job_provider else ""},
        )

    def _apply_batch(
        self, batch: Sequence[ParsedRow], keys: dict[int, str], fmt: RegisterFormat
    ) -> None:
        batch_keys = [keys[p.row] for p in batch if p.row in keys]
        existing = {
            row["registration_key"]: row
            for row in Credential.objects.select_for_update()
            .filter(registration_key__in=batch_keys)
            .values(*EXISTING_COLUMNS)
        }
        last_numbers = dict(
            CredentialVersion.objects.filter(credential_id__in=[r["id"] for r in existing.values()])
            .values("credential_id")
            .annotate(last=Max("number"))
            .values_list("credential_id", "last")
        )
        self.status_set_by = {
            credential_id: (source, changed_at)
            for credential_id, source, changed_at in CredentialStatusChange.objects.filter(
                credential_id__in=[r["id"] for r in existing.values()]
            )
            .order_by("credential_id", "-changed_at", "-id")
            .distinct("credential_id")
            .values_list("credential_id", "source", "changed_at")
        }
        out = _Batch(
            created=[], updated=defaultdict(list), versions=[], status_changes=[], reregister=[]
        )
        new_rows: list[tuple[dict[str, Any], ParsedRow]] = []
        for parsed in batch:
            if parsed.row in self.report.error_rows or parsed.row not in keys:
                continue
            current = existing.get(keys[parsed.row])
            if current is None:
                new_rows.append((self._new(parsed, keys[parsed.row]), parsed))
                continue
            outcome = self._update(parsed, current, fmt)
            if outcome is None:
                continue
            changes, columns, status_change = outcome
            if isinstance(status_change, _Reregistration):
                out.reregister.append(status_change)
                status_change = None
                if not changes:
                    self.counts.updated += 1
                    continue
            elif not changes and status_change is None:
                self.counts.unchanged += 1
                continue
            self.counts.updated += 1
            out.updated[tuple(sorted(columns))].append(current)
            if changes:
                number = (last_numbers.get(current["id"]) or 0) + 1
                out.versions.append(self._version(current, number, changes))
            if status_change is not None:
                out.status_changes.append(status_change)
        for (row, parsed), pk in zip(new_rows, next_ids(Credential, len(new_rows)), strict=True):
            row["id"] = pk
            current = snapshot(row)
            created = {name: [None, v] for name, v in current.items() if v not in (None, "", [])}
            out.created.append(row)
            out.versions.append(self._version(row, 1, created, current))
            out.status_changes.append(
                self._status_row(row["id"], "", row["status"], parsed.status_reason)
            )
        self.counts.created += len(out.created)
        self._write(out)

    def _write(self, out: _Batch) -> None:
        copy_rows(
            Credential._meta.db_table,
            CREDENTIAL_COLUMNS,
            ([row[column] for column in CREDENTIAL_COLUMNS] for row in out.created),
        )
        for columns, rows in out.updated.items():
            update_rows(
                Credential, columns, [[row["id"], *(row[c] for c in columns)] for row in rows]
            )
        copy_rows(CredentialVersion._meta.db_table, VERSION_COLUMNS, out.versions)
        copy_rows(CredentialStatusChange._meta.db_table, STATUS_CHANGE_COLUMNS, out.status_changes)
        for move in out.reregister:
            self._reregister(move)

    def _reregister(self, move: "_Reregistration") -> None:
        """Register again, through the lifecycle's own service, an entry the file renews."""
        try:
            credential_change_status(
                credential=Credential(pk=move.credential_id),
                to_status=CredentialStatus.REGISTERED,
                source=StatusSource.IMPORT,
                reason=move.reason,
                actor=self.actor,
            )
        except ValidationError as error:
            self.report.error(
                move.row,
                "",
                _("The entry cannot be registered again: %(problem)s")
                % {"problem": " ".join(error.messages)},
            )

    def _queue_supersession(self, parsed: ParsedRow, key: str) -> None:
        self.supersessions.append(
            _Supersession(
                key=key,
                row=parsed.row,
                successor=parsed.superseded_by,
                reason=_("%(reason)s Superseded by %(number)s.")
                % {"reason": parsed.status_reason, "number": parsed.superseded_by},
            )
        )

    def _supersede(self, move: _Supersession) -> None:
        """Mark an entry superseded through the lifecycle's own service, as the file says."""
        credential = Credential.objects.get(registration_key=move.key)
        successor = credential_by_number(move.successor, within=Credential.objects.all())
        problem = ""
        if successor is None:
            problem = _(
                "%(number)s, its successor, is neither on the register nor in the file."
            ) % {"number": move.successor}
        elif not is_allowed(credential.status, CredentialStatus.SUPERSEDED, Actor.REGISTRY_ADMIN):
            problem = _("A %(status)s entry cannot be superseded.") % {
                "status": CredentialStatus(credential.status).label.lower()
            }
        else:
            try:
                credential_supersede(
                    credential=credential,
                    successor=successor,
                    source=StatusSource.IMPORT,
                    reason=move.reason,
                    actor=self.actor,
                )
            except ValidationError as error:
                problem = " ".join(error.messages)
        if problem:
            self.report.error(
                move.row,
                "superseded_by",
                _("The entry cannot be marked superseded: %(problem)s") % {"problem": problem},
            )

    def _version(
        self,
        row: dict[str, Any],
        number: int,
        changes: dict[str, list[Any]],
        current: dict[str, Any] | None = None,
    ) -> tuple[Any, ...]:
        return (
            row["id"],
            number,
            self.now,
            self.actor_id,
            StatusSource.IMPORT,
            self.reason,
            json.dumps(current if current is not None else snapshot(row), ensure_ascii=False),
            json.dumps(changes, ensure_ascii=False),
        )

    def _status_row(
        self, credential_id: int, from_status: str, to_status: str, reason: str
    ) -> tuple[Any, ...]:
        return (
            credential_id,
            from_status,
            to_status,
            self.now,
            self.actor_id,
            StatusSource.IMPORT,
            reason or self.reason,
        )

    def _new(self, parsed: ParsedRow, key: str) -> dict[str, Any]:
        row = _new_row_defaults()
        row.update(
            registration_number=parsed.registration_number,
            kind=CredentialKind.QUALIFICATION,
            created_at=self.now,
            updated_at=self.now,
            status_changed_at=self.now,
            created_by_id=self.actor_id,
            updated_by_id=self.actor_id,
        )
        for name, value in parsed.values.items():
            if name == "quality_marks" and parsed.quality_marks_owned is not None:
                value = _merge_marks([], value, parsed.quality_marks_owned)
            row[FIELDS[name].attname] = _column_value(name, value)
        wanted = parsed.status if self.authority and parsed.status else CredentialStatus.DRAFT
        if wanted == CredentialStatus.SUPERSEDED:
            self._queue_supersession(parsed, key)
            wanted = CredentialStatus.REGISTERED
        status = status_for_new(
            wanted,
            has_level=row["level_id"] is not None,
            valid_from=row["valid_from"],
            valid_to=row["valid_to"],
            today=self.today,
            expire=self.status_follows_validity,
            teach_out_ends_on=row["teach_out_ends_on"],
        )
        if wanted == CredentialStatus.REGISTERED and status == CredentialStatus.DRAFT:
            self.report.warning(
                parsed.row,
                "",
                _("Imported as a draft: a registered entry needs a level and a start date."),
            )
        if not self.authority and parsed.status not in (None, CredentialStatus.DRAFT):
            self.report.warning(
                parsed.row,
                "",
                _("Imported as a draft: a provider's new records go through QA review."),
            )
        row["status"] = status
        return row

    def _update(
        self, parsed: ParsedRow, row: dict[str, Any], fmt: RegisterFormat
    ) -> tuple[dict[str, list[Any]], set[str], "tuple[Any, ...] | _Reregistration | None"] | None:
        """Apply a row to an existing entry's column values; None if it may not change it."""
        provider = parsed.values.get("provider")
        if provider is not None and provider.pk != row["provider_id"]:
            if self.authority:
                name = Provider.objects.filter(pk=row["provider_id"]).values_list(
                    "name_en", flat=True
                )[0]
                message = _(
                    "This number is on the register under %(provider)s; an import does not "
                    "move records between providers."
                ) % {"provider": name}
            else:
                message = _("This number is on the register under another provider.")
            self.report.error(parsed.row, fmt.number_column, message)
            return None
        if not self.authority and row["status"] in LOCKED_STATUSES:
            self.report.error(
                parsed.row,
                fmt.number_column,
                _("This record is %(status)s and cannot be changed by an import.")
                % {"status": CredentialStatus(row["status"]).label.lower()},
            )
            return None
        changes: dict[str, list[Any]] = {}
        columns: set[str] = set()
        valid_to_before = row["valid_to"]
        for name, value in parsed.values.items():
            if name in ("provider", "registration_number"):
                continue
            attname = FIELDS[name].attname
            if name == "quality_marks" and parsed.quality_marks_owned is not None:
                value = _merge_marks(row[attname], value, parsed.quality_marks_owned)
            value = _column_value(name, value)
            if value != row[attname]:
                changes[name] = [_jsonable(row[attname]), _jsonable(value)]
                columns.add(attname)
                row[attname] = value
        reviewed = sorted(REVIEWED_FIELDS & changes.keys())
        if reviewed and not self.authority and row["status"] not in EDITABLE_STATUSES:
            self.report.error(
                parsed.row,
                fmt.column_for(reviewed[0]),
                _("A registered record's %(fields)s changes only through a change request.")
                % {"fields": ", ".join(reviewed)},
            )
            return None
        status_change = self._status_change(parsed, row, valid_to_before)
        if isinstance(status_change, tuple):
            columns |= {"status", "status_changed_at"}
        if changes or status_change is not None:
            row["updated_at"] = self.now
            row["updated_by_id"] = self.actor_id
            columns |= {"updated_at", "updated_by_id"}
        return changes, columns, status_change

    def _status_change(
        self, parsed: ParsedRow, row: dict[str, Any], valid_to_before: datetime.date | None
    ) -> "tuple[Any, ...] | _Reregistration | None":
        """Follow the file's status on an existing entry where the lifecycle allows the move.

        A file never silently undoes a status that a review decision, a status check or an
        administrator set: putting such an entry back on the register is reported as a
        conflict and the status stays (the file's own word is kept as its external status).
        The one way back is an expired entry the file renews past today: it is registered
        again by a recorded transition.
        """
        if not self.authority or not parsed.status:
            return None
        if parsed.status == CredentialStatus.SUPERSEDED:
            self._queue_supersession(parsed, row["registration_key"])
            return None
        wanted = status_for_new(
            parsed.status,
            has_level=row["level_id"] is not None,
            valid_from=row["valid_from"],
            valid_to=row["valid_to"],
            today=self.today,
            expire=self.status_follows_validity,
            teach_out_ends_on=row["teach_out_ends_on"],
        )
        current = row["status"]
        if wanted == current:
            return None
        if current == CredentialStatus.EXPIRED and wanted == CredentialStatus.REGISTERED:
            return self._renewal(parsed, row, valid_to_before)
        set_by = self.status_set_by.get(row["id"])
        if (
            wanted == CredentialStatus.REGISTERED
            and set_by is not None
            and set_by[0] not in IMPORT_SOURCES
        ):
            self.report.warning(
                parsed.row,
                "",
                _(
                    "Conflict: the file says registered, but %(source)s made this record "
                    "%(current)s on %(date)s; the import keeps it %(current)s."
                )
                % {
                    "source": StatusSource(set_by[0]).label.lower(),
                    "current": CredentialStatus(current).label.lower(),
                    "date": timezone.localdate(set_by[1]).isoformat(),
                },
            )
            return None
        if not (
            is_allowed(current, wanted, Actor.SYSTEM)
            or is_allowed(current, wanted, Actor.REGISTRY_ADMIN)
        ):
            self._refused_move(parsed, current, wanted)
            return None
        row["status"] = wanted
        row["status_changed_at"] = self.now
        return self._status_row(row["id"], current, wanted, parsed.status_reason)

    def _refused_move(self, parsed: ParsedRow, current: str, wanted: str) -> None:
        self.report.warning(
            parsed.row,
            "",
            _(
                "The status stays %(current)s: the file says %(wanted)s, and an import "
                "cannot make that move."
            )
            % {
                "current": CredentialStatus(current).label.lower(),
                "wanted": CredentialStatus(wanted).label.lower(),
            },
        )

    def _renewal(
        self, parsed: ParsedRow, row: dict[str, Any], valid_to_before: datetime.date | None
    ) -> "_Reregistration | None":
        valid_to = row["valid_to"]
        extended = valid_to_before is not None and (valid_to is None or valid_to > valid_to_before)
        if (
            valid_to_before is None
            or not extended
            or not is_allowed(
                CredentialStatus.EXPIRED, CredentialStatus.REGISTERED, Actor.REGISTRY_ADMIN
            )
        ):
            self._refused_move(parsed, CredentialStatus.EXPIRED, CredentialStatus.REGISTERED)
            return None
        until = valid_to.isoformat() if valid_to else _("no end date")
        reason = _(
            "Registered again: %(file)s extends its validity from %(before)s to %(after)s."
        ) % {
            "file": self.job.filename or self.job.get_format_display(),
            "before": valid_to_before.isoformat(),
            "after": until,
        }
        return _Reregistration(credential_id=row["id"], row=parsed.row, reason=reason)

    def _report_missing(self, candidates: QuerySet[Credential], keys: set[str]) -> None:
        """Entries a complete list used to hold but this file does not: reported, never deleted.

        Counted and listed by the database: a national register holds some 130,000 such
        entries, and reading them all into Python to drop the file's cost more than the rest
        of a DfE re-import.
        """
        if self.job.provider is not None:
            candidates = candidates.filter(provider=self.job.provider)
        missing = candidates.exclude(
            RawSQL("registration_key = ANY(%s)", (list(keys),), output_field=BooleanField())
        )
        # One scan: the count is taken over every missing entry before the list is cut.
        listed = list(
            missing.annotate(missing=Window(Count("pk")))
            .order_by("registration_key")
            .values_list("registration_number", "missing")[:MISSING_LISTED]
        )
        self.missing_count = listed[0][1] if listed else 0
        self.missing = [number for number, _count in listed]
