"""Request ids: taken from a sane proxy header or made up, returned, and on every log line."""

import json
import logging
import sys

import pytest

from config.observability.context import request_id_var, sane_request_id
from config.observability.logging import JsonFormatter, RequestIdFilter


@pytest.mark.parametrize(
    "value",
    ["3f2c1e9a-7b1d-4c55-9a0e-2d1f6b7c8e90", "req-0001.abc:def_9", "a" * 128],
)
def test_sane_proxy_ids_are_kept(value):
    assert sane_request_id(value) == value


@pytest.mark.parametrize(
    "value",
    ["", "short", "a" * 129, "has space in it", 'quote"injection', "line\nbreak-123", "ü" * 10],
)
def test_other_proxy_ids_are_refused(value):
    assert sane_request_id(value) is None


@pytest.mark.django_db
def test_the_proxy_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "proxy-id-12345678"})

    assert response["X-Request-ID"] == "proxy-id-12345678"


@pytest.mark.django_db
def test_a_bad_proxy_id_is_replaced_by_a_new_one(client):
    first = client.get("/verify/", headers={"X-Request-ID": "bad id with spaces"})
    second = client.get("/verify/")

    assert first["X-Request-ID"] != "bad id with spaces"
    assert sane_request_id(first["X-Request-ID"]) == first["X-Request-ID"]
    assert second["X-Request-ID"] not in ("", first["X-Request-ID"])


@pytest.mark.django_db
def test_request_log_line_is_json_with_the_request_id(client):
    """The production formatter writes one JSON object with the request's fields and id."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("registry.request")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        client.get("/verify/", headers={"X-Request-ID": "trace-abcdef-0001"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)

    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["request_id"] == "trace-abcdef-0001"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "registry.request"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/verify/", 200)
    assert entry["route"] == "credentials:verify"
    assert entry["duration_ms"] >= 0
    assert entry["time"].endswith("+00:00")


def test_no_request_means_no_id_and_exceptions_are_kept():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom %s", ("now",), None)
    try:
        raise ValueError("bad")
    except ValueError:
        record.exc_info = sys.exc_info()
    RequestIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))

    assert entry["message"] == "boom now"
    assert entry["request_id"] == "-"
    assert "ValueError: bad" in entry["exception"]


def test_the_filter_reads_the_current_request_id():
    token = request_id_var.set("ctx-id-00000001")
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    assert record.request_id == "ctx-id-00000001"


@pytest.mark.django_db
def test_djangos_own_error_lines_carry_the_id_and_it_is_forgotten_after(client):
    """django.request logs a 404 after the middleware chain has returned."""
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.request_id)

    handler = Collect()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/no/such/page/", headers={"X-Request-ID": "missing-page-0001"})
    finally:
        logger.removeHandler(handler)

    assert seen == ["missing-page-0001"]
    assert request_id_var.get() is None
