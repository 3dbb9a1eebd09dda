"""Process, pid-file and port checks shared by the PostgreSQL and Redis services."""

import os
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path

PROC = Path("/proc")


def read_pid(pidfile: Path) -> int | None:
    """Return the pid on the first line of ``pidfile``, or None when there is none."""
    try:
        first = pidfile.read_text().split("\n", 1)[0].strip()
    except (FileNotFoundError, PermissionError):
        return None
    return int(first) if first.isdigit() else None


def pid_alive(pid: int) -> bool:
    """Tell whether a process with this pid exists and has not exited (zombies count as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return not PROC.is_dir()
    # A daemon's exit leaves a zombie until init reaps it, which some container inits do late.
    return stat.rpartition(")")[2].split()[0] != "Z"


def _cwd(pid: int) -> Path | None:
    try:
        return Path(os.readlink(PROC / str(pid) / "cwd"))
    except OSError:
        return None


def runs_in(pid: int, directory: Path) -> bool:
    """Tell whether ``pid`` is a live process working in ``directory``.

    PostgreSQL and Redis both chdir into their data folder, so this tells a server of ours from an
    unrelated process that inherited a stale pid. Zombies have no cwd and count as gone.
    """
    if not PROC.is_dir():
        return pid_alive(pid)
    return _cwd(pid) == directory.resolve()


def pids_in(directory: Path) -> list[int]:
    """Return the pids of every process working in ``directory`` (Linux only; else none)."""
    if not PROC.is_dir():
        return []
    target = directory.resolve()
    return [
        int(entry.name)
        for entry in PROC.iterdir()
        if entry.name.isdigit() and _cwd(int(entry.name)) == target
    ]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Tell whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for(check: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Poll ``check`` until it returns true or ``timeout`` seconds pass; return its last answer."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True


def end_process(pid: int, first: signal.Signals, timeout: float) -> None:
    """Send ``first`` to ``pid``, then SIGKILL if it still lives after ``timeout`` seconds."""
    try:
        os.kill(pid, first)
    except ProcessLookupError:
        return
    if not wait_for(lambda: not pid_alive(pid), timeout):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        wait_for(lambda: not pid_alive(pid), 5)


def log_tail(path: Path, lines: int = 30) -> str:
    """Return the last ``lines`` lines of a log file, for error messages."""
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no log at {path}: {exc.strerror})"
    tail = "\n".join(text.splitlines()[-lines:])
    return f"--- last lines of {path} ---\n{tail}"


def exit_status(returncode: int) -> int:
    """Map a subprocess return code to a shell-style exit status (128 + N for signal N)."""
    return 128 - returncode if returncode < 0 else returncode
