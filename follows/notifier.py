"""Telling followers what changed: change events → notifications → one digest per address.

PostgreSQL is the record of work. ``follow_notify`` reads, for each active follow, the
change events after its cursor (``notified_through``) up to the feed's head, records a
``FollowNotification`` per relevant event (unique per follow and event) in one
``FollowDigest`` per address, and advances the cursors, all in one transaction. Sending is
separate (``follow_digest_send``): a digest is marked sent after its e-mail is handed over,
so a crash in between sends it again (at least once), but no event is ever recorded twice
for a follow.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from changes.choices import EventKind
from changes.feed import change_events, feed_head
from changes.models import ChangeEvent
from config.celery_app import app

from . import emails
from .choices import DigestState, FollowState
from .models import Follow, FollowDigest, FollowNotification
from .searches import search_matching_ids

NOTIFY_BATCH = 1000
SEND_TASK = "follows.tasks.follow_digest_send_task"
# Status, validity and (through content changes) quality marks; creation for a record that
# returns to the register, and for a search a new match.
TOLD_KINDS = (
    EventKind.CREATED,
    EventKind.STATUS_CHANGED,
    EventKind.VALIDITY_CHANGED,
    EventKind.CONTENT_CHANGED,
    EventKind.REMOVED,
)
TOLD_CONTENT_FIELDS = frozenset({"quality_marks"})

MatchCache = dict[tuple[str, int, int], set[int]]


def event_is_told(event: ChangeEvent) -> bool:
    """Whether followers hear of this event: content changes only for quality marks."""
    if event.kind == EventKind.CONTENT_CHANGED:
        return bool(TOLD_CONTENT_FIELDS & set(event.after))
    return event.kind in TOLD_KINDS


def _notifications_for(
    follow: Follow, head: int, matches: MatchCache
) -> tuple[list[FollowNotification], int]:
    """The follow's new notifications (digest unset) and the position it is weighed to."""
    events_qs = change_events(after=follow.notified_through).filter(
        id__lte=head, kind__in=TOLD_KINDS
    )
    if follow.credential_id:
        events_qs = events_qs.filter(credential_id=follow.credential_id)
    events = list(events_qs.only("id", "kind", "credential_id", "after")[:NOTIFY_BATCH])
    through = events[-1].pk if len(events) == NOTIFY_BATCH else head
    told = [event for event in events if event_is_told(event)]
    if not follow.credential_id:
        # Every follow of one search over one stretch of the feed shares one evaluation.
        cache_key = (follow.search_query, follow.notified_through, through)
        if cache_key not in matches:
            ids = {event.credential_id for event in told}
            matches[cache_key] = search_matching_ids(follow.search_query, ids)
        found = matches[cache_key]
        told = [event for event in told if event.credential_id in found]
    return [
        FollowNotification(
            follow=follow,
            event=event,
            new_match=not follow.credential_id and event.kind == EventKind.CREATED,
        )
        for event in told
    ], through


@transaction.atomic
def _notify_address(key: str, head: int, matches: MatchCache) -> FollowDigest | None:
    follows = list(
        Follow.objects.select_for_update(skip_locked=True)
        .filter(address_key=key, state=FollowState.ACTIVE, notified_through__lt=head)
        .order_by("-confirmed_at", "-id")
    )
    if not follows:
        return None
    items: list[FollowNotification] = []
    for follow in follows:
        found, follow.notified_through = _notifications_for(follow, head, matches)
        items.extend(found)
    Follow.objects.bulk_update(follows, ["notified_through"])
    if not items:
        return None
    # The language of the address's latest follow: how it last asked to be written to.
    digest = FollowDigest.objects.create(address_key=key, language=follows[0].language)
    for item in items:
        item.digest = digest
    FollowNotification.objects.bulk_create(items, ignore_conflicts=True)
    if not digest.notifications.exists():
        digest.delete()
        return None
    pk = digest.pk
    transaction.on_commit(lambda: _send_tasks([pk]))
    return digest


def follow_notify() -> int:
    """Record the notifications of every active follow up to the feed's head, one digest
    per address; return how many digests were written.

    The head is read first: every event up to it is visible (positions are handed out in
    commit order), so a cursor never passes an event it has not weighed.
    """
    head = feed_head()
    keys = (
        Follow.objects.filter(state=FollowState.ACTIVE, notified_through__lt=head)
        .order_by()
        .values_list("address_key", flat=True)
        .distinct()
    )
    matches: MatchCache = {}
    return sum(1 for key in list(keys) if _notify_address(key, head, matches) is not None)


def _send_tasks(digest_ids: Sequence[int]) -> None:
    # By name: follows.tasks imports this module, never the other way round.
    for pk in digest_ids:
        app.send_task(SEND_TASK, args=[pk])


def follow_digest_send(*, digest_id: int) -> bool:
    """Send one pending digest to its address; False if there was nothing to send.

    The row stays locked while the mail is handed over, so two workers never both send it.
    Notifications of follows unsubscribed since are left out.
    """
    with transaction.atomic():
        digest = (
            FollowDigest.objects.select_for_update(skip_locked=True)
            .filter(pk=digest_id, state=DigestState.PENDING)
            .first()
        )
        if digest is None:
            return False
        notifications = list(
            digest.notifications.filter(follow__state=FollowState.ACTIVE)
            .select_related("follow__credential", "event__credential")
            .order_by("follow_id", "event_id")
        )
        if not notifications:
            digest.state = DigestState.DROPPED
            digest.address_key = ""
            digest.save(update_fields=["state", "address_key"])
            return False
        emails.digest_send(digest, notifications)
        digest.state = DigestState.SENT
        digest.sent_at = timezone.now()
        # Its links are in the e-mail now; the row need not name the address any more.
        digest.address_key = ""
        digest.save(update_fields=["state", "sent_at", "address_key"])
    return True


def follow_digests_queue_due() -> int:
    """Queue a send for every digest still pending (a lost message, a failed send)."""
    due = list(
        FollowDigest.objects.filter(state=DigestState.PENDING)
        .order_by("created_at")
        .values_list("pk", flat=True)[:NOTIFY_BATCH]
    )
    _send_tasks(due)
    return len(due)
