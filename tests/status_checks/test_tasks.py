"""Task wiring: delivery counting against poison tasks, limits, and the beat schedule."""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings

from config.celery_app import app
from config.redis_state import key, shared_redis
from status_checks.choices import SweepScope, SweepState
from status_checks.models import StatusCheck
from status_checks.services import status_sweep_dispatch, status_sweep_start
from status_checks.tasks import status_check_chunk_task, status_sweep_daily
from tests.factories import CredentialFactory

pytestmark = pytest.mark.django_db


def test_a_task_delivered_too_often_gives_up_and_fails_its_sweep(today):
    entry = CredentialFactory(valid_to=today - timedelta(days=1))
    sweep = status_sweep_start(scope=SweepScope.REGISTER, enqueue=False)
    (chunk,) = status_sweep_dispatch(sweep_id=sweep.pk, enqueue=False)
    # As if a worker had died in this task on every earlier delivery.
    shared_redis().set(key("deliveries", "poison-1"), settings.STATUS_CHECK_MAX_DELIVERIES)

    result = status_check_chunk_task.apply(args=(sweep.pk, chunk), task_id="poison-1")

    assert result.successful() and result.result is None
    sweep.refresh_from_db()
    assert sweep.state == SweepState.FAILED
    assert not StatusCheck.objects.filter(credential=entry).exists()


def test_each_delivery_is_counted_and_a_success_forgets_the_count(today):
    CredentialFactory(valid_to=today + timedelta(days=300))
    sweep = status_sweep_start(scope=SweepScope.REGISTER, enqueue=False)
    (chunk,) = status_sweep_dispatch(sweep_id=sweep.pk, enqueue=False)
    shared_redis().set(key("deliveries", "second-try"), 1)

    result = status_check_chunk_task.apply(args=(sweep.pk, chunk), task_id="second-try")

    assert result.result == {"checked": 1, "changed": 0, "skipped": 0}
    assert not shared_redis().exists(key("deliveries", "second-try"))
    sweep.refresh_from_db()
    assert sweep.state == SweepState.FINISHED


def test_daily_task_starts_one_sweep_however_often_beat_fires(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        first = status_sweep_daily.apply().result
        second = status_sweep_daily.apply().result

    assert first is not None and second is None


def test_chunk_tasks_are_late_acknowledged_time_limited_and_scheduled_daily():
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert status_check_chunk_task.soft_time_limit == settings.STATUS_CHECK_TASK_SOFT_TIME_LIMIT
    assert status_check_chunk_task.time_limit == settings.STATUS_CHECK_TASK_TIME_LIMIT
    entry = settings.CELERY_BEAT_SCHEDULE["status-sweep-daily"]
    assert entry["task"] == status_sweep_daily.name
    assert isinstance(entry["schedule"], crontab)
