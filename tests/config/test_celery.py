from config.celery_app import app
from tests.celery_worker import running_worker


def test_worker_process_starts_and_answers_through_redis():
    """A real worker process connects to the broker and answers a control ping."""
    with running_worker() as hostname:
        replies = app.control.ping(destination=[hostname], timeout=2)

    assert replies == [{hostname: {"ok": "pong"}}]


def test_celery_reads_django_settings():
    """Late acknowledgement and redelivery on a lost worker are on for every task."""
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.broker_url.startswith("redis://")
