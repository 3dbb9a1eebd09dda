"""The local rules of `rules` as SQL, for chunks decided set-based in the database.

Every piece comes from `rules`: the same message and notice-key templates, live statuses,
allowed transitions and severities; only each rule's condition is written a second time, here,
in the order `rules.decide` lists its findings. `tests/status_checks/test_set_based.py` checks
both paths against each other over a register that meets every rule, so neither can drift
alone.

``finding_sql`` selects one row a finding, with the columns of `FINDING_COLUMNS`, from a CTE
``entry`` (``id, status, valid_to, teach_out_ends_on, provider_status, suspended_by_check``)
and the parameters ``today`` (date) and ``windows`` (the alert windows, int[]).
"""

from collections.abc import Iterable
from string import Formatter

from credentials.choices import AccreditationStatus, CredentialStatus
from providers.choices import ProviderStatus
from qa_reviews.choices import ConditionState

from .rules import (
    ACCREDITATION_LAPSED,
    ACCREDITATION_LAPSED_KEY,
    ALLOWED_TRANSITIONS,
    CONDITION_OVERDUE,
    CONDITION_OVERDUE_KEY,
    LIVE_STATUSES,
    PROVIDER_NOT_ACTIVE,
    PROVIDER_REINSTATED,
    SEVERITY,
    TEACH_OUT_ENDED,
    VALIDITY_ENDED,
    VALIDITY_ENDING,
    VALIDITY_ENDING_KEY,
    FindingKind,
)

# `status` is the entry's, `ord` the finding's place in `decide`'s list (a tie on severity names
# the first), `sub` its place among its rule's own findings (conditions by due date).
FINDING_COLUMNS = (
    "credential_id",
    "status",
    "ord",
    "sub",
    "rule",
    "kind",
    "message",
    "target_status",
    "notify_key",
    "data",
)


def literal(value: str) -> str:
    """A SQL string literal, safe inside a statement run with named parameters."""
    return "'" + value.replace("'", "''").replace("%", "%%") + "'"


def in_list(values: Iterable[object]) -> str:
    """A SQL list of string literals, for ``IN``."""
    return "(" + ", ".join(literal(str(value)) for value in values) + ")"


def filled(template: str, **expressions: str) -> str:
    """A rules template as a SQL text expression, each placeholder replaced by SQL."""
    parts = []
    for text, name, _spec, _conversion in Formatter().parse(template):
        if text:
            parts.append(literal(text))
        if name is not None:
            parts.append(f"({expressions[name]})::text")
    return "concat(" + ", ".join(parts) + ")"


def iso(expression: str) -> str:
    """A SQL date expression as ISO text, as ``date.isoformat`` writes it."""
    return f"to_char({expression}, 'YYYY-MM-DD')"


LIVE = in_list(LIVE_STATUSES)
_DAYS_LEFT = "(e.valid_to - %(today)s::date)"
_WINDOW = f"(SELECT min(w) FROM unnest(%(windows)s::int[]) AS w WHERE {_DAYS_LEFT} <= w)"


def _finding(
    *,
    ord: int,
    rule: str,
    kind: FindingKind,
    message: str,
    where: str,
    target: str | None = None,
    key: str | None = None,
    data: str = "'{}'::jsonb",
    source: str = "entry AS e",
    sub: str = "0",
) -> str:
    target_sql, key_sql = target or "NULL::text", key or "NULL::text"
    return (
        f"SELECT e.id, e.status, {ord}, {sub}, {rule}, {literal(kind)}, {message}, {target_sql},"
        f" {key_sql}, {data} FROM {source} WHERE {where}"
    )


def finding_sql(*, condition: str, decision: str, review: str, accreditation: str) -> str:
    """Every local finding of the chunk's entries; the arguments are the tables' names."""
    live = f"e.status IN {LIVE}"
    in_force = (
        f"a.status = {literal(AccreditationStatus.CURRENT)}"
        " AND (a.valid_from IS NULL OR a.valid_from <= %(today)s::date)"
        " AND (a.valid_to IS NULL OR a.valid_to >= %(today)s::date)"
    )
    lapsed = (
        f"(a.status IN {in_list([AccreditationStatus.LAPSED, AccreditationStatus.WITHDRAWN])}"
        " OR a.valid_to < %(today)s::date)"
    )
    latest_lapsed = (
        f"entry AS e CROSS JOIN LATERAL (SELECT a.id, a.accreditor, a.status, a.valid_to"
        f" FROM {accreditation} AS a WHERE a.credential_id = e.id AND {lapsed}"
        " ORDER BY a.valid_to DESC NULLS LAST, a.id DESC LIMIT 1) AS gone"
    )
    overdue = (
        f"entry AS e JOIN {review} AS r ON r.credential_id = e.id"
        f" JOIN {decision} AS d ON d.review_id = r.id"
        f" JOIN {condition} AS c ON c.decision_id = d.id"
    )
    rules = [
        _finding(
            ord=1,
            rule=literal("validity_ended"),
            kind=FindingKind.TRANSITION,
            message=filled(VALIDITY_ENDED, valid_to=iso("e.valid_to")),
            target=literal(CredentialStatus.EXPIRED),
            data="jsonb_build_object('valid_to', to_char(e.valid_to, 'YYYY-MM-DD'))",
            where=f"{live} AND e.valid_to < %(today)s::date",
        ),
        _finding(
            ord=1,
            rule=literal("validity_ending"),
            kind=FindingKind.ALERT,
            message=filled(
                VALIDITY_ENDING, valid_to=iso("e.valid_to"), days_left=_DAYS_LEFT, window=_WINDOW
            ),
            key=filled(VALIDITY_ENDING_KEY, window=_WINDOW, valid_to=iso("e.valid_to")),
            data=(
                f"jsonb_build_object('window', {_WINDOW}, 'days_left', {_DAYS_LEFT},"
                f" 'valid_to', {iso('e.valid_to')})"
            ),
            where=f"{live} AND e.valid_to >= %(today)s::date AND {_WINDOW} IS NOT NULL",
        ),
        _finding(
            ord=2,
            rule=literal("teach_out_ended"),
            kind=FindingKind.TRANSITION,
            message=filled(TEACH_OUT_ENDED, teach_out_ends_on=iso("e.teach_out_ends_on")),
            target=literal(CredentialStatus.EXPIRED),
            data=f"jsonb_build_object('teach_out_ends_on', {iso('e.teach_out_ends_on')})",
            where=(
                f"{live} AND e.status IN "
                f"{in_list([CredentialStatus.TEACH_OUT, CredentialStatus.SUSPENDED])}"
                " AND e.teach_out_ends_on < %(today)s::date"
            ),
        ),
        _finding(
            ord=3,
            rule="'provider_' || e.provider_status",
            kind=FindingKind.TRANSITION,
            message=filled(PROVIDER_NOT_ACTIVE, provider_status="e.provider_status"),
            target=literal(CredentialStatus.SUSPENDED),
            where=(
                f"{live} AND e.provider_status IN "
                f"{in_list([ProviderStatus.SUSPENDED, ProviderStatus.CLOSED])}"
            ),
        ),
        _finding(
            ord=4,
            sub="row_number() OVER (PARTITION BY e.id ORDER BY c.due_date, c.id)",
            rule=literal("condition_overdue"),
            kind=FindingKind.FLAG,
            message=filled(CONDITION_OVERDUE, due_date=iso("c.due_date")),
            key=filled(CONDITION_OVERDUE_KEY, condition_id="c.id"),
            data=f"jsonb_build_object('condition_id', c.id, 'due_date', {iso('c.due_date')})",
            source=overdue,
            # Conditions of a superseded decision were replaced by the correcting one's own.
            where=(
                f"{live} AND NOT EXISTS (SELECT 1 FROM {decision} AS later"
                " WHERE later.supersedes_id = d.id)"
                f" AND (c.state = {literal(ConditionState.OVERDUE)}"
                f" OR (c.state = {literal(ConditionState.OPEN)}"
                " AND c.due_date < %(today)s::date))"
            ),
        ),
        _finding(
            ord=5,
            rule=literal("accreditation_lapsed"),
            kind=FindingKind.FLAG,
            message=filled(
                ACCREDITATION_LAPSED,
                accreditor="gone.accreditor",
                status="gone.status",
                valid_to=f"coalesce({iso('gone.valid_to')}, 'unknown')",
            ),
            key=filled(ACCREDITATION_LAPSED_KEY, accreditation_id="gone.id"),
            data="jsonb_build_object('accreditation_id', gone.id)",
            source=latest_lapsed,
            where=(
                f"{live} AND NOT EXISTS (SELECT 1 FROM {accreditation} AS a"
                f" WHERE a.credential_id = e.id AND {in_force})"
            ),
        ),
        # `decide` lifts a suspension only when no finding still calls for it; locally only
        # the provider's status suspends, and it is active here, so none can.
        _finding(
            ord=6,
            rule=literal("provider_reinstated"),
            kind=FindingKind.TRANSITION,
            message=literal(PROVIDER_REINSTATED),
            # An entry suspended from teach-out goes back to teach-out, not back on offer.
            target=(
                f"CASE WHEN e.teach_out_ends_on IS NOT NULL"
                f" THEN {literal(CredentialStatus.TEACH_OUT)}"
                f" ELSE {literal(CredentialStatus.REGISTERED)} END"
            ),
            where=(
                f"e.status = {literal(CredentialStatus.SUSPENDED)} AND e.suspended_by_check"
                f" AND e.provider_status = {literal(ProviderStatus.ACTIVE)}"
            ),
        ),
    ]
    return "\nUNION ALL\n".join(rules)


def allowed_transitions_sql() -> str:
    """`rules.ALLOWED_TRANSITIONS` with `rules.SEVERITY`, as a table to join."""
    rows = ", ".join(
        f"({literal(source)}, {literal(target)}, {SEVERITY[target]})"
        for source, targets in ALLOWED_TRANSITIONS.items()
        for target in sorted(targets)
    )
    return f"(VALUES {rows}) AS allowed(from_status, to_status, severity)"
