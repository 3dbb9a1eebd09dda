"""The upload path end to end: a job queued on commit, run by a real Celery worker process."""

import time

from django.conf import settings

from config.celery_app import app
from credentials.choices import CredentialStatus
from credentials.models import Credential
from imports.choices import ImportState
from imports.models import ImportJob
from imports.starting import import_start
from tests.celery_worker import running_worker

from .conftest import HKQR_REGISTER


def _purge_broker() -> None:
    app.control.purge()
    with app.connection_for_write() as connection:
        connection.default_channel.client.delete(
            "unacked", "unacked_index", settings.CELERY_TASK_DEFAULT_QUEUE
        )


def test_a_worker_runs_the_queued_import(committed_db, registry_admin):
    """import_start queues the task only once the job row is committed; the worker imports
    the file and leaves the job finished with its counts and full progress."""
    _purge_broker()
    with running_worker():
        job = import_start(
            actor=registry_admin,
            format="hkqr",
            content=HKQR_REGISTER.read_bytes(),
            filename=HKQR_REGISTER.name,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.state in (ImportState.FINISHED, ImportState.FAILED):
                break
            time.sleep(0.1)

    assert job.state == ImportState.FINISHED, job.report
    assert (job.rows_total, job.rows_done, job.created_count) == (9, 9, 9)
    assert job.started_at and job.finished_at
    assert Credential.objects.filter(status=CredentialStatus.REGISTERED).count() == 8
    # A redelivered task finds the job finished and does nothing.
    from imports.tasks import import_run_task

    assert import_run_task.apply(args=[job.pk]).get() == ImportState.FINISHED
    assert ImportJob.objects.get(pk=job.pk).created_count == 9
    assert Credential.objects.count() == 9
