"""A loopback HTTP server standing in for an external register (Ofqual-like API + a CSV file)."""

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from credentials.numbers import registration_key


@dataclass
class Behaviour:
    """How the stub answers one request: a status, headers, and a delay before answering."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class RegisterStub:
    """Serves ``/api/Qualifications/{number}`` and ``/register.csv`` on 127.0.0.1."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "RegisterStub":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            self.records: dict[str, dict[str, Any]] = {}
            self.plans: dict[str, deque[Behaviour]] = {}
            self.always: Behaviour | None = None
            self.csv_text = ""
            self.requests: list[tuple[float, str]] = []

    def set_record(self, number: str, status: str, **fields: Any) -> None:
        """Publish a qualification record in the public API's camelCase shape."""
        with self.lock:
            self.records[registration_key(number)] = {
                "qualificationNumber": number,
                "qualificationNumberNoObliques": registration_key(number),
                "title": fields.pop("title", f"Qualification {number}"),
                "status": status,
                "certificationEndDate": None,
                **fields,
            }

    def plan(self, number: str, *behaviours: Behaviour) -> None:
        """Answer the next requests for this number with these behaviours, then normally."""
        with self.lock:
            self.plans.setdefault(registration_key(number), deque()).extend(behaviours)

    def requests_for(self, number: str) -> int:
        suffix = f"/api/Qualifications/{registration_key(number)}"
        with self.lock:
            return sum(1 for _, path in self.requests if path == suffix)

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path.split("?")[0]
        with self.lock:
            self.requests.append((time.monotonic(), path))
            number = path.rsplit("/", 1)[-1].upper()
            queue = self.plans.get(number)
            behaviour = queue.popleft() if queue else self.always
            record = self.records.get(number)
            csv_text = self.csv_text
        if behaviour and behaviour.delay:
            time.sleep(behaviour.delay)
        if behaviour and behaviour.status != 200:
            self._send(request, behaviour.status, b'{"message":"unavailable"}', behaviour.headers)
            return
        if path == "/register.csv":
            self._send(request, 200, csv_text.encode(), {"Content-Type": "text/csv"})
        elif path.startswith("/api/Qualifications/") and record is not None:
            self._send(request, 200, json.dumps(record).encode())
        else:
            self._send(request, 404, b'{"message":"Not found"}')

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict | None = None
    ) -> None:
        try:
            request.send_response(status)
            headers = {"Content-Type": "application/json", **(headers or {})}
            for name, value in headers.items():
                request.send_header(name, value)
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (its read timeout) before the stub answered.
            pass
