"""QA conditions' history, and the daily pass over them: which fall overdue, which are due a
reminder.

Every change to a condition's state (and every reminder) is a ``ConditionEvent`` row written
in the same transaction as the change, by ``condition_event_record`` here. The daily
functions only change rows and return ids; the daily task (`tasks.conditions_daily_task`)
queues the e-mails, so this module never imports the tasks that call it.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.types import User

from .choices import ConditionEventKind, ConditionState
from .models import Condition, ConditionEvent


def condition_event_record(
    *,
    condition: Condition,
    kind: ConditionEventKind,
    from_state: str,
    actor: User | None,
    note: str = "",
    recorded_at: datetime.datetime | None = None,
    to_state: str | None = None,
) -> ConditionEvent:
    """Append what just happened to ``condition`` to its history.

    Call it inside the transaction that changed the condition; ``from_state`` is blank for
    the event that set it, and ``to_state`` is the condition's state now unless given (a
    loader writing a past history step by step).
    """
    return ConditionEvent.objects.create(
        condition=condition,
        kind=kind,
        from_state=from_state,
        to_state=to_state or condition.state,
        actor=actor,
        note=note,
        recorded_at=recorded_at or timezone.now(),
    )


def _record_daily(ids: Iterable[int], *, kind: ConditionEventKind, to_state: str) -> None:
    """The daily check's events: no actor, and the kind says what happened."""
    now = timezone.now()
    ConditionEvent.objects.bulk_create(
        ConditionEvent(
            condition_id=pk,
            kind=kind,
            from_state=ConditionState.OPEN,
            to_state=to_state,
            recorded_at=now,
        )
        for pk in ids
    )


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
        _record_daily(ids, kind=ConditionEventKind.OVERDUE, to_state=ConditionState.OVERDUE)
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
        _record_daily(ids, kind=ConditionEventKind.REMINDED, to_state=ConditionState.OPEN)
    return ids
