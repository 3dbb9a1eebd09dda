"""Run several long-lived commands together, prefixing their output, and stop them as one."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from devstack.proc import exit_status

STOP_TIMEOUT = 15
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_OUTPUT = threading.Lock()


@dataclass
class _Child:
    name: str
    proc: subprocess.Popen[str]
    reader: threading.Thread = field(init=False)


def supervise(commands: Mapping[str, list[str]], env: Mapping[str, str], cwd: Path) -> int:
    """Run ``commands`` until a stop signal (exit 0) or until one exits (exit non-zero)."""
    # A plain flag, not a threading.Event: Event.set() inside a signal handler can deadlock.
    stop: list[int] = []
    previous = {sig: signal.signal(sig, lambda num, _: stop.append(num)) for sig in STOP_SIGNALS}
    width = max(map(len, commands))
    children: list[_Child] = []
    try:
        for name, argv in commands.items():
            children.append(_spawn(name, argv, env, cwd, f"{name:<{width}} | "))
        ended = _wait_first_exit(children, stop)
    finally:
        _stop_all(children)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if ended is None:
        return 0
    code = exit_status(ended.proc.returncode)
    print(f"devstack: {ended.name} exited with status {code}; stopped the others", file=sys.stderr)
    return code or 1


def _spawn(name: str, argv: list[str], env: Mapping[str, str], cwd: Path, prefix: str) -> _Child:
    # A process group of its own keeps a terminal's Ctrl-C away from the child, so the supervisor
    # alone decides how each one is stopped (a second SIGINT would make Celery cold-stop).
    proc = subprocess.Popen(
        argv,
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
    child = _Child(name, proc)
    child.reader = threading.Thread(target=_pump, args=(proc, prefix), daemon=True)
    child.reader.start()
    return child


def _pump(proc: subprocess.Popen[str], prefix: str) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        with _OUTPUT:
            sys.stdout.write(prefix + line)
            sys.stdout.flush()


def _wait_first_exit(children: list[_Child], stop: list[int]) -> _Child | None:
    while not stop:
        for child in children:
            if child.proc.poll() is not None:
                return child
        time.sleep(0.2)
    return None


def _stop_all(children: list[_Child]) -> None:
    """Ask each child to stop, kill what outlives the timeout, then sweep their groups."""
    for child in children:
        if child.proc.poll() is None:
            child.proc.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in children:
        try:
            child.proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"devstack: {child.name} ignored SIGTERM; killing it", file=sys.stderr)
        _kill_group(child.proc.pid)
        child.proc.wait()
        child.reader.join(timeout=2)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
