"""Backups of the registry's PostgreSQL database, and their restore (README, Backup and restore).

PostgreSQL is the record of everything: a backup is one pg_dump in custom format. Redis holds
nothing that needs keeping — the broker's queued tasks are derived from rows (sweeps, import
jobs) and re-run from them, the cache and the status checks' circuit breakers rebuild
themselves — so it is not backed up.
"""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

from django.conf import settings

from .pg_clients import BackupError, Server, client_bin_dir

# Every pg_dump custom-format archive starts with these bytes.
ARCHIVE_MAGIC = b"PGDMP"


def default_backup_path(now: datetime.datetime | None = None) -> Path:
    """``backups/registry-<UTC timestamp>.dump`` in the project folder."""
    moment = (now or datetime.datetime.now(datetime.UTC)).astimezone(datetime.UTC)
    return Path(settings.BASE_DIR) / "backups" / f"registry-{moment:%Y%m%dT%H%M%SZ}.dump"


def _run(command: list[str], server: Server, what: str) -> str:
    result = subprocess.run(
        command, capture_output=True, text=True, env=server.client_env(), check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{what} failed ({Path(command[0]).name}):\n{result.stderr.strip()}")
    return result.stdout


def database_backup(*, server: Server, path: Path) -> Path:
    """Dump ``server``'s database to ``path`` (custom format); return the file written.

    The dump is written beside its final name and renamed when complete, so a failed or
    interrupted backup never leaves a file that looks like a good one.
    """
    if path.exists():
        raise BackupError(f"{path} already exists: choose another file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    pg_dump = client_bin_dir(server.major_version()) / "pg_dump"
    try:
        _run(
            [str(pg_dump), "--format=custom", f"--file={partial}", *server.client_args()],
            server,
            f"backup of {server.describe()}",
        )
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def check_archive(path: Path) -> None:
    """Refuse a file that is missing or is not a pg_dump custom-format archive."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    with path.open("rb") as archive:
        if archive.read(len(ARCHIVE_MAGIC)) != ARCHIVE_MAGIC:
            raise BackupError(
                f"{path} is not a pg_dump custom-format archive (made by `make backup` or"
                " `pg_dump -Fc`)"
            )


def database_restore(*, server: Server, path: Path) -> None:
    """Replace ``server``'s database with the backup at ``path``, all or nothing.

    ``--clean --if-exists`` drops each object the archive holds before recreating it; the
    data is loaded before triggers and rules are recreated, so append-only history tables
    take their rows back without tripping their own guards. One transaction, stopped at the
    first error: a failed restore leaves the database as it was.
    """
    check_archive(path)
    pg_restore = client_bin_dir(server.major_version()) / "pg_restore"
    _run([str(pg_restore), "--list", str(path)], server, f"reading {path}")
    _run(
        [
            # No GRANTs from the dump: its roles may not exist here, and the application
            # role's privileges are re-granted from config/db_roles.py after the restore.
            str(pg_restore), "--clean", "--if-exists", "--no-owner", "--no-privileges",
            "--single-transaction", "--exit-on-error", *server.client_args(), str(path),
        ],
        server,
        f"restore of {path} into {server.describe()}",
    )  # fmt: skip
