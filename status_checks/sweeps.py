"""The work of a status sweep: record it, fix what it covers, check chunks of credentials.

Nothing here queues a task: `status_checks.tasks` calls these functions and queues what comes
next, and `status_checks.services` (the entry points views, admin and the API use) queues the
first task. That keeps the import graph one-way: services -> tasks -> sweeps.

A chunk is checked in one transaction: its credentials are locked, those this sweep already
checked are skipped, and every transition is written with its StatusCheck row and the sweep's
progress. A redelivered or duplicated chunk therefore finds its work done and records nothing
twice. Registers are asked before the transaction opens, so slow HTTP never holds row locks.
"""

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from typing import Literal, NamedTuple, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import connection, transaction
from django.db.models import CharField, Exists, F, Field, OuterRef, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest
from django.utils import timezone

from config.types import User
from credentials.choices import CredentialStatus, StatusSource
from credentials.models import AccreditationRecord, Credential, CredentialStatusChange
from credentials.search.cache import search_cache_invalidate_on_change
from credentials.services import credential_change_status
from providers.models import Provider
from qa_reviews.choices import ConditionState
from qa_reviews.models import Condition

from .adapters import RegisterAnswer, get_adapter
from .choices import SweepScope, SweepState
from .models import StatusCheck, StatusSweep, StatusSweepChunk
from .rules import (
    LIVE_STATUSES,
    LOCAL_SOURCE,
    AccreditationFact,
    ConditionFact,
    CredentialFacts,
    ExternalFact,
    Finding,
    Verdict,
    decide,
)
from .set_based import chunk_moves, chunk_write

logger = logging.getLogger(__name__)

# Any constant works as long as nothing else in the database uses it for an advisory lock.
DAILY_SWEEP_LOCK_KEY = 0x5354_4154_5553  # "STATUS"

# How a chunk applies its transitions (see `check_chunk`).
Transitions = Literal["bulk", "each"]


class _Entry(NamedTuple):
    """The few columns of a credential the rules read: tuples, not model instances, for speed."""

    pk: int
    registration_number: str
    status: str
    valid_to: date | None
    teach_out_ends_on: date | None
    external_register: str
    external_status: str
    provider_status: str


def _id_set(ids: Iterable[int]) -> RawSQL:
    """``IN`` over one array literal: quoting a thousand separate parameters costs more than
    checking the whole chunk."""
    literal = "{" + ",".join(str(int(pk)) for pk in ids) + "}"
    return RawSQL("SELECT unnest(%s::bigint[])", (literal,))


class _CheckRow(NamedTuple):
    credential_id: int
    sweep_id: int | None
    checked_at: datetime
    source: str
    outcome: str
    previous_status: str
    new_status: str
    detail: dict


def _insert_checks(rows: Sequence[_CheckRow]) -> None:
    """Write check rows with COPY: a sweep writes one per credential per source, and the ORM's
    per-value preparation would cost more than the checks themselves.

    COPY has no ON CONFLICT; none can arise, because the chunk holds its credentials' row locks
    and skipped those already checked in this sweep. Should one arise anyway, the unique
    constraint fails the whole chunk loudly rather than letting progress be miscounted.
    """
    if not rows:
        return
    columns = ", ".join(
        connection.ops.quote_name(cast(Field, StatusCheck._meta.get_field(name)).column)
        for name in _CheckRow._fields
    )
    table = connection.ops.quote_name(StatusCheck._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row[:-1], json.dumps(row.detail, cls=DjangoJSONEncoder)))


@dataclass
class ChunkResult:
    """What one chunk did, for the command's summary and the tests."""

    checked: int = 0
    changed: int = 0
    skipped: int = 0
    outcomes: Counter = field(default_factory=Counter)
    changes: list[tuple[str, str, str, str]] = field(default_factory=list)
    checked_at: datetime | None = None
    alert_check_ids: list[int] = field(default_factory=list)

    def add(self, other: "ChunkResult") -> None:
        self.checked += other.checked
        self.changed += other.changed
        self.skipped += other.skipped
        self.outcomes.update(other.outcomes)
        self.changes += other.changes
        self.alert_check_ids += other.alert_check_ids


def sweep_scope_queryset(sweep: StatusSweep) -> QuerySet[Credential]:
    """The credentials a sweep covers: live entries in its scope, or the one credential asked."""
    if sweep.scope == SweepScope.CREDENTIAL:
        return Credential.objects.filter(pk=sweep.credential_id)  # type: ignore[misc]  # set for this scope
    live = Credential.objects.filter(status__in=LIVE_STATUSES)
    if sweep.scope == SweepScope.PROVIDER:
        return live.filter(provider_id=sweep.provider_id)  # type: ignore[misc]  # set for this scope
    return live


@transaction.atomic
def sweep_create(
    *,
    scope: SweepScope,
    provider: Provider | None = None,
    credential: Credential | None = None,
    requested_by: User | None = None,
) -> StatusSweep:
    """Record a sweep request (``services.status_sweep_start`` checks it against its scope)."""
    sweep = StatusSweep(
        scope=scope, provider=provider, credential=credential, requested_by=requested_by
    )
    sweep.full_clean()
    sweep.save()
    return sweep


def sweep_create_scheduled() -> StatusSweep | None:
    """Record today's register sweep unless one already exists; safe with two beats running.

    The advisory lock makes concurrent callers take turns; the second then sees the first's
    committed sweep and starts nothing.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [DAILY_SWEEP_LOCK_KEY])
            (locked,) = cursor.fetchone()
        if not locked:
            logger.info("Daily status sweep already being started elsewhere; skipping.")
            return None
        midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
        already = (
            StatusSweep.objects.filter(scope=SweepScope.REGISTER, requested_at__gte=midnight)
            .exclude(state=SweepState.FAILED)
            .exists()
        )
        if already:
            logger.info("The register was already swept today; skipping.")
            return None
        return sweep_create(scope=SweepScope.REGISTER)


def sweep_plan(*, sweep_id: int, chunk_size: int | None = None) -> list[list[int]]:
    """Fix the set of credentials a sweep checks, set its total, and cut it into chunks.

    The chunks are recorded (StatusSweepChunk) in the same transaction, so the database, not
    the broker, knows what is left. Running it again (a redelivered dispatch, or the reaper)
    returns only the credentials of unfinished chunks that the sweep has not checked yet.
    """
    size = chunk_size or settings.STATUS_CHECK_CHUNK_SIZE
    with transaction.atomic():
        sweep = StatusSweep.objects.select_for_update().get(pk=sweep_id)
        if sweep.state in (SweepState.FINISHED, SweepState.FAILED):
            return []
        now = timezone.now()
        if sweep.chunks.exists():
            pending = sweep_unfinished_chunks(sweep_id)
        else:
            # Checks already recorded count: a sweep planned before chunks were recorded.
            done = StatusCheck.objects.filter(sweep_id=sweep.pk, credential_id=OuterRef("pk"))
            ids = list(
                sweep_scope_queryset(sweep)
                .exclude(Exists(done))
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            pending = [ids[i : i + size] for i in range(0, len(ids), size)]
            StatusSweepChunk.objects.bulk_create(
                StatusSweepChunk(
                    sweep=sweep,
                    number=number,
                    credential_ids=chunk,
                    first_id=chunk[0],
                    last_id=chunk[-1],
                )
                for number, chunk in enumerate(pending)
            )
            sweep.total = sweep.checked + len(ids)
        sweep.started_at = sweep.started_at or now
        sweep.progressed_at = now
        sweep.state = SweepState.RUNNING if pending else SweepState.FINISHED
        if not pending:
            sweep.finished_at = now
        sweep.save(update_fields=["total", "started_at", "progressed_at", "state", "finished_at"])
        return pending


def sweep_unfinished_chunks(sweep_id: int) -> list[list[int]]:
    """The credentials of a sweep's unfinished chunks not checked yet, chunk by chunk.

    A chunk left with nothing to check (its work committed, or its credentials deleted) is
    marked finished here instead of being sent again.
    """
    done = StatusCheck.objects.filter(sweep_id=sweep_id, credential_id=OuterRef("pk"))
    pending = []
    for chunk in StatusSweepChunk.objects.filter(sweep_id=sweep_id, finished_at__isnull=True):
        left = list(
            Credential.objects.filter(pk__in=_id_set(chunk.credential_ids))
            .exclude(Exists(done))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if left:
            pending.append(left)
        else:
            StatusSweepChunk.objects.filter(pk=chunk.pk).update(finished_at=timezone.now())
    return pending


def status_sweep_fail(*, sweep_id: int, reason: str) -> None:
    """Mark a sweep failed with its reason, e.g. when one of its chunks keeps killing workers."""
    logger.error("Status sweep %s failed: %s", sweep_id, reason)
    StatusSweep.objects.filter(
        pk=sweep_id, state__in=[SweepState.QUEUED, SweepState.RUNNING]
    ).update(state=SweepState.FAILED, finished_at=timezone.now(), failure_reason=reason)


def check_chunk(
    *,
    sweep_id: int | None,
    credential_ids: Sequence[int],
    today: date | None = None,
    transitions: Transitions = "bulk",
) -> ChunkResult:
    """Check a chunk of credentials: decide each, apply transitions, record every check.

    ``transitions="bulk"`` (sweeps) writes the chunk's status changes and their history in a
    few set-based statements; ``"each"`` (a one-credential check) moves each credential
    through ``credential_change_status`` with the model's full validation. Both record the
    same rows. The checks that call for an e-mail are in the result's ``alert_check_ids``;
    the caller sends or queues those alerts once the chunk has committed.
    """
    today = today or timezone.localdate()
    ids = sorted(set(credential_ids))
    external = _ask_registers(sweep_id, ids)
    result = ChunkResult(checked_at=timezone.now())
    with transaction.atomic():
        # Locked in id order: overlapping sweeps (daily and on-demand) cannot deadlock, and a
        # duplicate delivery of this chunk waits here, then finds the work done.
        credentials = [
            _Entry(*row)
            for row in Credential.objects.filter(pk__in=_id_set(ids))
            .order_by("pk")
            .select_for_update(of=("self",))
            .values_list(*_Entry._fields[:-1], "provider__status")
        ]
        done: set[int] = set()
        if sweep_id is not None:
            done = set(
                StatusCheck.objects.filter(sweep_id=sweep_id, credential_id__in=_id_set(ids))
                .values_list("credential_id", flat=True)
                .distinct()
            )
        todo = [c for c in credentials if c.pk not in done]
        result.skipped = len(done)
        result.checked = len(todo)
        asked = any(isinstance(external.get(c.pk), ExternalFact) for c in todo)
        if transitions == "bulk" and not asked:
            _check_in_sql(todo, external, sweep_id, today, result)
        else:
            _check_in_python(todo, external, sweep_id, today, transitions, result)

        if sweep_id is not None:
            # A credential deleted since dispatch can never be checked; it leaves the total once,
            # on the chunk's first (and only committed) run.
            dropped = 0 if done else len(ids) - len(credentials)
            _advance_sweep(sweep_id, checked=len(todo), changed=result.changed, dropped=dropped)
            _finish_chunks(sweep_id, ids)
    return result


def _check_in_python(
    todo: Sequence[_Entry],
    external: dict[int, ExternalFact | str],
    sweep_id: int | None,
    today: date,
    transitions: Transitions,
    result: ChunkResult,
) -> None:
    """Decide each credential with `rules.decide` and write what it says (registers asked)."""
    facts = _gather_facts(todo, external)
    verdicts = {
        c.pk: decide(facts[c.pk], today=today, alert_windows=settings.STATUS_CHECK_ALERT_WINDOWS)
        for c in todo
    }
    # A move may yet be refused, and its refusal is told once too.
    history = _notified_before(
        [pk for pk, v in verdicts.items() if v.notice_keys or v.changes_status]
    )
    if transitions == "bulk":
        verdicts = _apply_transitions_in_bulk(todo, verdicts)

    rows: list[_CheckRow] = []
    for credential in todo:
        verdict = verdicts[credential.pk]
        if transitions == "each" and verdict.changes_status:
            verdict = _apply_transition(credential, verdict)
        if verdict.changes_status:
            result.changed += 1
            result.changes.append(
                (
                    credential.registration_number,
                    verdict.previous_status,
                    verdict.new_status,
                    verdict.decisive.message if verdict.decisive else "",
                )
            )
        notices = verdict.notices(history.get(credential.pk, set()))
        rows += _check_rows(
            credential,
            verdict,
            notices,
            sweep_id,
            external,
            result.checked_at,  # type: ignore[arg-type]  # stamped when the chunk began
        )
    _mirror_external_status(todo, external)
    _insert_checks(rows)
    result.outcomes.update(row.outcome for row in rows)
    alerted = [row.credential_id for row in rows if row.detail.get("notify")]
    if alerted:
        result.alert_check_ids = list(
            StatusCheck.objects.filter(
                credential_id__in=_id_set(alerted),
                sweep_id=sweep_id,
                checked_at=result.checked_at,  # type: ignore[misc]  # stamped when the chunk began
                detail__has_key="notify",
            ).values_list("pk", flat=True)
        )


def _check_in_sql(
    todo: Sequence[_Entry],
    external: dict[int, ExternalFact | str],
    sweep_id: int | None,
    today: date,
    result: ChunkResult,
) -> None:
    """Decide and write the local rules set-based (`set_based`): no register was asked."""
    ids = [c.pk for c in todo]
    if not ids:
        return
    with connection.cursor() as cursor:
        # The chunk's two statements run in tens of milliseconds, but their cost estimates grow
        # with the history tables until PostgreSQL's JIT compiles them, which took ~0.4 s each.
        cursor.execute("SET LOCAL jit = off")
    windows = settings.STATUS_CHECK_ALERT_WINDOWS
    moves = chunk_moves(ids=ids, today=today, windows=windows)
    reasons = _refusals({pk: move.to_status for pk, move in moves.items()})
    refusals = {pk: (moves.pop(pk).to_status, reason) for pk, reason in reasons.items()}
    written = chunk_write(
        ids=ids,
        today=today,
        windows=windows,
        moves=moves,
        refusals=refusals,
        unconfigured={pk: name for pk, name in external.items() if isinstance(name, str)},
        sweep_id=sweep_id,
        checked_at=result.checked_at,  # type: ignore[arg-type]  # stamped when the chunk began
        now=timezone.now(),
    )
    if moves:
        # What each credential's post_save would do, once for the chunk.
        search_cache_invalidate_on_change()
    entries = {c.pk: c for c in todo}
    result.changed = len(moves)
    result.changes = [
        (entries[pk].registration_number, entries[pk].status, move.to_status, move.message)
        for pk, move in sorted(moves.items())
    ]
    result.outcomes.update(check.outcome for check in written)
    result.alert_check_ids = [check.id for check in written if check.notify]


def _ask_registers(sweep_id: int | None, ids: Sequence[int]) -> dict[int, ExternalFact | str]:
    """Ask each external register about the chunk's credentials that carry a reference.

    Values are ExternalFact, or the register's name when it has no URL configured.
    """
    referenced = list(
        Credential.objects.filter(pk__in=_id_set(ids))
        .exclude(external_register="")
        .values_list("pk", "external_register", "registration_number")
    )
    if referenced and sweep_id is not None:
        # No HTTP for credentials a previous delivery of this chunk already recorded.
        done = set(
            StatusCheck.objects.filter(
                sweep_id=sweep_id, credential_id__in=_id_set(pk for pk, _, _ in referenced)
            ).values_list("credential_id", flat=True)
        )
        referenced = [row for row in referenced if row[0] not in done]
    by_source: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, source, number in referenced:
        by_source[source].append((pk, number))

    facts: dict[int, ExternalFact | str] = {}
    for source, items in by_source.items():
        adapter = get_adapter(source)
        if adapter is None:
            facts.update({pk: source for pk, _ in items})
            continue
        with adapter:
            answers = adapter.lookup([number for _, number in items])
        for pk, number in items:
            answer = answers.get(number) or RegisterAnswer(unavailable_reason="no answer")
            facts[pk] = ExternalFact(
                source=source, register_name=adapter.display_name, answer=answer
            )
    return facts


def _gather_facts(
    credentials: Sequence[_Entry], external: dict[int, ExternalFact | str]
) -> dict[int, CredentialFacts]:
    """Load every fact the rules need for a chunk in a few queries."""
    live_ids = [c.pk for c in credentials if c.status in LIVE_STATUSES]
    suspended_ids = [c.pk for c in credentials if c.status == CredentialStatus.SUSPENDED]
    suspended_by_check: set[int] = set()
    if suspended_ids:
        latest = (
            CredentialStatusChange.objects.filter(credential_id__in=_id_set(suspended_ids))
            .order_by("credential_id", "-changed_at", "-pk")
            .distinct("credential_id")
            .values_list("credential_id", "to_status", "source")
        )
        suspended_by_check = {
            pk
            for pk, to_status, source in latest
            if to_status == CredentialStatus.SUSPENDED and source == StatusSource.STATUS_CHECK
        }
    conditions: dict[int, list[ConditionFact]] = defaultdict(list)
    accreditations: dict[int, list[AccreditationFact]] = defaultdict(list)
    if live_ids:
        # Conditions of a superseded decision were replaced by the correcting decision's own.
        open_conditions = (
            Condition.objects.filter(
                decision__review__credential_id__in=_id_set(live_ids),
                decision__superseded_by__isnull=True,
            )
            .exclude(state=ConditionState.MET)
            .values_list("decision__review__credential_id", "id", "due_date", "state")
        )
        for credential_id, pk, due_date, state in open_conditions:
            conditions[credential_id].append(ConditionFact(id=pk, due_date=due_date, state=state))
        records = AccreditationRecord.objects.filter(
            credential_id__in=_id_set(live_ids)
        ).values_list("credential_id", "id", "accreditor", "status", "valid_from", "valid_to")
        for credential_id, pk, accreditor, status, valid_from, valid_to in records:
            accreditations[credential_id].append(
                AccreditationFact(
                    id=pk,
                    accreditor=accreditor,
                    status=status,
                    valid_from=valid_from,
                    valid_to=valid_to,
                )
            )
    facts = {}
    for credential in credentials:
        asked = external.get(credential.pk)
        facts[credential.pk] = CredentialFacts(
            status=credential.status,
            valid_to=credential.valid_to,
            teach_out_ends_on=credential.teach_out_ends_on,
            provider_status=credential.provider_status,
            conditions=tuple(conditions.get(credential.pk, ())),
            accreditations=tuple(accreditations.get(credential.pk, ())),
            external=asked if isinstance(asked, ExternalFact) else None,
            suspended_by_check=credential.pk in suspended_by_check,
        )
    return facts


def _notified_before(wanted: Sequence[int]) -> dict[int, set[str]]:
    """Notice keys already sent for these credentials, so each alert goes out once."""
    sent: dict[int, set[str]] = defaultdict(set)
    if not wanted:
        return sent
    previous = StatusCheck.objects.filter(
        credential_id__in=_id_set(wanted), detail__has_key="notified"
    ).values_list("credential_id", "detail__notified")
    for credential_id, keys in previous:
        sent[credential_id].update(keys or ())
    return sent


def _apply_transition(entry: _Entry, verdict: Verdict) -> Verdict:
    """Move the credential through the one status service; a refusal becomes a flag."""
    finding = verdict.decisive
    assert finding is not None
    try:
        credential_change_status(
            credential=Credential(pk=entry.pk, status=entry.status),
            to_status=CredentialStatus(finding.target_status),
            source=_transition_source(finding),
            reason=finding.message,
        )
    except ValidationError as exc:
        return verdict.refused("; ".join(exc.messages))
    return verdict


def _transition_source(finding: Finding) -> StatusSource:
    if finding.source == LOCAL_SOURCE:
        return StatusSource.STATUS_CHECK
    return StatusSource.EXTERNAL_REGISTER


def _registered_needs() -> str:
    """The message of the one check constraint a status move can break (registered entries
    need a level and a validity start), as the model's validation words it."""
    (constraint,) = (
        c
        for c in Credential._meta.constraints
        if c.name.endswith("registered_has_level_and_validity")
    )
    return constraint.get_violation_error_message()


@cache
def _validated_fields() -> tuple[Field, ...]:
    """The credential fields whose validation in full_clean (the one-at-a-time path) could
    reject a stored row, in model order.

    The rest cannot: their types, lengths, ranges, NOT NULL and foreign keys are the database's
    own constraints, which every stored row already meets (and a foreign key's validation would
    cost a query each). Left are choices, non-blank text, and validators such as URLs'.
    ``registration_number`` and ``search_document`` are excluded there too.
    """
    enforced = (MaxLengthValidator, MinValueValidator, MaxValueValidator)

    def may_fail(model_field: Field) -> bool:
        if model_field.is_relation or model_field.name in (
            "registration_number",
            "search_document",
        ):
            return False
        own = [v for v in model_field.validators if not isinstance(v, enforced)]
        blank_text = not model_field.blank and isinstance(model_field, CharField | TextField)
        return bool(model_field.choices or own or blank_text)

    return tuple(f for f in Credential._meta.concrete_fields if may_fail(f))


def _field_errors(values: Sequence, *, status: str, known: dict) -> list[str]:
    """What ``Model.clean_fields`` would say about a credential with these stored values of
    `_validated_fields` and the new status, without building the model instance.

    ``known`` remembers each (field, value) verdict: a chunk repeats the same kinds, modes and
    statuses on most of its rows."""
    messages: list[str] = []
    for model_field, raw in zip(_validated_fields(), values, strict=True):
        value = status if model_field.attname == "status" else raw
        if model_field.blank and value in model_field.empty_values:
            continue
        if (model_field.attname, value) not in known:
            try:
                model_field.clean(value, None)
                known[model_field.attname, value] = []
            except ValidationError as exc:
                known[model_field.attname, value] = exc.messages
        messages += known[model_field.attname, value]
    return messages


def _refusals(targets: dict[int, str]) -> dict[int, str]:
    """Why each of these moves (credential id -> new status) would be refused, if it would.

    The reasons full_clean gives on the one-at-a-time path: the moving entries' fields are
    validated in Python, and the one check constraint a status can break (registered needs a
    level and a validity start) is tested here; the other constraints hold for every stored
    row already.
    """
    if not targets:
        return {}
    needs = _registered_needs()
    rows = Credential.objects.filter(pk__in=_id_set(targets)).values_list(
        "pk", "level_id", "valid_from", *(f.attname for f in _validated_fields())
    )
    known: dict = {}
    refusals = {}
    for pk, level_id, valid_from, *values in rows:
        target = targets[pk]
        messages = _field_errors(values, status=target, known=known)
        if target == CredentialStatus.REGISTERED and (level_id is None or valid_from is None):
            messages.append(needs)
        if messages:
            refusals[pk] = "; ".join(messages)
    return refusals


def _apply_transitions_in_bulk(
    entries: Sequence[_Entry], verdicts: dict[int, Verdict]
) -> dict[int, Verdict]:
    """Apply every transition of a chunk at once: one UPDATE of the credentials, one COPY of
    their status-change history, one search-cache invalidation.

    The rows are those `credential_change_status` writes (the chunk already holds the
    credentials' row locks and read their current status), and a move is refused for the same
    reasons its full_clean gives (`_refusals`).
    """
    verdicts = dict(verdicts)
    moving = {pk: v for pk, v in verdicts.items() if v.changes_status}
    refusals = _refusals({pk: v.new_status for pk, v in moving.items()})
    for pk, reason in refusals.items():
        verdicts[pk] = moving.pop(pk).refused(reason)
    if not moving:
        return verdicts
    previous = {entry.pk: entry.status for entry in entries}
    now = timezone.now()
    ids = sorted(moving)
    table = connection.ops.quote_name(Credential._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS entry SET status = moved.status, status_changed_at = %s,"
            " updated_at = %s FROM unnest(%s::bigint[], %s::text[]) AS moved(id, status)"
            " WHERE entry.id = moved.id",
            [now, now, ids, [moving[pk].new_status for pk in ids]],
        )
        history = connection.ops.quote_name(CredentialStatusChange._meta.db_table)
        columns = "credential_id, from_status, to_status, changed_at, changed_by_id, source, reason"
        with cursor.copy(f"COPY {history} ({columns}) FROM STDIN") as copy:
            for pk in ids:
                finding = moving[pk].decisive
                assert finding is not None
                copy.write_row(
                    (
                        pk,
                        previous[pk],
                        moving[pk].new_status,
                        now,
                        None,
                        str(_transition_source(finding)),
                        finding.message,
                    )
                )
    # What each credential's post_save would do, once for the chunk.
    search_cache_invalidate_on_change()
    return verdicts


def _check_rows(
    credential: _Entry,
    verdict: Verdict,
    notices: list[Finding],
    sweep_id: int | None,
    external: dict[int, ExternalFact | str],
    checked_at: datetime,
) -> list[_CheckRow]:
    """One StatusCheck per source consulted: the local rules, and the register if asked."""
    rows = []
    for source in verdict.sources:
        findings = verdict.findings_for(source)
        told = [f for f in findings if f in notices]
        detail: dict = {
            "findings": [
                {**f.as_dict(), **({"notified": True} if f in told else {})} for f in findings
            ]
        }
        if told:
            detail["notify"] = True
            keys = [f.notify_key for f in told if f.notify_key]
            if keys:
                detail["notified"] = keys
        unasked = external.get(credential.pk)
        if source == LOCAL_SOURCE and isinstance(unasked, str):
            detail["external_register_not_configured"] = unasked
        rows.append(
            _CheckRow(
                credential_id=credential.pk,
                sweep_id=sweep_id,
                checked_at=checked_at,
                source=source,
                outcome=str(verdict.outcome_for(source, notices)),
                previous_status=str(verdict.previous_status),
                new_status=str(verdict.new_status),
                detail=detail,
            )
        )
    return rows


def _mirror_external_status(
    credentials: Iterable[_Entry], external: dict[int, ExternalFact | str]
) -> None:
    """Keep Credential.external_status equal to the register's own words."""
    now = timezone.now()
    for credential in credentials:
        fact = external.get(credential.pk)
        if not isinstance(fact, ExternalFact) or fact.answer.record is None:
            continue
        text = fact.answer.record.status_text[:64]
        if text != credential.external_status:
            Credential.objects.filter(pk=credential.pk).update(external_status=text, updated_at=now)


def _finish_chunks(sweep_id: int, ids: Sequence[int]) -> None:
    """Mark finished the sweep's chunks that lie within these ids: once a chunk of ids has
    committed, each of them is checked in this sweep or no longer exists.

    A re-planned chunk carries only part of its row's ids and leaves the row unfinished;
    the reaper's re-plan marks such a row finished when it finds nothing left in it.
    """
    if not ids:
        return
    literal = "{" + ",".join(str(int(pk)) for pk in ids) + "}"
    StatusSweepChunk.objects.filter(
        sweep_id=sweep_id,
        finished_at__isnull=True,
        first_id__gte=ids[0],
        last_id__lte=ids[-1],
        credential_ids__contained_by=RawSQL("%s::bigint[]", (literal,)),
    ).update(finished_at=timezone.now())


def _advance_sweep(sweep_id: int, *, checked: int, changed: int, dropped: int) -> None:
    """Count progress with F() so concurrent chunks never lose an update; finish at total."""
    StatusSweep.objects.filter(pk=sweep_id).update(
        progressed_at=timezone.now(),
        checked=F("checked") + checked,
        changes=F("changes") + changed,
        # Never below what is checked: keeps checked <= total even if the scope moved under a
        # re-dispatched sweep.
        total=Greatest(F("total") - dropped, F("checked") + checked),
    )
    StatusSweep.objects.filter(
        Q(checked__gte=F("total")), pk=sweep_id, state=SweepState.RUNNING
    ).update(state=SweepState.FINISHED, finished_at=timezone.now())
