"""Run one command in the foreground, passing on the signals a terminal would not send it."""

import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from devstack.proc import exit_status


def call(command: list[str], env: Mapping[str, str], cwd: Path | None = None) -> int:
    """Run ``command`` to its end and return its exit status (127 if it cannot be found).

    Ctrl-C reaches the child straight from the terminal, which shares its process group, so
    SIGINT is only waited out here; SIGTERM and SIGHUP, sent to this process alone, are forwarded.
    """
    try:
        proc = subprocess.Popen(command, env=dict(env), cwd=cwd)
    except FileNotFoundError:
        print(f"devstack: command not found: {command[0]}", file=sys.stderr)
        return 127

    def forward(signum: int, _frame: object) -> None:
        if signum != signal.SIGINT:
            proc.send_signal(signum)

    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, forward) for sig in handled}
    try:
        return exit_status(proc.wait())
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
