"""Run several long-lived commands together, prefixing their output, and keep them running.

A child that exits is started again after a back-off (1 s, doubling to 30 s; back to 1 s once it
has run a minute), while the others go on: a Celery worker killed by the OOM killer must not take
the web down with it. A stop signal (Ctrl-C, SIGTERM, SIGHUP) stops every child and returns 0.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devstack.proc import exit_status

STOP_TIMEOUT = 15
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 30.0
# A child that ran this long before exiting is restarted after FIRST_BACKOFF again.
STABLE_AFTER = 60.0
POLL_INTERVAL = 0.2
_OUTPUT = threading.Lock()


@dataclass
class _Child:
    name: str
    argv: list[str]
    prefix: str
    proc: subprocess.Popen[str] | None = None
    reader: threading.Thread | None = None
    started_at: float = 0.0
    backoff: float = FIRST_BACKOFF
    restart_at: float | None = None
    restarts: int = 0


def supervise(commands: Mapping[str, list[str]], env: Mapping[str, str], cwd: Path) -> int:
    """Run ``commands``, restarting any that exits, until a stop signal; then return 0."""
    # A plain flag, not a threading.Event: Event.set() inside a signal handler can deadlock.
    stop: list[int] = []
    previous = {sig: signal.signal(sig, lambda num, _: stop.append(num)) for sig in STOP_SIGNALS}
    width = max(map(len, commands))
    children = [_Child(name, argv, f"{name:<{width}} | ") for name, argv in commands.items()]
    try:
        for child in children:
            _start(child, env, cwd)
        while not stop:
            for child in children:
                _tend(child, env, cwd)
            time.sleep(POLL_INTERVAL)
    finally:
        _stop_all(children)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _tend(child: _Child, env: Mapping[str, str], cwd: Path) -> None:
    """Notice an exit and schedule the restart, or restart once the back-off has passed."""
    now = time.monotonic()
    if child.restart_at is not None:
        if now >= child.restart_at:
            child.restarts += 1
            _log(f"restarting {child.name} (restart {child.restarts})")
            _start(child, env, cwd)
        return
    assert child.proc is not None
    if child.proc.poll() is None:
        return
    # Whatever the child left behind (a killed Celery parent's pool processes) goes with it.
    _kill_group(child.proc.pid)
    if child.reader is not None:
        child.reader.join(timeout=2)
    status = exit_status(child.proc.returncode)
    if now - child.started_at >= STABLE_AFTER:
        child.backoff = FIRST_BACKOFF
    child.restart_at = now + child.backoff
    _log(
        f"{child.name} (pid {child.proc.pid}) exited with status {status}{_signal_note(status)}"
        f" after {now - child.started_at:.0f} s; next restart in {child.backoff:.0f} s"
    )
    child.backoff = min(child.backoff * 2, MAX_BACKOFF)


def _signal_note(status: int) -> str:
    if status <= 128:
        return ""
    with contextlib.suppress(ValueError):
        return f" (killed by {signal.Signals(status - 128).name})"
    return ""


def _log(message: str) -> None:
    with _OUTPUT:
        print(f"devstack: {message}", file=sys.stderr, flush=True)


def _start(child: _Child, env: Mapping[str, str], cwd: Path) -> None:
    # A process group of its own keeps a terminal's Ctrl-C away from the child, so the supervisor
    # alone decides how each one is stopped (a second SIGINT would make Celery cold-stop).
    proc = subprocess.Popen(
        child.argv,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        bufsize=1,
        process_group=0,
    )
    child.proc = proc
    child.started_at = time.monotonic()
    child.restart_at = None
    child.reader = threading.Thread(target=_pump, args=(proc, child.prefix), daemon=True)
    child.reader.start()
    _log(f"started {child.name} (pid {proc.pid})")


def _pump(proc: subprocess.Popen[str], prefix: str) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        with _OUTPUT:
            sys.stdout.write(prefix + line)
            sys.stdout.flush()


def _stop_all(children: list[_Child]) -> None:
    """Ask each child to stop, kill what outlives the timeout, then sweep their groups."""
    running = [child for child in children if child.proc is not None]
    for child in running:
        assert child.proc is not None
        if child.proc.poll() is None:
            child.proc.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in running:
        assert child.proc is not None
        try:
            child.proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _log(f"{child.name} ignored SIGTERM; killing it")
        _kill_group(child.proc.pid)
        child.proc.wait()
        if child.reader is not None:
            child.reader.join(timeout=2)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
