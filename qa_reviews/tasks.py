"""Celery tasks for QA reviews: thin wrappers that take ids and call services or notifiers.

`services` imports the notification tasks by name to queue them; these tasks import only
`notifications` and `conditions`, never `services`, so the graph stays one-way.

Every task is acknowledged late (global settings), so each must be safe to run twice: the
notifiers keep a sent mark and the condition services change each row once.
"""

from smtplib import SMTPException

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError, transaction

from .conditions import conditions_mark_overdue, conditions_remind
from .notifications import conditions_notify, review_assignment_notify, review_decision_notify

# A mail server or database briefly away is worth a retry; anything else is a bug to see.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, SMTPException, ConnectionError)

_MAIL_OPTIONS = {
    "ignore_result": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(name="qa_reviews.tasks.review_assignment_notify_task", bind=True, **_MAIL_OPTIONS)
def review_assignment_notify_task(self: Task, assignment_id: int) -> int:
    """E-mail a reviewer about a new assignment."""
    return review_assignment_notify(assignment_id=assignment_id)


@shared_task(name="qa_reviews.tasks.review_decision_notify_task", bind=True, **_MAIL_OPTIONS)
def review_decision_notify_task(self: Task, decision_id: int) -> int:
    """E-mail a provider's administrators about a decision on one of their records."""
    return review_decision_notify(decision_id=decision_id)


@shared_task(name="qa_reviews.tasks.conditions_notify_task", bind=True, **_MAIL_OPTIONS)
def conditions_notify_task(self: Task, condition_ids: list[int], kind: str) -> int:
    """E-mail providers' administrators about conditions falling due ("due") or "overdue"."""
    return conditions_notify(condition_ids=condition_ids, kind=kind)


@shared_task(
    name="qa_reviews.tasks.conditions_daily_task",
    bind=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=4,
)
def conditions_daily_task(self: Task) -> dict[str, int]:
    """Beat's daily pass: mark overdue conditions and remind of those falling due.

    Both passes change each row once, so a second beat or a redelivery sends nothing new.
    """
    overdue = conditions_mark_overdue()
    if overdue:
        transaction.on_commit(lambda: conditions_notify_task.delay(overdue, "overdue"))
    reminded = conditions_remind()
    if reminded:
        transaction.on_commit(lambda: conditions_notify_task.delay(reminded, "due"))
    return {"overdue": len(overdue), "reminded": len(reminded)}
