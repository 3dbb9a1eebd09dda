"""What Celery beat does for the register when it starts.

Beat runs a crontab entry only at its time: a register deployed at noon, or a beat that was
down at the daily export's hour, would serve no file (or yesterday's) until the next day.
Starting, beat queues the build the schedule has missed; one running already makes it
return at once (the build's lock).
"""

import logging
from typing import Any

from celery.signals import beat_init
from django.conf import settings

from .interop.daily_export import daily_export_due
from .tasks import daily_export_build_task

logger = logging.getLogger(__name__)


@beat_init.connect
def daily_export_catch_up(**kwargs: Any) -> None:
    if settings.REGISTER_EXPORT_CATCH_UP and daily_export_due():
        logger.info("The daily export's last scheduled build is missing: queueing it now")
        daily_export_build_task.delay()
