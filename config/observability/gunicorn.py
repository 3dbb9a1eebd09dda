"""gunicorn hook for prometheus_client's multiprocess mode.

`config/gunicorn.py` imports `child_exit`; a gunicorn config of your own should too.
"""

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    """Mark an exited worker dead so its live gauges leave the aggregate `/metrics`."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
