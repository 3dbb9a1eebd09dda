"""Gunicorn settings for `make run` and the container image (`gunicorn -c config/gunicorn.py`).

Threaded workers (gthread) because a CSV export streams for minutes: a thread holds the
response while the worker's other threads keep serving, and a gthread worker's heartbeat to the
arbiter does not wait for a request to finish, so ``timeout`` only catches a stuck worker.
Each number is an operator's dial read from the environment.
https://docs.gunicorn.org/en/stable/settings.html
"""

import os

from config.observability.gunicorn import child_exit  # noqa: F401  (prometheus multiprocess)

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Seconds of silence from a worker before the arbiter kills and replaces it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# Seconds a stopping worker gets to finish its requests (exports included) after SIGTERM.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "60"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycling workers now and then bounds slow memory growth; jitter keeps them from all
# restarting at once. A restart re-imports the application and reconnects, a second or two of
# a core, and drops its keep-alive clients: at 100 searches a second, 2,000 requests had each
# worker restart every 40 s, so the limit is ten times that (docs/performance.md).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# The application logs each request itself (with its request id, as JSON in production), so
# gunicorn's own text access line would only say it twice; GUNICORN_ACCESS_LOG=- brings it back.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# Behind the compose proxy (or any load balancer), trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 25+ opens a control socket under $HOME by default: nothing here uses it, the image's
# home is read-only, and replicas or checkouts on one host would share its path.
control_socket_disable = True
