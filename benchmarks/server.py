"""The production server under load: gunicorn started as `make run` starts it.

gunicorn runs ``config.wsgi:application`` with ``config/gunicorn.py`` (its workers, threads
and timeouts) against the benchmark database; clients are threads with their own HTTP
connection, each running the query mix in a shuffled order for a fixed time. Then the whole
register is exported through the same server, and each worker's resident memory is read.
"""

from __future__ import annotations

import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from .measure import percentile
from .queries import BenchQuery

TARGET_REQUESTS_PER_SECOND = 100.0
TARGET_P99_MS = 300.0
API_PATH = "/api/v1/credentials/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url(target: dict[str, Any]) -> str:
    user = target.get("USER") or ""
    password = f":{target['PASSWORD']}" if target.get("PASSWORD") else ""
    host = target.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{target.get('PORT') or 5432}/{target['NAME']}"


@contextmanager
def gunicorn_running(target: dict[str, Any]) -> Iterator[tuple[int, subprocess.Popen]]:
    """Run gunicorn on a free port against `target` until the block ends; yields the port."""
    port = _free_port()
    root = Path(settings.BASE_DIR)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(target),
        "DJANGO_SETTINGS_MODULE": os.environ.get("BENCH_SERVER_SETTINGS", "config.settings.local"),
        # One client asking thousands of times; the limits are not what is measured.
        "THROTTLE_RATE_BROWSE": "",
        "THROTTLE_RATE_EXPORT": "",
        "DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "-c", str(root / "config" / "gunicorn.py"), "--bind", f"127.0.0.1:{port}",
    ]  # fmt: skip
    (root / ".bench").mkdir(exist_ok=True)
    log = (root / ".bench" / "gunicorn.log").open("w")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start: see .bench/gunicorn.log") from None
                time.sleep(0.5)
        yield port, server
    finally:
        server.terminate()
        server.wait(timeout=90)
        log.close()


def worker_rss_mb(server: subprocess.Popen) -> list[float]:
    """Resident memory of each gunicorn worker (the arbiter's children), in MB."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(server.pid) and "VmRSS" in fields:
            found.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(found)


@dataclass(frozen=True)
class LoadResult:
    clients: int
    seconds: float
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 1),
            "requests": self.requests,
            "errors": self.errors,
            "requests_per_second": round(self.requests_per_second, 1),
            "p50_ms": round(self.p50_ms, 1),
            "p99_ms": round(self.p99_ms, 1),
        }


def load_test(port: int, queries: list[BenchQuery], *, clients: int, seconds: float) -> LoadResult:
    """`clients` threads, each with its own keep-alive connection, for `seconds`."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(seed: int) -> None:
        order = list(queries)
        random.Random(seed).shuffle(order)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        failed = 0
        position = 0
        while time.monotonic() < stop_at:
            query = order[position % len(order)]
            position += 1
            started = time.perf_counter()
            try:
                connection.request("GET", f"{API_PATH}?{urlencode(query.params)}")
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append(1000 * (time.perf_counter() - started))
            failed += not ok
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return LoadResult(
        clients=clients,
        seconds=elapsed,
        requests=len(latencies),
        errors=errors[0],
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p99_ms=percentile(latencies, 0.99) if latencies else 0.0,
    )


@dataclass(frozen=True)
class ServerExport:
    rows: int
    first_row_ms: float
    seconds: float
    status: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "rows": self.rows,
            "first_row_ms": round(self.first_row_ms, 1),
            "seconds": round(self.seconds, 2),
            "rows_per_second": round(self.rows / self.seconds) if self.seconds else 0,
            "status": self.status,
        }


def export_through(port: int, query: str) -> ServerExport:
    """Download one export over HTTP to its end, as a reader's client would."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", f"{API_PATH}?{query}")
    response = connection.getresponse()
    lines = 0
    first_row_at = None
    while chunk := response.read1(1 << 16):
        lines += chunk.count(b"\n")
        if first_row_at is None and lines >= 2:
            first_row_at = time.perf_counter()
    ended = time.perf_counter()
    connection.close()
    return ServerExport(
        rows=max(0, lines - 1),
        first_row_ms=1000 * ((first_row_at or ended) - started),
        seconds=ended - started,
        status=response.status,
    )


def time_server(
    target: dict[str, Any],
    queries: list[BenchQuery],
    *,
    clients: int,
    seconds: float,
    export: bool,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Load test, whole-register export and worker memory against one gunicorn."""
    with gunicorn_running(target) as (port, server):
        say(f"gunicorn on :{port}: warming up, then {clients} clients for {seconds:g} s")
        load_test(port, queries, clients=clients, seconds=min(10.0, seconds))
        result = load_test(port, queries, clients=clients, seconds=seconds)
        figures: dict[str, Any] = {"load": result.as_dict()}
        figures["worker_rss_mb_after_load"] = worker_rss_mb(server)
        if export:
            say("Whole register exported through gunicorn")
            figures["export"] = export_through(port, "status=all&format=csv").as_dict()
            figures["worker_rss_mb_after_export"] = worker_rss_mb(server)
    return figures
