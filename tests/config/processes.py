"""Helpers for tests that run real server processes: free ports, output capture, waiting."""

import re
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check: Callable[[], T], *, timeout: float, what: str) -> T:
    """Poll ``check`` until it returns something true; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout}s waiting for {what}")
        time.sleep(0.1)


class Output:
    """Collects a process's merged output lines as they come, for assertions on its log."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    def search(self, pattern: str) -> re.Match[str] | None:
        with self._lock:
            lines = list(self.lines)
        for line in lines:
            match = re.search(pattern, line)
            if match:
                return match
        return None

    def wait(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        """Wait for a line matching ``pattern``; on a timeout, show the last lines seen."""
        try:
            return wait_for(lambda: self.search(pattern), timeout=timeout, what=f"/{pattern}/")
        except TimeoutError as exc:
            with self._lock:
                tail = "\n".join(self.lines[-40:])
            raise TimeoutError(f"{exc}; last output:\n{tail}") from None
