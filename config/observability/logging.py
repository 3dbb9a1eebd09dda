"""Log records as one JSON object a line, each carrying the request id it belongs to."""

import datetime
import json
import logging
from typing import Any

from .context import request_id_var, task_var

# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged.
_STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "task_id",
    "task_name",
}


class RequestIdFilter(logging.Filter):
    """Put the current request id (and Celery task, in a worker) on every record.

    Installed on handlers, not loggers, so that records propagated from any logger get it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        task = task_var.get()
        record.task_id, record.task_name = task if task else ("-", "-")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, then extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if getattr(record, "task_id", "-") != "-":
            # The Celery signal handlers put these on the record.
            entry["task_id"] = record.task_id  # type: ignore[attr-defined]
            entry["task_name"] = record.task_name  # type: ignore[attr-defined]
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
