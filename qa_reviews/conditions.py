"""The daily pass over QA conditions: which fall overdue, which are due a reminder.

These only change rows and return ids; the daily task (`tasks.conditions_daily_task`) queues
the e-mails, so this module never imports the tasks that call it.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .choices import ConditionState
from .models import Condition


def _live_conditions():
    """Conditions of decisions that stand: a corrected decision's conditions were replaced."""
    return Condition.objects.select_for_update(of=("self",), skip_locked=True).filter(
        decision__superseded_by__isnull=True
    )


@transaction.atomic
def conditions_mark_overdue(*, today: datetime.date | None = None) -> list[int]:
    """Mark open conditions past their due date overdue; return their ids.

    A repeat the same day finds nothing left to mark, and rows another run holds are
    skipped, so two schedulers cannot mark or mail a condition twice.
    """
    today = today or timezone.localdate()
    ids = list(
        _live_conditions()
        .filter(state=ConditionState.OPEN, due_date__lt=today)
        .values_list("pk", flat=True)
    )
    if ids:
        Condition.objects.filter(pk__in=ids).update(
            state=ConditionState.OVERDUE, updated_at=timezone.now()
        )
    return ids


@transaction.atomic
def conditions_remind(*, today: datetime.date | None = None) -> list[int]:
    """Mark open conditions falling due soon as reminded, once; return their ids."""
    today = today or timezone.localdate()
    window = today + datetime.timedelta(days=settings.QA_CONDITION_REMINDER_DAYS)
    ids = list(
        _live_conditions()
        .filter(
            state=ConditionState.OPEN,
            reminded_at__isnull=True,
            due_date__gte=today,
            due_date__lte=window,
        )
        .values_list("pk", flat=True)
    )
    if ids:
        now = timezone.now()
        Condition.objects.filter(pk__in=ids).update(reminded_at=now, updated_at=now)
    return ids
