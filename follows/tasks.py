"""Celery tasks for follows: thin, idempotent, late-acknowledged; the rows are the work."""

from celery import shared_task

from config.celery_tasks import CountedDeliveryTask

from .notifier import follow_digest_send, follow_digests_queue_due, follow_notify
from .services import follow_pending_expire


@shared_task(name="follows.tasks.follow_notify_task", base=CountedDeliveryTask)
def follow_notify_task() -> int:
    """Record new digests, then queue every digest still unsent (new ones and lost ones)."""
    written = follow_notify()
    follow_digests_queue_due()
    return written


@shared_task(name="follows.tasks.follow_digest_send_task", base=CountedDeliveryTask)
def follow_digest_send_task(digest_id: int) -> bool:
    return follow_digest_send(digest_id=int(digest_id))


@shared_task(name="follows.tasks.follow_expire_task", base=CountedDeliveryTask)
def follow_expire_task() -> int:
    return follow_pending_expire()
