"""Each task lands on its queue in Redis, so a sweep's backlog never sits in front of mail."""

import pytest
import redis
from django.conf import settings

from changes.tasks import webhook_deliver_task
from config.celery_app import app
from imports.tasks import import_run_task
from qa_reviews.tasks import conditions_notify_task
from status_checks.choices import SweepScope
from status_checks.models import StatusSweep
from status_checks.tasks import status_alerts_send_task, status_check_chunk_task
from tests.factories import CredentialFactory

pytestmark = pytest.mark.django_db

QUEUES = [f"registry-test-{name}" for name in ("default", "mail", "imports", "sweeps", "webhooks")]


@pytest.fixture
def broker():
    """The broker's Redis with the test queues empty before and after."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(*QUEUES)
    yield client
    client.delete(*QUEUES)
    client.close()


def _lengths(broker) -> dict[str, int]:
    return {name.removeprefix("registry-test-"): broker.llen(name) for name in QUEUES}


def test_every_routed_task_name_is_a_registered_task():
    """A renamed task would silently fall back to "default": the table must name real ones."""
    # What a worker registers: every app's tasks module, including those queued only by name.
    app.loader.import_default_modules()
    unknown = set(settings.TASK_QUEUE_BY_NAME) - set(app.tasks)
    assert not unknown
    assert set(settings.TASK_QUEUE_BY_NAME.values()) <= set(settings.TASK_QUEUE_NAMES)


def test_tasks_are_queued_on_their_own_queues(broker):
    register_sweep = StatusSweep.objects.create(scope=SweepScope.REGISTER)

    status_check_chunk_task.delay(register_sweep.pk, [1, 2, 3])
    status_alerts_send_task.delay([1])
    conditions_notify_task.delay([1], "due")
    import_run_task.delay(1)
    webhook_deliver_task.delay(1)
    app.send_task("an.unrouted.task")

    assert _lengths(broker) == {"default": 1, "mail": 2, "imports": 1, "sweeps": 1, "webhooks": 1}


def test_a_one_credential_check_skips_the_sweeps_queue(broker):
    """Someone is waiting for it: it goes to "default", not behind a register sweep's chunks."""
    credential = CredentialFactory()
    check = StatusSweep.objects.create(scope=SweepScope.CREDENTIAL, credential=credential)

    status_check_chunk_task.delay(check.pk, [credential.pk])

    assert _lengths(broker) == {"default": 1, "mail": 0, "imports": 0, "sweeps": 0, "webhooks": 0}


def test_a_worker_without_queue_options_consumes_every_queue():
    assert [queue.name for queue in app.conf.task_queues] == QUEUES
    assert app.conf.task_default_queue == "registry-test-default"
