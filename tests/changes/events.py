"""Helpers for tests of the change feed.

Events are written by deferred triggers when a transaction commits; a test that runs inside
one rolled-back transaction fires them with ``fire_event_triggers`` instead.
"""

from django.db import connection

from changes.models import ChangeEvent

EVENT_TRIGGERS = "changes_record_created, changes_record_changed"


def fire_event_triggers() -> None:
    """Write the events of the changes made so far, as a commit would."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {EVENT_TRIGGERS} IMMEDIATE")
        cursor.execute(f"SET CONSTRAINTS {EVENT_TRIGGERS} DEFERRED")


def events_of(credential) -> list[tuple[str, dict | None, dict]]:
    fire_event_triggers()
    return [
        (event.kind, event.before, event.after)
        for event in ChangeEvent.objects.filter(credential=credential).order_by("id")
    ]
