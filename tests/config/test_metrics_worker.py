"""A real Celery worker, in multiprocess mode: task durations land in the shared directory,
and a task queued during a request logs with that request's id."""

import json
import time

from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from config.observability.context import request_id_var
from qa_reviews.tasks import conditions_daily_task, conditions_notify_task
from tests.celery_worker import running_worker, worker_process

TASK = "qa_reviews.tasks.conditions_daily_task"
NOTIFY_TASK = "qa_reviews.tasks.conditions_notify_task"


def _samples(directory) -> dict[tuple[str, frozenset], float]:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in registry.collect()
        for sample in family.samples
    }


def _wait_for_a_sample(directory, task: str, timeout: float = 60.0) -> None:
    """The task's results are ignored, so its duration sample is what says it ran."""
    deadline = time.monotonic() + timeout
    name = "registry_celery_task_duration_seconds_count"
    while time.monotonic() < deadline:
        if any(n == name and ("task", task) in labels for n, labels in _samples(directory)):
            return
        time.sleep(0.1)
    raise TimeoutError(f"no duration sample for {task} within {timeout}s")


def _json_lines(path) -> list[dict]:
    entries = []
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            entries.append(json.loads(line))
    return entries


def test_a_worker_records_task_duration_and_keeps_the_request_id(committed_db, tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "LOG_FORMAT": "json"}
    with log_path.open("w") as log, worker_process(env=env, args=["-l", "info"], stderr=log):
        token = request_id_var.set("request-under-test-0001")
        try:
            result = conditions_daily_task.delay()
        finally:
            request_id_var.reset(token)
        _wait_for_a_sample(metrics_dir, TASK)

    samples = _samples(metrics_dir)
    labels = frozenset({("task", TASK), ("outcome", "success")})
    assert samples[("registry_celery_task_duration_seconds_count", labels)] == 1
    assert samples[("registry_celery_task_duration_seconds_sum", labels)] > 0

    task_lines = [e for e in _json_lines(log_path) if e.get("task_id") == result.id]
    assert task_lines, log_path.read_text()
    assert {e["request_id"] for e in task_lines} == {"request-under-test-0001"}
    assert {e["task_name"] for e in task_lines} == {TASK}


def test_a_failing_task_is_counted_by_exception(committed_db, tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    with running_worker(env={"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}):
        conditions_notify_task.delay(condition_ids=[], kind="not-a-notice-kind")
        _wait_for_a_sample(metrics_dir, NOTIFY_TASK)

    samples = _samples(metrics_dir)
    outcome = frozenset({("task", NOTIFY_TASK), ("outcome", "failure")})
    assert samples[("registry_celery_task_duration_seconds_count", outcome)] == 1
    failure = frozenset({("task", NOTIFY_TASK), ("exception", "ValueError")})
    assert samples[("registry_celery_task_failures_total", failure)] == 1
