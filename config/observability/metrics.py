"""The register's Prometheus metrics, defined once per process.

Under gunicorn (several worker processes) and in Celery's prefork pool, set
`PROMETHEUS_MULTIPROC_DIR` to an empty directory shared by those processes before they
start: prometheus_client then keeps each process's samples in files there and `/metrics`
adds them up. Without it (`manage.py runserver`, one process) they live in memory.
Scrape-time gauges: queue depth in `queues.py`, sweep and import progress in `progress.py`.
"""

from prometheus_client import Counter, Histogram

# Latency buckets for web requests and searches: 5 ms to 10 s.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Celery tasks run from milliseconds (mail) to many minutes (a sweep chunk, an import).
_TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)

HTTP_REQUEST_DURATION = Histogram(
    "registry_http_request_duration_seconds",
    "Time to answer a web request, by route name, method and status class.",
    ["route", "method", "status"],
    buckets=_LATENCY_BUCKETS,
)
SEARCH_DURATION = Histogram(
    "registry_search_duration_seconds",
    "Time to compute a page of register search results, by query class.",
    ["query_class", "filtered"],
    buckets=_LATENCY_BUCKETS,
)
CELERY_TASK_DURATION = Histogram(
    "registry_celery_task_duration_seconds",
    "Time a Celery task ran in a worker, by task name and outcome (Celery state).",
    ["task", "outcome"],
    buckets=_TASK_BUCKETS,
)
CELERY_TASK_FAILURES = Counter(
    "registry_celery_task_failures",
    "Celery tasks that raised, by task name and exception class.",
    ["task", "exception"],
)
