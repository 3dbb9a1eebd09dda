"""A local-rules chunk decided and written in the database, set-based.

For a chunk that asks no external register, `rules_sql` finds every local finding of every
entry in one statement; `chunk_moves` returns each entry's decisive transition, chosen as
`rules.decide` chooses it, and `chunk_write` applies the moves the caller accepted, writes their
history, the check rows with their findings and notices, in one more statement. The caller
(`sweeps.check_chunk`) holds the credentials' row locks, validates the moves and owns the
transaction, so the chunk's guarantees are those of the per-row path it stands in for.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection

from credentials.choices import CredentialStatus, StatusSource
from credentials.models import AccreditationRecord, Credential, CredentialStatusChange
from providers.models import Provider
from qa_reviews.models import Condition, Decision, Review

from .choices import CheckOutcome
from .models import StatusCheck
from .rules import LOCAL_SOURCE, TRANSITION_REFUSED, TRANSITION_REFUSED_KEY, FindingKind
from .rules_sql import FINDING_COLUMNS, allowed_transitions_sql, filled, finding_sql, literal


@dataclass(frozen=True)
class Move:
    """An entry's decisive local transition."""

    rule: str
    to_status: str
    message: str


@dataclass(frozen=True)
class WrittenCheck:
    id: int
    credential_id: int
    outcome: str
    notify: bool


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _entries_and_findings() -> str:
    """The CTEs ``entry`` (the chunk's credentials and their facts) and ``found``."""
    suspended = literal(CredentialStatus.SUSPENDED)
    findings = finding_sql(
        condition=_table(Condition),
        decision=_table(Decision),
        review=_table(Review),
        accreditation=_table(AccreditationRecord),
    )
    return (
        "entry AS (SELECT c.id, c.status, c.valid_to, c.teach_out_ends_on,"
        " p.status AS provider_status,"
        f" coalesce(latest.to_status = {suspended}"
        f" AND latest.source = {literal(StatusSource.STATUS_CHECK)}, false)"
        " AS suspended_by_check"
        f" FROM {_table(Credential)} AS c JOIN {_table(Provider)} AS p ON p.id = c.provider_id"
        # Only a suspended entry's latest transition matters (a check may lift its own).
        " LEFT JOIN LATERAL (SELECT h.to_status, h.source"
        f" FROM {_table(CredentialStatusChange)} AS h"
        f" WHERE h.credential_id = c.id AND c.status = {suspended}"
        " ORDER BY h.changed_at DESC, h.id DESC LIMIT 1) AS latest ON true"
        " WHERE c.id = ANY(%(ids)s::bigint[])),"
        f" found ({', '.join(FINDING_COLUMNS)}) AS ({findings})"
    )


def chunk_moves(*, ids: Sequence[int], today: date, windows: Sequence[int]) -> dict[int, Move]:
    """Each entry's decisive local transition: the most severe allowed, on a tie the first."""
    sql = (
        f"WITH {_entries_and_findings()}"
        " SELECT DISTINCT ON (f.credential_id) f.credential_id, f.rule, f.target_status, f.message"
        f" FROM found AS f JOIN {allowed_transitions_sql()}"
        " ON allowed.from_status = f.status AND allowed.to_status = f.target_status"
        f" WHERE f.kind = {literal(FindingKind.TRANSITION)}"
        " ORDER BY f.credential_id, allowed.severity DESC, f.ord"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": list(ids), "today": today, "windows": list(windows)})
        return {pk: Move(rule, target, message) for pk, rule, target, message in cursor.fetchall()}


def _finding_json() -> str:
    return (
        "jsonb_build_object('rule', t.rule, 'kind', t.kind, 'message', t.message)"
        " || jsonb_strip_nulls(jsonb_build_object("
        "'target_status', t.target_status, 'notify_key', t.notify_key))"
        " || t.data"
        " || CASE WHEN t.notified THEN jsonb_build_object('notified', true) ELSE '{}' END"
    )


def chunk_write(
    *,
    ids: Sequence[int],
    today: date,
    windows: Sequence[int],
    moves: Mapping[int, Move],
    refusals: Mapping[int, tuple[str, str]],
    unconfigured: Mapping[int, str],
    sweep_id: int | None,
    checked_at: datetime,
    now: datetime,
) -> list[WrittenCheck]:
    """Apply ``moves``, write their history and one local-rules check row per entry.

    ``refusals`` maps an entry to the status it could not move to and why (a flag, told once);
    ``unconfigured`` an entry to the register it names that has no URL configured.
    """
    flag, alert = literal(FindingKind.FLAG), literal(FindingKind.ALERT)
    refused_message = filled(TRANSITION_REFUSED, target_status="r.to_status", reason="r.reason")
    refused_key = filled(TRANSITION_REFUSED_KEY, target_status="r.to_status")
    checks = _table(StatusCheck)
    sql = f"""
WITH {_entries_and_findings()},
move AS (SELECT * FROM unnest(%(move_ids)s::bigint[], %(move_rules)s::text[],
    %(move_targets)s::text[], %(move_messages)s::text[]) AS m(id, rule, to_status, message)),
refusal AS (SELECT * FROM unnest(%(refused_ids)s::bigint[], %(refused_targets)s::text[],
    %(refused_reasons)s::text[]) AS r(id, to_status, reason)),
unconfigured AS (SELECT * FROM unnest(%(unconfigured_ids)s::bigint[],
    %(unconfigured_names)s::text[]) AS u(id, register)),
finding AS (
    SELECT * FROM found
    UNION ALL
    SELECT r.id, NULL, 99, 0, 'transition_refused', {flag}, {refused_message}, NULL, {refused_key},
        '{{}}'::jsonb
    FROM refusal AS r),
told AS (
    SELECT f.*, (m.id IS NOT NULL OR (f.kind IN ({flag}, {alert}) AND f.notify_key IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM {checks} AS earlier
            WHERE earlier.credential_id = f.credential_id
            AND earlier.detail -> 'notified' ? f.notify_key))) AS notified
    FROM finding AS f
    LEFT JOIN move AS m ON m.id = f.credential_id AND m.rule = f.rule
        AND f.kind = {literal(FindingKind.TRANSITION)}),
per_entry AS (
    SELECT e.id, e.status,
        coalesce(jsonb_agg({_finding_json()} ORDER BY t.ord, t.sub)
            FILTER (WHERE t.credential_id IS NOT NULL), '[]') AS findings,
        coalesce(bool_or(t.notified), false) AS notify,
        jsonb_agg(t.notify_key ORDER BY t.ord, t.sub)
            FILTER (WHERE t.notified AND t.notify_key IS NOT NULL) AS notified_keys,
        coalesce(bool_or(t.kind = {flag}), false) AS flagged,
        coalesce(bool_or(t.kind = {alert} AND t.notified), false) AS alerted
    FROM entry AS e LEFT JOIN told AS t ON t.credential_id = e.id
    GROUP BY e.id, e.status),
moved AS (
    UPDATE {_table(Credential)} AS c
    SET status = m.to_status, status_changed_at = %(now)s, updated_at = %(now)s
    FROM move AS m WHERE c.id = m.id),
history AS (
    INSERT INTO {_table(CredentialStatusChange)}
        (credential_id, from_status, to_status, changed_at, changed_by_id, source, reason)
    SELECT m.id, e.status, m.to_status, %(now)s, NULL, {literal(StatusSource.STATUS_CHECK)},
        m.message
    FROM move AS m JOIN entry AS e ON e.id = m.id),
written AS (
    INSERT INTO {checks}
        (credential_id, sweep_id, checked_at, source, outcome, previous_status, new_status,
         detail)
    SELECT p.id, %(sweep_id)s, %(checked_at)s, {literal(LOCAL_SOURCE)},
        CASE WHEN m.id IS NOT NULL THEN {literal(CheckOutcome.CHANGED)}
            WHEN p.flagged THEN {literal(CheckOutcome.FLAGGED)}
            WHEN p.alerted THEN {literal(CheckOutcome.ALERT)}
            ELSE {literal(CheckOutcome.UNCHANGED)} END,
        p.status, coalesce(m.to_status, p.status),
        jsonb_build_object('findings', p.findings)
        || CASE WHEN p.notify THEN jsonb_build_object('notify', true) ELSE '{{}}' END
        || CASE WHEN p.notified_keys IS NOT NULL
            THEN jsonb_build_object('notified', p.notified_keys) ELSE '{{}}' END
        || CASE WHEN u.register IS NOT NULL
            THEN jsonb_build_object('external_register_not_configured', u.register)
            ELSE '{{}}' END
    FROM per_entry AS p LEFT JOIN move AS m ON m.id = p.id
    LEFT JOIN unconfigured AS u ON u.id = p.id
    RETURNING id, credential_id, outcome, detail ? 'notify')
SELECT * FROM written
"""
    move_ids = sorted(moves)
    refused_ids = sorted(refusals)
    unconfigured_ids = sorted(unconfigured)
    params: dict[str, Any] = {
        "ids": list(ids),
        "today": today,
        "windows": list(windows),
        "move_ids": move_ids,
        "move_rules": [moves[pk].rule for pk in move_ids],
        "move_targets": [moves[pk].to_status for pk in move_ids],
        "move_messages": [moves[pk].message for pk in move_ids],
        "refused_ids": refused_ids,
        "refused_targets": [refusals[pk][0] for pk in refused_ids],
        "refused_reasons": [refusals[pk][1] for pk in refused_ids],
        "unconfigured_ids": unconfigured_ids,
        "unconfigured_names": [unconfigured[pk] for pk in unconfigured_ids],
        "sweep_id": sweep_id,
        "checked_at": checked_at,
        "now": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [WrittenCheck(*row) for row in cursor.fetchall()]
