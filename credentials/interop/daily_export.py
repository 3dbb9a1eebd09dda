"""The daily export: the whole public register as dated CSV and JSON files, built once a day.

What Ofqual publishes as its full register download: anyone who wants every entry takes
today's file instead of streaming a million rows from the database. The files hold what
``/api/v1/credentials/?status=all&format=csv`` (or ``json``) streams, with each row's
``url`` under ``SITE_URL``, and are built by Celery beat (credentials.tasks).

A build writes both files in one pass over the register (one REPEATABLE READ snapshot,
credentials.interop.streaming) to temporary files in the same directory, flushes them to
disk, then renames each over its dated name, so a reader only ever sees a whole file. A
build that fails removes its temporary files and leaves the previous day's files served;
the newest ``REGISTER_EXPORT_KEEP`` days of each format are kept.
"""

from __future__ import annotations

import datetime
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from ..search.exports import (
    CSV_HEAD,
    EXPORT_FIELDS,
    JSON_HEAD,
    JSON_TAIL,
    csv_block,
    json_block,
    status_labels,
)
from ..search.filters import ALL_STATUSES
from ..search.service import credential_search
from .streaming import rows_by_id

FORMATS = ("csv", "json")
_NAME = re.compile(r"^register-(\d{4}-\d{2}-\d{2})\.(csv|json)$")
# One build at a time (two beats, or a manual run during the scheduled one): a session
# lock, since the export's own transaction starts inside the build; any 64-bit key unique
# to this job will do.
_BUILD_LOCK = 0x7265675F6578706F  # "reg_expo"


@dataclass(frozen=True)
class DailyExport:
    """One built file of the daily export."""

    path: Path
    day: datetime.date
    extension: str

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @property
    def modified(self) -> datetime.datetime:
        """When the file was finished (its rename), for Last-Modified."""
        return datetime.datetime.fromtimestamp(self.path.stat().st_mtime, tz=datetime.UTC)

    @property
    def etag(self) -> str:
        """A strong validator: the file's day, size and modification time (a rebuild on the
        same day gives a new one)."""
        status = self.path.stat()
        return f'"{self.day:%Y%m%d}-{status.st_size:x}-{status.st_mtime_ns:x}"'


def daily_export_directory() -> Path:
    return Path(settings.REGISTER_EXPORT_DIR)


def _built(directory: Path) -> list[DailyExport]:
    """Every finished file in `directory`, newest day first."""
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = _NAME.match(path.name)
        if match and path.is_file():
            day = datetime.date.fromisoformat(match.group(1))
            found.append(DailyExport(path=path, day=day, extension=match.group(2)))
    return sorted(found, key=lambda export: export.day, reverse=True)


def daily_export_latest() -> dict[str, DailyExport]:
    """The newest built file of each format, by extension (empty before the first build)."""
    latest: dict[str, DailyExport] = {}
    for export in _built(daily_export_directory()):
        latest.setdefault(export.extension, export)
    return latest


def daily_export_due(*, now: datetime.datetime | None = None) -> bool:
    """Whether the schedule has passed a build that never happened: no file yet, or none
    from the newest day whose build time (REGISTER_EXPORT_HOUR:MINUTE, local) has come."""
    now = timezone.localtime(now)
    build_time = datetime.time(settings.REGISTER_EXPORT_HOUR, settings.REGISTER_EXPORT_MINUTE)
    last_due = now.date() if now.time() >= build_time else now.date() - datetime.timedelta(days=1)
    return any(
        export is None or export.day < last_due
        for export in (daily_export_latest().get(extension) for extension in FORMATS)
    )


@contextmanager
def _build_lock() -> Iterator[bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_BUILD_LOCK])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_BUILD_LOCK])


def _write(files: dict[str, IO[str]], today: datetime.date) -> None:
    """Write the public register to each open file, in one pass over the rows."""
    search = credential_search(params={"status": ALL_STATUSES}, language="en", today=today)
    url_prefix = settings.SITE_URL + reverse("api:credential-list")
    with translation.override("en"):
        labels = status_labels()
    files["csv"].write(CSV_HEAD)
    files["json"].write(JSON_HEAD)
    for number, batch in enumerate(rows_by_id(search.matches(), EXPORT_FIELDS)):
        files["csv"].write(csv_block(batch, url_prefix, labels=labels, today=today))
        files["json"].write(
            json_block(batch, url_prefix, first=number == 0, labels=labels, today=today)
        )
    files["json"].write(JSON_TAIL)


def daily_export_build(*, today: datetime.date | None = None) -> list[DailyExport] | None:
    """Build today's files of the public register and drop the oldest beyond the keep count.

    Returns the new files; None when another build holds the lock (it is doing the same
    work). On any error the temporary files are removed and the error raised: the files
    already built stay as they were.
    """
    today = today or timezone.localdate()
    directory = daily_export_directory()
    directory.mkdir(parents=True, exist_ok=True)
    with _build_lock() as held:
        if not held:
            return None
        temporary: dict[str, Path] = {}
        try:
            with ExitStack() as stack:
                files: dict[str, IO[str]] = {}
                for extension in FORMATS:
                    handle = stack.enter_context(
                        tempfile.NamedTemporaryFile(
                            "w",
                            encoding="utf-8",
                            newline="",
                            dir=directory,
                            prefix=f".register-{today.isoformat()}.",
                            suffix=f".{extension}.tmp",
                            delete=False,
                        )
                    )
                    temporary[extension] = Path(handle.name)
                    files[extension] = handle
                _write(files, today)
                for written in files.values():
                    written.flush()
                    os.fsync(written.fileno())
            built = []
            for extension, path in temporary.items():
                final = directory / f"register-{today.isoformat()}.{extension}"
                path.chmod(0o644)
                os.replace(path, final)
                built.append(DailyExport(path=final, day=today, extension=extension))
            _sync_directory(directory)
        finally:
            for path in temporary.values():
                path.unlink(missing_ok=True)
        _prune(directory, keep=max(1, int(settings.REGISTER_EXPORT_KEEP)))
    return built


def _sync_directory(directory: Path) -> None:
    """Make the renames durable: a crash right after still finds the new names."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _prune(directory: Path, *, keep: int) -> None:
    """Remove each format's files beyond the newest `keep` days, and what a killed build
    left half-written (under the lock, no other build is writing)."""
    for leftover in directory.glob(".register-*.tmp"):
        leftover.unlink(missing_ok=True)
    kept: dict[str, int] = {}
    for export in _built(directory):
        kept[export.extension] = kept.get(export.extension, 0) + 1
        if kept[export.extension] > keep:
            export.path.unlink(missing_ok=True)
