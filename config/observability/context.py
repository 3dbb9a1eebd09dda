"""The request id (and Celery task) that the current log records belong to."""

import re
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
task_var: ContextVar[tuple[str, str] | None] = ContextVar("celery_task", default=None)

# A proxy's id is trusted only when it is a plain token: it goes into every log line and a
# response header, so no spaces, quotes or control characters, and a bounded length.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def sane_request_id(value: str | None) -> str | None:
    """Return `value` if it is acceptable as a request id, else None."""
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex
