"""Celery application: reads every ``CELERY_*`` Django setting and finds each app's tasks.

Queues and routes are settings (TASK_QUEUE_BY_NAME, config.celery_routes); config.heartbeat,
imported here for its signal handlers, makes each worker write the heartbeat /healthz reads.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("credential_registry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from config import heartbeat  # noqa: E402, F401  (connects the worker heartbeat signals)
