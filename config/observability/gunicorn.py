"""gunicorn hook for prometheus_client's multiprocess mode.

Use with `gunicorn -c python:config.observability.gunicorn ...`, or import `child_exit` into
another gunicorn config module.
"""

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    """Mark an exited worker dead so its live gauges leave the aggregate `/metrics`."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
