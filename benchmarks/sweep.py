"""The status-sweep benchmark: a local-rules register sweep over the loaded register, with a
chosen share of its live entries due to change (validity ended yesterday).

The live entries' status and validity are snapshotted once (``bench_sweep_base``) and put
back before and after each run, with earlier runs' sweeps, checks, status changes and change
events removed: runs are comparable, and the search benchmark can reuse the same database
afterwards. Putting back and preparing are not news: the change feed's trigger is off while
they write (as the load has it), and they touch only the entries that need it; the sweep
itself runs with every trigger on, as production does.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import connection

from changes.models import ChangeEvent, WebhookAttempt, WebhookDelivery
from credentials.models import Credential, CredentialStatusChange
from status_checks.choices import SweepScope
from status_checks.models import AlertSent, StatusCheck, StatusSweep
from status_checks.rules import LIVE_STATUSES
from status_checks.services import Transitions, status_sweep_run_inline, status_sweep_start

from .load import user_triggers_off

BASE_TABLE = "bench_sweep_base"

# changes/migrations: the trigger that writes an event per change to a public record.
CHANGE_FEED_CHANGED_TRIGGER = "changes_record_changed"


@dataclass
class SweepReport:
    live: int
    due_to_change: int
    checked: int
    changed: int
    seconds: float
    transitions: str

    @property
    def checks_per_second(self) -> float:
        return self.checked / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "checks_per_second": self.checks_per_second}


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@contextmanager
def _change_feed_off(cursor) -> Iterator[None]:
    """Write the benchmark's own set-up without a change event per entry it touches."""
    credentials = _table(Credential)
    cursor.execute(f"ALTER TABLE {credentials} DISABLE TRIGGER {CHANGE_FEED_CHANGED_TRIGGER}")
    try:
        yield
    finally:
        cursor.execute(f"ALTER TABLE {credentials} ENABLE TRIGGER {CHANGE_FEED_CHANGED_TRIGGER}")


def sweep_bench_restore() -> int:
    """Put the live entries back as loaded and drop every sweep's records; return how many
    live entries there are. The first call takes the snapshot."""
    credentials = _table(Credential)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [BASE_TABLE])
        if cursor.fetchone()[0] is None:
            cursor.execute(
                f"CREATE TABLE {BASE_TABLE} AS SELECT id, status, valid_to, status_changed_at"
                f" FROM {credentials} WHERE status = ANY(%s)",
                [[str(status) for status in LIVE_STATUSES]],
            )
            cursor.execute(f"ALTER TABLE {BASE_TABLE} ADD PRIMARY KEY (id)")
        # The loaded register has no change events, so none of their webhook deliveries.
        history = (
            AlertSent,
            StatusCheck,
            CredentialStatusChange,
            StatusSweep,
            ChangeEvent,
            WebhookDelivery,
        )
        tables = [_table(model) for model in (*history, WebhookAttempt)]
        with user_triggers_off(cursor, tables):
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        with _change_feed_off(cursor):
            cursor.execute(
                f"UPDATE {credentials} AS entry SET status = base.status,"
                " valid_to = base.valid_to, status_changed_at = base.status_changed_at"
                f" FROM {BASE_TABLE} AS base WHERE entry.id = base.id"
                " AND (entry.status, entry.valid_to, entry.status_changed_at)"
                " IS DISTINCT FROM (base.status, base.valid_to, base.status_changed_at)"
            )
        cursor.execute(f"SELECT count(*) FROM {BASE_TABLE}")
        return cursor.fetchone()[0]


def sweep_bench_prepare(*, changing: float, today: datetime.date) -> tuple[int, int]:
    """Restore the register, then make ``changing`` (0 to 1) of the live entries due to expire
    and the rest free of any validity finding; return (live entries, entries due to expire).

    The rest are left as loaded unless their validity would end or warn (it then runs for two
    more years): the same sweep, fewer rows to write and to put back."""
    live = sweep_bench_restore()
    credentials = _table(Credential)
    quiet_after = today + datetime.timedelta(days=max(settings.STATUS_CHECK_ALERT_WINDOWS))
    with connection.cursor() as cursor, _change_feed_off(cursor):
        # An even spread over ids, the same entries every run; no alert window is reached.
        cursor.execute(
            f"WITH prepared AS (SELECT entry.id, CASE"
            # (An entry whose validity starts later cannot have ended yesterday.)
            " WHEN (hashtext(entry.id::text) & 1023) < %(share)s"
            " AND coalesce(entry.valid_from <= %(ended)s, true) THEN %(ended)s::date"
            " WHEN entry.valid_to IS NULL OR entry.valid_to > %(quiet_after)s THEN entry.valid_to"
            " ELSE greatest(%(running)s::date, entry.valid_from) END AS valid_to"
            f" FROM {credentials} AS entry JOIN {BASE_TABLE} AS base ON entry.id = base.id)"
            f" UPDATE {credentials} AS entry SET valid_to = prepared.valid_to FROM prepared"
            " WHERE entry.id = prepared.id AND entry.valid_to IS DISTINCT FROM prepared.valid_to",
            {
                "share": round(changing * 1024),
                "ended": today - datetime.timedelta(days=1),
                "running": today + datetime.timedelta(days=730),
                "quiet_after": quiet_after,
            },
        )
        cursor.execute(
            f"SELECT count(*) FROM {credentials} AS entry JOIN {BASE_TABLE} USING (id)"
            " WHERE entry.valid_to < %s",
            [today],
        )
        (due,) = cursor.fetchone()
        cursor.execute(f"VACUUM ANALYZE {credentials}")
    return live, due


def sweep_bench_run(
    *,
    transitions: Transitions,
    today: datetime.date,
    live: int,
    due: int,
    say: Callable[[str], None] = lambda message: None,
) -> SweepReport:
    """Time one register sweep in this process (the management command's path), no e-mail."""
    sweep = status_sweep_start(scope=SweepScope.REGISTER, enqueue=False)
    say(f"Sweeping {live:,} live entries, {due:,} due to expire ({transitions} transitions)")
    started = time.perf_counter()
    result = status_sweep_run_inline(
        sweep=sweep, alert_delivery="none", today=today, transitions=transitions
    )
    seconds = time.perf_counter() - started
    return SweepReport(
        live=live,
        due_to_change=due,
        checked=result.checked,
        changed=result.changed,
        seconds=seconds,
        transitions=transitions,
    )
