"""Celery tasks for webhooks: thin, idempotent, late-acknowledged; the rows are the work.

``webhook_deliver_task`` queues its own retry after a failed attempt, with the delay the
delivery row records (exponential backoff with jitter); if that message is lost, the reaper
finds the row. Running any of these twice sends nothing twice.
"""

from celery import shared_task

from config.celery_tasks import CountedDeliveryTask

from .webhooks.services import (
    webhook_attempt,
    webhook_dispatch,
    webhook_paused_notify,
    webhook_reap,
)


@shared_task(name="changes.tasks.webhook_dispatch_task", base=CountedDeliveryTask)
def webhook_dispatch_task() -> int:
    return webhook_dispatch()


@shared_task(name="changes.tasks.webhook_deliver_task", base=CountedDeliveryTask)
def webhook_deliver_task(delivery_id: int) -> None:
    retry_in = webhook_attempt(delivery_id=int(delivery_id))
    if retry_in is not None:
        # A new message, not self.retry(): the delivery count of one message stays a count of
        # redeliveries (config.celery_tasks), and the row bounds the attempts.
        webhook_deliver_task.apply_async((delivery_id,), countdown=retry_in)


@shared_task(name="changes.tasks.webhook_reap_task", base=CountedDeliveryTask)
def webhook_reap_task() -> int:
    return webhook_reap()


@shared_task(name="changes.tasks.webhook_paused_notify_task", base=CountedDeliveryTask)
def webhook_paused_notify_task(subscription_id: int) -> bool:
    return webhook_paused_notify(subscription_id=int(subscription_id))
