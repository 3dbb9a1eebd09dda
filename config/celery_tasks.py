"""A Celery task base every app's tasks share: deliveries counted, poison tasks given up.

Every task is acknowledged late and rejected back to the queue if its worker dies (global
settings), so each must be safe to run twice: the services make a repeat a no-op. A task that
kills its worker every time would be redelivered for ever, so deliveries are counted in Redis
and a task past STATUS_CHECK_MAX_DELIVERIES gives up instead of running.
"""

import logging
from typing import Any

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .redis_state import key, shared_redis

logger = logging.getLogger(__name__)

# Kept a day: far longer than any redelivery cycle, short enough not to pile up.
DELIVERY_COUNT_SECONDS = 24 * 60 * 60

# Transient faults worth a retry: the database restarting or a connection dropped.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, SoftTimeLimitExceeded)


class CountedDeliveryTask(Task):
    """A task that counts its deliveries and gives up past the limit."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        task_id = self.request.id
        if task_id:
            attempts = _count_delivery(task_id)
            if attempts > settings.STATUS_CHECK_MAX_DELIVERIES:
                logger.error("%s[%s] delivered %d times; giving up.", self.name, task_id, attempts)
                self.give_up(*args, **kwargs)
                return None
        result = super().__call__(*args, **kwargs)
        if task_id:
            shared_redis().delete(key("deliveries", task_id))
        return result

    def give_up(self, *args: Any, **kwargs: Any) -> None:
        """Called instead of running once the delivery limit is passed."""


def _count_delivery(task_id: str) -> int:
    pipe = shared_redis().pipeline()
    pipe.incr(key("deliveries", task_id))
    pipe.expire(key("deliveries", task_id), DELIVERY_COUNT_SECONDS)
    count, _ = pipe.execute()
    return int(count)
