"""Celery side of observability: the request id travels with a task; task durations and
outcomes are measured in the worker process that ran them.

Imported by `config/celery_app.py`, so it is connected in web processes (publishing) and in
workers (running) alike.
"""

import os
import time
from typing import Any

from celery.signals import (
    before_task_publish,
    task_failure,
    task_postrun,
    task_prerun,
    worker_process_shutdown,
)

from .context import request_id_var, sane_request_id, task_var
from .metrics import CELERY_TASK_DURATION, CELERY_TASK_FAILURES

# The message header that carries the request id; Celery exposes custom headers as
# attributes of `task.request`.
HEADER = "registry_request_id"

# Per task id: when it started and the context tokens to reset. A worker process runs one
# task at a time (prefork or solo pool), so this holds one entry in practice.
_running: dict[str, tuple[float, Any, Any]] = {}


@before_task_publish.connect(dispatch_uid="registry-request-id-publish")
def _attach_request_id(headers: dict | None = None, **kwargs: Any) -> None:
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(HEADER, request_id)


@task_prerun.connect(dispatch_uid="registry-task-prerun")
def _task_started(task_id: str, task: Any, **kwargs: Any) -> None:
    request_id = sane_request_id(getattr(task.request, HEADER, None))
    _running[task_id] = (
        time.perf_counter(),
        request_id_var.set(request_id),
        task_var.set((task_id, task.name)),
    )


@task_postrun.connect(dispatch_uid="registry-task-postrun")
def _task_finished(task_id: str, task: Any, state: str | None = None, **kwargs: Any) -> None:
    started = _running.pop(task_id, None)
    if started is None:
        return
    began, request_token, task_token = started
    CELERY_TASK_DURATION.labels(task=task.name, outcome=(state or "UNKNOWN").lower()).observe(
        time.perf_counter() - began
    )
    task_var.reset(task_token)
    request_id_var.reset(request_token)


@task_failure.connect(dispatch_uid="registry-task-failure")
def _task_failed(sender: Any = None, exception: BaseException | None = None, **kwargs: Any):
    name = getattr(sender, "name", "unknown")
    CELERY_TASK_FAILURES.labels(task=name, exception=type(exception).__name__).inc()


@worker_process_shutdown.connect(dispatch_uid="registry-metrics-process-dead")
def _mark_process_dead(**kwargs: Any) -> None:
    # A prefork child's live gauges must stop counting once it exits (multiprocess mode).
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())
