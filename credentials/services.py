"""Operations that change the register; each writes its history in the same transaction."""

import datetime
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import DecimalField, Field, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from config.types import User
from providers.models import Provider
from providers.roles import is_provider_admin, is_provider_member, is_registry_admin

from .choices import (
    AccreditationStatus,
    ChangeRequestState,
    CredentialStatus,
    StatusSource,
)
from .completeness import credential_completeness
from .languages import is_language_code
from .lifecycle import (
    EDITABLE_STATUSES,
    LOCKED_STATUSES,
    REGISTRY_FIELDS,
    REQUESTABLE_FIELDS,
    REQUESTABLE_MOVES,
    REVIEWED_FIELDS,
    Actor,
    is_allowed,
)
from .models import (
    AccreditationRecord,
    ChangeRequest,
    Credential,
    CredentialStatusChange,
    CredentialVersion,
)

# Fields a version records and an editor may change; status moves only through transitions.
SYSTEM_FIELDS = frozenset(
    {
        "id",
        "registration_key",
        "status",
        "status_changed_at",
        "superseded_by",
        "search_document",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    }
)
EMPTY: tuple[object, ...] = (None, "", [])
EDITABLE_FIELDS = tuple(
    field.name
    for field in Credential._meta.concrete_fields
    if field.name not in SYSTEM_FIELDS and not field.generated
)


def _plain(value: Any) -> Any:
    """The JSON form of a value, so before/after compare as they will be stored."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def credential_snapshot(credential: Credential) -> dict[str, Any]:
    """Every editable field of a credential, foreign keys as ids."""
    return {
        name: _plain(cast(Field, Credential._meta.get_field(name)).value_from_object(credential))
        for name in EDITABLE_FIELDS
    }


def _record_version(
    *,
    credential: Credential,
    actor: User | None,
    source: StatusSource,
    changes: dict[str, list[Any]],
    reason: str = "",
) -> CredentialVersion:
    last = credential.versions.order_by("-number").values_list("number", flat=True).first()
    return CredentialVersion.objects.create(
        credential=credential,
        number=(last or 0) + 1,
        actor=actor,
        source=source,
        reason=reason,
        snapshot=credential_snapshot(credential),
        changes=changes,
    )


def credential_record_version(
    *,
    credential: Credential,
    actor: User | None,
    before: dict[str, Any] | None,
    source: StatusSource = StatusSource.MANUAL,
    reason: str = "",
) -> CredentialVersion | None:
    """Keep a version for an edit saved elsewhere (the admin): the diff from ``before``.

    ``before`` is ``credential_snapshot`` taken before the save, or None for a new record.
    """
    after = credential_snapshot(credential)
    if before is None:
        changes = {name: [None, value] for name, value in after.items() if value not in EMPTY}
    else:
        changes = {
            name: [before[name], after[name]] for name in after if before[name] != after[name]
        }
    if not changes:
        return None
    return _record_version(
        credential=credential, actor=actor, source=source, changes=changes, reason=reason
    )


def _capacity(user: User | None, credential: Credential) -> Actor:
    """How the user acts on this credential; refuse anyone with no standing."""
    if user is not None and is_registry_admin(user):
        return Actor.REGISTRY_ADMIN
    if user is not None and is_provider_admin(user, credential.provider_id):
        return Actor.PROVIDER_ADMIN
    raise PermissionDenied(_("You may not change the status of this record."))


def _normalised(field: Field, value: Any) -> Any:
    """The value as the database will hold it, so an unchanged value compares equal."""
    value = field.to_python(value)
    if isinstance(field, DecimalField) and value is not None:
        value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
    return value


def _apply(credential: Credential, values: dict[str, Any]) -> None:
    """Set fields from objects or plain values (ids for foreign keys, as versions store them)."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        field = cast(Field, Credential._meta.get_field(name))
        if field.is_relation and isinstance(value, Model):
            setattr(credential, field.name, value)
            continue
        try:
            setattr(credential, field.attname, _normalised(field, value))
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)


def _check_credit_hours(credential: Credential) -> None:
    """Credits and notional hours must agree at the framework's hours per credit.

    HKQF: 1 QF credit = 10 notional learning hours; RQF: credit = TQT / 10. A difference
    of less than one credit's hours is allowed, since credit is rounded down.
    """
    hours_per_credit = credential.level.framework.hours_per_credit if credential.level else None
    if not hours_per_credit or credential.credits is None or credential.notional_hours is None:
        return
    expected = credential.credits * hours_per_credit
    if abs(expected - credential.notional_hours) >= hours_per_credit:
        raise ValidationError(
            {
                "notional_hours": _(
                    "At %(rate)s notional hours per credit, %(credits)s credits means "
                    "%(expected)s hours, not %(hours)s."
                )
                % {
                    "rate": hours_per_credit,
                    "credits": format(credential.credits.normalize(), "f"),
                    "expected": format(expected.normalize(), "f"),
                    "hours": credential.notional_hours,
                }
            }
        )


# Text fields the database leaves unbounded: long enough for any honest entry, short enough
# that a pasted document or a script's garbage is refused with a message.
TEXT_LIMITS = {"summary_en": 5000, "summary_zh": 5000, "prerequisites": 2000}
OUTCOME_LIMIT = 1000
OUTCOMES_MAX = 50


def _check_text_and_languages(credential: Credential, fields: Iterable[str] | None = None) -> None:
    """Refuse over-long text and language codes that name no language.

    ``fields`` limits the check to what an edit changes, so a record imported with a legacy
    code can still have its summary corrected.
    """
    wanted = set(fields) if fields is not None else None

    def checked(name: str) -> bool:
        return wanted is None or name in wanted

    errors: dict[str, list[str]] = {}
    for name, limit in TEXT_LIMITS.items():
        length = len(getattr(credential, name) or "")
        if checked(name) and length > limit:
            errors[name] = [
                _("At most %(limit)s characters (this has %(length)s).")
                % {"limit": limit, "length": length}
            ]
    for name in ("learning_outcomes_en", "learning_outcomes_zh"):
        outcomes = getattr(credential, name) or []
        if not checked(name):
            continue
        if len(outcomes) > OUTCOMES_MAX:
            errors[name] = [_("At most %(n)s learning outcomes.") % {"n": OUTCOMES_MAX}]
        elif any(len(outcome) > OUTCOME_LIMIT for outcome in outcomes):
            errors[name] = [
                _("Each learning outcome has at most %(n)s characters.") % {"n": OUTCOME_LIMIT}
            ]
    unknown = [code for code in credential.languages or [] if not is_language_code(code)]
    if checked("languages") and unknown:
        errors["languages"] = [
            _("Unknown language codes: %(codes)s. Use ISO 639 codes such as en, zh-hant, yue.")
            % {"codes": ", ".join(unknown)}
        ]
    if errors:
        raise ValidationError(errors)


def _registry_owned(
    actor: User, changed: set[str], *, reason: str, on_create: bool = False
) -> None:
    """Refuse a change to facts the registry owns unless a registry administrator says why."""
    owned = sorted(changed & REGISTRY_FIELDS)
    if not owned:
        return
    if is_registry_admin(actor):
        if on_create or reason.strip():
            return
        raise ValidationError(
            {
                "reason": _("Say why you change %(fields)s: it is kept in the record's history.")
                % {"fields": ", ".join(owned)}
            }
        )
    errors = {}
    for name in owned:
        if name in REQUESTABLE_FIELDS:
            errors[name] = _(
                "Only the registry changes this: a QA decision or a registry administrator. "
                "Ask for it with a change request (POST …/change-requests/ in the API, "
                "“Ask the registry” on the record page)."
            )
        else:
            errors[name] = _(
                "Only the registry sets this: it comes from a QA decision, a status check or "
                "a registry administrator."
            )
    raise ValidationError(errors)


def _provisional_number() -> str:
    return f"P/{timezone.localdate():%y}/{secrets.token_hex(4).upper()}"


@transaction.atomic
def credential_create(
    *,
    actor: User,
    provider: Provider,
    values: dict[str, Any],
    source: StatusSource = StatusSource.MANUAL,
) -> Credential:
    """Create a draft for a provider the actor belongs to, and record it as version 1.

    Without a registration number the draft gets a provisional one; the registry's number
    replaces it on registration.
    """
    if not (is_registry_admin(actor) or is_provider_member(actor, provider.pk)):
        raise PermissionDenied(_("You may only create records for your own providers."))
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    values = {name: value for name, value in values.items() if name != "provider"}
    _registry_owned(
        actor,
        {name for name, value in values.items() if value not in EMPTY},
        reason="",
        on_create=True,
    )
    credential = Credential(provider=provider, created_by=actor, updated_by=actor)
    _apply(credential, values)
    credential.provider = provider
    if not credential.registration_number:
        credential.registration_number = _provisional_number()
    credential.status = CredentialStatus.DRAFT
    credential.full_clean(exclude=["search_document"])
    _check_text_and_languages(credential)
    _check_credit_hours(credential)
    credential.save()
    credential_record_version(credential=credential, actor=actor, before=None, source=source)
    return credential


@dataclass(frozen=True)
class UpdateResult:
    """What an update did: a new version, a change request awaiting review, or nothing."""

    credential: Credential
    version: CredentialVersion | None
    change_request: ChangeRequest | None


@transaction.atomic
def credential_update(
    *,
    actor: User,
    credential: Credential,
    values: dict[str, Any],
    reason: str = "",
    source: StatusSource = StatusSource.MANUAL,
) -> UpdateResult:
    """Change a record's content and keep the version.

    On a registered (or suspended, expired) record, substantive changes (``REVIEWED_FIELDS``)
    become a change request for review instead of an edit; editorial ones apply directly.
    Facts the registry owns change only for a registry administrator who gives a reason.
    """
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    if not (is_registry_admin(actor) or is_provider_member(actor, credential.provider_id)):
        raise PermissionDenied(_("You may only change your own providers' records."))
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if credential.status in LOCKED_STATUSES:
        raise ValidationError(
            _("A %(status)s record is locked and cannot be edited.")
            % {"status": credential.get_status_display().lower()}
        )
    if "provider" in values:
        provider = values.pop("provider")
        if getattr(provider, "pk", provider) != credential.provider_id:
            raise ValidationError({"provider": _("A record cannot move to another provider.")})

    before = credential_snapshot(credential)
    _apply(credential, values)
    after = credential_snapshot(credential)
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if not changes:
        return UpdateResult(credential, None, None)
    _registry_owned(actor, set(changes), reason=reason)

    # The record as proposed must be valid, so the author hears of a problem now, not when
    # a reviewed change is approved.
    credential.full_clean(exclude=["search_document"], validate_unique=True)
    _check_text_and_languages(credential, changes)
    _check_credit_hours(credential)
    reviewed = {}
    if credential.status not in EDITABLE_STATUSES:
        reviewed = {name: change for name, change in changes.items() if name in REVIEWED_FIELDS}
        for name in reviewed:
            # The registered value stands until the change request is approved.
            _apply(credential, {name: reviewed[name][0]})
    direct = {name: change for name, change in changes.items() if name not in reviewed}
    change_request = None
    if reviewed:
        change_request = ChangeRequest(
            credential=credential, changes=reviewed, reason=reason, requested_by=actor
        )
        change_request.full_clean()
        change_request.save()
    version = None
    if direct:
        credential.updated_by = actor
        credential.save()
        version = _record_version(
            credential=credential, actor=actor, source=source, changes=direct, reason=reason
        )
    return UpdateResult(credential, version, change_request)


@transaction.atomic
def credential_request_change_check(*, actor: User, credential: Credential) -> None:
    """Refuse anyone but the provider's administrators (and registry staff) before any
    request body is read: who may ask is answered before what they ask."""
    if not (is_registry_admin(actor) or is_provider_admin(actor, credential.provider_id)):
        raise PermissionDenied(_("Only the provider's administrators ask the registry."))


def credential_request_change(
    *,
    actor: User,
    credential: Credential,
    values: dict[str, Any],
    reason: str,
) -> ChangeRequest:
    """A provider asks the registry to change a fact it owns (a validity extension, a quality
    mark it holds) or to move the record into teach-out or mark it superseded by its next
    version (``status`` with ``teach_out_ends_on`` or ``superseded_by``); a registry
    administrator decides the request."""
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    credential_request_change_check(actor=actor, credential=credential)
    values = dict(values)
    to_status = values.pop("status", None)
    successor = values.pop("superseded_by", None)
    unknown = set(values) - REQUESTABLE_FIELDS
    if unknown:
        raise ValidationError(
            {
                name: _("This cannot be asked for here; ask for one of: %(fields)s.")
                % {"fields": ", ".join(sorted(REQUESTABLE_FIELDS | {"status", "superseded_by"}))}
                for name in sorted(unknown)
            }
        )
    if not values and to_status is None and successor is None:
        raise ValidationError(_("Say what you ask the registry to change."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you ask for the change.")})
    if credential.status in LOCKED_STATUSES:
        raise ValidationError(
            _("A %(status)s record is locked and cannot be edited.")
            % {"status": credential.get_status_display().lower()}
        )
    before = credential_snapshot(credential)
    current_status, current_successor = credential.status, credential.superseded_by_id
    _apply(credential, values)
    credential.full_clean(exclude=["search_document"], validate_unique=False)
    after = credential_snapshot(credential)
    changes = {name: [before[name], after[name]] for name in values if before[name] != after[name]}
    if to_status is not None or successor is not None:
        _check_requested_move(
            credential=credential, to_status=to_status, successor=successor, same_provider=True
        )
        changes["status"] = [current_status, to_status]
        if successor is not None:
            changes["superseded_by"] = [current_successor, successor.pk]
    if not changes:
        raise ValidationError(_("The record already says this; there is nothing to ask."))
    change_request = ChangeRequest(
        credential=credential, changes=changes, reason=reason, requested_by=actor
    )
    change_request.full_clean()
    change_request.save()
    return change_request


def _check_requested_move(
    *,
    credential: Credential,
    to_status: str | None,
    successor: "Credential | None",
    same_provider: bool,
) -> None:
    """Refuse a request for a move the provider may not ask for, or cannot be made now."""
    if to_status not in REQUESTABLE_MOVES:
        raise ValidationError(
            {
                "status": _(
                    "Ask here only for teach-out or superseded; other moves are made "
                    "from the record's status."
                )
            }
        )
    if not is_allowed(credential.status, to_status, Actor.REGISTRY_ADMIN):
        raise ValidationError(
            {
                "status": _("A %(from)s record cannot move to %(to)s.")
                % {
                    "from": CredentialStatus(credential.status).label.lower(),
                    "to": CredentialStatus(to_status).label.lower(),
                }
            }
        )
    if to_status == CredentialStatus.TEACH_OUT:
        if successor is not None:
            raise ValidationError(
                {"superseded_by": _("Name a successor only for a superseded record.")}
            )
        _check_teach_out_end(credential, credential.teach_out_ends_on)
    else:
        _check_successor(credential, successor, same_provider=same_provider)


def _check_teach_out_end(credential: Credential, ends_on: datetime.date | None) -> None:
    if ends_on is None:
        raise ValidationError(
            {
                "teach_out_ends_on": _(
                    "Give the last day enrolled learners can complete (the teach-out end date)."
                )
            }
        )
    if ends_on < timezone.localdate():
        raise ValidationError(
            {
                "teach_out_ends_on": _(
                    "The teach-out end date %(date)s has passed; an entry whose teach-out has "
                    "ended expires instead."
                )
                % {"date": ends_on.isoformat()}
            }
        )
    if credential.valid_from is not None and ends_on < credential.valid_from:
        raise ValidationError(
            {"teach_out_ends_on": _("The teach-out must end on or after the start of validity.")}
        )


def _check_successor(
    credential: Credential, successor: "Credential | None", *, same_provider: bool = False
) -> None:
    """A successor is another registered record, never one that leads back to this one."""
    if successor is None:
        raise ValidationError(
            {"superseded_by": _("Name the record that supersedes this one (its next version).")}
        )
    if successor.pk == credential.pk:
        raise ValidationError({"superseded_by": _("A record cannot supersede itself.")})
    # As it stands now, and held so, not as the caller last read it.
    successor = Credential.objects.select_for_update().get(pk=successor.pk)
    if same_provider and successor.provider_id != credential.provider_id:
        raise ValidationError(
            {"superseded_by": _("The next version must be one of the same provider's records.")}
        )
    if successor.status != CredentialStatus.REGISTERED:
        raise ValidationError(
            {
                "superseded_by": _(
                    "The next version must be on the register: %(number)s is %(status)s."
                )
                % {
                    "number": successor.registration_number,
                    "status": successor.get_status_display().lower(),
                }
            }
        )
    seen = {credential.pk}
    link = successor.superseded_by_id
    while link is not None and link not in seen:
        seen.add(link)
        link = Credential.objects.filter(pk=link).values_list("superseded_by_id", flat=True)[0]
    if link == credential.pk:
        raise ValidationError(
            {
                "superseded_by": _("%(number)s is itself superseded by this record's line.")
                % {"number": successor.registration_number}
            }
        )


@transaction.atomic
def change_request_decide(
    *, actor: User, change_request: ChangeRequest, approve: bool, note: str = ""
) -> ChangeRequest:
    """Approve (apply and version) or reject a pending change; registry administrators only."""
    if not is_registry_admin(actor):
        raise PermissionDenied(_("Only registry administrators decide change requests."))
    change_request = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    if change_request.state != ChangeRequestState.PENDING:
        raise ValidationError(_("This change request has already been decided."))
    if approve:
        credential = Credential.objects.select_for_update().get(pk=change_request.credential_id)
        changes = dict(change_request.changes)
        move = changes.pop("status", None)
        successor_change = changes.pop("superseded_by", None)
        if changes:
            _apply(credential, {name: after for name, (_before, after) in changes.items()})
            credential.updated_by = actor
            credential.full_clean(exclude=["search_document"])
            _check_text_and_languages(credential, changes)
            _check_credit_hours(credential)
            credential.save()
            _record_version(
                credential=credential,
                actor=actor,
                source=StatusSource.REVIEW_DECISION,
                changes=changes,
                reason=note or change_request.reason,
            )
        if move is not None:
            successor = Credential.objects.get(pk=successor_change[1]) if successor_change else None
            credential_transition(
                actor=actor,
                credential=credential,
                to_status=CredentialStatus(move[1]),
                reason=note or change_request.reason,
                superseded_by=successor,
            )
    change_request.state = ChangeRequestState.APPROVED if approve else ChangeRequestState.REJECTED
    change_request.decided_by = actor
    change_request.decided_at = timezone.now()
    change_request.decision_note = note
    change_request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    return change_request


# Moves made by status checks obey the lifecycle's "status check" column here, since the
# sweeps call this step directly; people's moves are checked in ``credential_transition``.
_SYSTEM_SOURCES = frozenset({StatusSource.STATUS_CHECK, StatusSource.EXTERNAL_REGISTER})


@transaction.atomic
def credential_change_status(
    *,
    credential: Credential,
    to_status: str,
    source: StatusSource,
    reason: str = "",
    actor: User | None = None,
    facts: dict[str, Any] | None = None,
) -> CredentialStatusChange | None:
    """Move a credential to a new status and record the transition; no-op if unchanged.

    This is the low-level step shared by every path; callers that act for a person go
    through ``credential_transition``, which checks the lifecycle and the person's role.
    The row is locked first so two concurrent callers cannot both record the same move.
    ``facts`` (field → value, already checked) are the status facts the move sets or
    clears: saved in the same UPDATE as the status, so the change feed sees one move.
    """
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    if locked.status == to_status:
        credential.status = locked.status
        return None
    for name, value in (facts or {}).items():
        setattr(locked, name, value)
    if source in _SYSTEM_SOURCES and not is_allowed(locked.status, to_status, Actor.SYSTEM):
        raise ValidationError(
            _("A status check cannot move a record from %(from)s to %(to)s.")
            % {
                "from": CredentialStatus(locked.status).label.lower(),
                "to": CredentialStatus(to_status).label.lower(),
            }
        )
    change = CredentialStatusChange.objects.create(
        credential=locked,
        from_status=locked.status,
        to_status=to_status,
        source=source,
        reason=reason,
        changed_by=actor,
    )
    locked.status = to_status
    locked.status_changed_at = timezone.now()
    locked.full_clean(exclude=["registration_number", "search_document"], validate_unique=False)
    fields = ["status", "status_changed_at", *(facts or {}), "updated_at"]
    if actor is not None:
        locked.updated_by = actor
        fields.append("updated_by")
    locked.save(update_fields=fields)
    credential.status = locked.status
    credential.status_changed_at = locked.status_changed_at
    for name in facts or {}:
        setattr(credential, name, getattr(locked, name))
    return change


@transaction.atomic
def credential_transition(
    *,
    actor: User,
    credential: Credential,
    to_status: CredentialStatus,
    reason: str = "",
    force: bool = False,
    teach_out_ends_on: datetime.date | None = None,
    superseded_by: Credential | None = None,
) -> CredentialStatusChange | None:
    """A person moves a credential along its lifecycle; illegal moves are refused.

    Teach-out needs ``teach_out_ends_on`` (given here or already on the record) and a
    reason; superseded needs ``superseded_by``, another registered record, and a reason.
    ``force`` is a registry administrator's override of the lifecycle table, for repairing
    the register: it needs a reason, and the status history records it as an override with
    who made it. The record's own rules (a registered record has a level, a start of
    validity and the registry's number) still hold.
    """
    capacity = _capacity(actor, credential)
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    if force:
        facts = _status_facts(
            credential=credential,
            to_status=to_status,
            teach_out_ends_on=teach_out_ends_on,
            superseded_by=superseded_by,
        )
        before = credential_snapshot(credential)
        change = _override(
            actor=actor, credential=credential, to_status=to_status, reason=reason, facts=facts
        )
        _keep_status_facts(
            actor=actor, credential=credential, facts=facts, before=before, reason=reason
        )
        return change
    if not is_allowed(credential.status, to_status, capacity):
        raise ValidationError(
            _("A %(role)s cannot move a record from %(from)s to %(to)s.")
            % {
                "role": capacity.value,
                "from": CredentialStatus(credential.status).label.lower(),
                "to": CredentialStatus(to_status).label.lower(),
            }
        )
    if to_status == CredentialStatus.SUBMITTED:
        report = credential_completeness(credential=credential)
        if not report.can_submit:
            missing = ", ".join(str(element.label) for element in report.missing_mandatory)
            raise ValidationError(
                _("The record cannot be submitted while these are missing: %(missing)s")
                % {"missing": missing}
            )
    if to_status == CredentialStatus.WITHDRAWN and not reason.strip():
        raise ValidationError({"reason": _("Say why the record is withdrawn.")})
    if to_status in (CredentialStatus.TEACH_OUT, CredentialStatus.SUPERSEDED) and not (
        reason.strip()
    ):
        raise ValidationError(
            {"reason": _("Say why: the reason is kept in the record's status history.")}
        )
    facts = _status_facts(
        credential=credential,
        to_status=to_status,
        teach_out_ends_on=teach_out_ends_on,
        superseded_by=superseded_by,
    )
    before = credential_snapshot(credential)
    change = credential_change_status(
        credential=credential,
        to_status=to_status,
        source=StatusSource.MANUAL,
        reason=reason,
        actor=actor,
        facts=facts,
    )
    _keep_status_facts(
        actor=actor, credential=credential, facts=facts, before=before, reason=reason
    )
    return change


def _status_facts(
    *,
    credential: Credential,
    to_status: str,
    teach_out_ends_on: datetime.date | None,
    superseded_by: Credential | None,
) -> dict[str, Any]:
    """The facts a move sets or clears (field → value), checked; the move saves them.

    Into teach-out: its end date. Superseded: the successor. Back on offer ends a
    teach-out's date; leaving superseded other than by withdrawal ends the successor link.
    """
    facts: dict[str, Any] = {}
    if to_status == CredentialStatus.TEACH_OUT:
        ends_on = teach_out_ends_on or credential.teach_out_ends_on
        _check_teach_out_end(credential, ends_on)
        facts["teach_out_ends_on"] = ends_on
    elif teach_out_ends_on is not None:
        raise ValidationError(
            {"teach_out_ends_on": _("A teach-out end date goes only with a move to teach-out.")}
        )
    elif to_status == CredentialStatus.REGISTERED and credential.teach_out_ends_on:
        facts["teach_out_ends_on"] = None
    if to_status == CredentialStatus.SUPERSEDED:
        _check_successor(credential, superseded_by)
        facts["superseded_by"] = superseded_by
    elif superseded_by is not None:
        raise ValidationError(
            {"superseded_by": _("A successor goes only with a move to superseded.")}
        )
    elif to_status != CredentialStatus.WITHDRAWN and credential.superseded_by_id is not None:
        facts["superseded_by"] = None
    return facts


def _keep_status_facts(
    *,
    actor: User,
    credential: Credential,
    facts: dict[str, Any],
    before: dict[str, Any],
    reason: str,
) -> None:
    """After a move: its facts kept as a version. A move that was a no-op (the record was
    already in that status) saved none, so they are saved here."""
    if not facts:
        return
    if any(getattr(credential, name) != value for name, value in facts.items()):
        for name, value in facts.items():
            setattr(credential, name, value)
        credential.updated_by = actor
        credential.save(update_fields=[*facts, "updated_by", "updated_at"])
    credential_record_version(
        credential=credential, actor=actor, before=before, source=StatusSource.MANUAL, reason=reason
    )


OVERRIDE_PREFIX = "Lifecycle override: "


def _override(
    *,
    actor: User,
    credential: Credential,
    to_status: CredentialStatus,
    reason: str,
    facts: dict[str, Any],
) -> CredentialStatusChange | None:
    if not is_registry_admin(actor):
        raise PermissionDenied(_("Only a registry administrator may override the lifecycle."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you override the lifecycle.")})
    if to_status == CredentialStatus.REGISTERED:
        _assign_registration_number(credential=credential, actor=actor)
    # The prefix is not translated: the history reads the same in every language and is
    # searchable for overrides.
    return credential_change_status(
        credential=credential,
        to_status=to_status,
        source=StatusSource.MANUAL,
        reason=OVERRIDE_PREFIX + reason.strip(),
        actor=actor,
        facts=facts,
    )


@transaction.atomic
def credential_supersede(
    *,
    credential: Credential,
    successor: Credential,
    source: StatusSource,
    reason: str,
    actor: User | None = None,
) -> CredentialStatusChange | None:
    """Mark a record superseded by its next version and record the move.

    The low-level step for a caller that has already checked who may make the move (an
    import by the registry of its own file); people go through ``credential_transition``.
    """
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    if locked.status == CredentialStatus.SUPERSEDED and locked.superseded_by_id == successor.pk:
        return None
    _check_successor(locked, successor)
    if locked.status == CredentialStatus.SUPERSEDED:
        locked.superseded_by = successor
        fields = ["superseded_by", "updated_at"]
        if actor is not None:
            locked.updated_by = actor
            fields.append("updated_by")
        locked.save(update_fields=fields)
    change = credential_change_status(
        credential=locked,
        to_status=CredentialStatus.SUPERSEDED,
        source=source,
        reason=reason,
        actor=actor,
        facts={"superseded_by": successor},
    )
    credential.status, credential.superseded_by = locked.status, successor
    return change


def credential_submit(*, actor: User, credential: Credential) -> CredentialStatusChange | None:
    """Submit a draft or referred-back record for QA review; it is locked until decided."""
    return credential_transition(
        actor=actor, credential=credential, to_status=CredentialStatus.SUBMITTED
    )


# --- Moves made by QA reviews (called by qa_reviews.services) --------------------------------

PROVISIONAL_PREFIX = "P/"
# Serialises number assignment: two registrations in the same instant must not pick one serial.
_REGISTRATION_NUMBER_LOCK = 0x51_52_45_47  # "QREG"


def _review_path(from_status: str, to_status: str) -> list[str] | None:
    """The lifecycle moves a review makes: direct, or through "under review" where needed.

    A decision on a record that stayed on the register during its review (periodic,
    re-accreditation) passes through "under review" so that every recorded move is one the
    lifecycle allows.
    """
    if is_allowed(from_status, to_status, Actor.REVIEW):
        return [to_status]
    under_review = CredentialStatus.UNDER_REVIEW
    if is_allowed(from_status, under_review, Actor.REVIEW) and is_allowed(
        under_review, to_status, Actor.REVIEW
    ):
        return [under_review, to_status]
    return None


@transaction.atomic
def credential_review_move(
    *,
    actor: User,
    credential: Credential,
    to_status: CredentialStatus,
    reason: str,
) -> list[CredentialStatusChange]:
    """A QA review moves a record along the lifecycle; moves no review may make are refused."""
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    if locked.status == to_status:
        return []
    path = _review_path(locked.status, to_status)
    if path is None:
        raise ValidationError(
            _("A review cannot move a record from %(from)s to %(to)s.")
            % {
                "from": CredentialStatus(locked.status).label.lower(),
                "to": CredentialStatus(to_status).label.lower(),
            }
        )
    changes = []
    for step in path:
        if step == CredentialStatus.REGISTERED:
            _assign_registration_number(credential=locked, actor=actor)
        change = credential_change_status(
            credential=locked,
            to_status=step,
            source=StatusSource.REVIEW_DECISION,
            reason=reason,
            actor=actor,
        )
        if change is not None:
            changes.append(change)
    credential.status = locked.status
    credential.status_changed_at = locked.status_changed_at
    credential.registration_number = locked.registration_number
    return changes


def _assign_registration_number(*, credential: Credential, actor: User) -> None:
    """Replace a draft's provisional number with the registry's, HKQR style: 26/000123/L4."""
    if not credential.registration_number.startswith(PROVISIONAL_PREFIX):
        return
    if credential.level is None:
        # The status move refuses a registration without a level, with its own message.
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REGISTRATION_NUMBER_LOCK])
    year = f"{timezone.localdate():%y}"
    taken = Credential.objects.filter(registration_number__regex=rf"^{year}/[0-9]{{6}}/")
    pattern = re.compile(rf"^{year}/([0-9]{{6}})/")
    serials = [
        int(match.group(1))
        for number in taken.values_list("registration_number", flat=True)
        if (match := pattern.match(number))
    ]
    before = credential_snapshot(credential)
    credential.registration_number = (
        f"{year}/{max(serials, default=0) + 1:06d}/L{credential.level.code}"
    )
    credential.updated_by = actor
    credential.full_clean(exclude=["search_document"], validate_unique=True)
    credential.save(update_fields=["registration_number", "updated_by", "updated_at"])
    credential_record_version(
        credential=credential,
        actor=actor,
        before=before,
        source=StatusSource.REVIEW_DECISION,
        reason=_("Registration number assigned on registration."),
    )


@transaction.atomic
def credential_apply_decision(
    *,
    actor: User,
    credential: Credential,
    to_status: CredentialStatus | None,
    reason: str,
    validity: tuple[datetime.date, datetime.date] | None = None,
    accreditor: str = "",
    reference: str = "",
    accreditation: AccreditationRecord | None = None,
) -> AccreditationRecord | None:
    """Apply a QA review decision to the register, in the caller's transaction.

    With ``validity`` (an approval) the period granted becomes the record's validity, kept
    as a version, and the accreditation record says so: ``accreditation`` is amended when
    given (a correction, or a review that continues a registration), else a new record is
    written. Without validity, a given ``accreditation`` is withdrawn: a correction that
    reverses an approval. ``to_status`` None leaves the status as it is; otherwise the move
    must be one the lifecycle allows a review decision to make. Returns the record written.
    """
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    record = accreditation
    if validity is not None:
        valid_from, valid_to = validity
        before = credential_snapshot(locked)
        locked.valid_from, locked.valid_to = valid_from, valid_to
        locked.full_clean(exclude=["search_document"], validate_unique=False)
        if credential_snapshot(locked) != before:
            locked.updated_by = actor
            locked.save(update_fields=["valid_from", "valid_to", "updated_by", "updated_at"])
            credential_record_version(
                credential=locked,
                actor=actor,
                before=before,
                source=StatusSource.REVIEW_DECISION,
                reason=reason,
            )
        if record is None:
            record = AccreditationRecord(credential=locked)
        record.accreditor = accreditor
        record.reference = reference
        record.valid_from, record.valid_to = valid_from, valid_to
        record.status = AccreditationStatus.CURRENT
        record.source = StatusSource.REVIEW_DECISION
        record.last_checked_at = timezone.now()
        record.full_clean()
        record.save()
    elif record is not None:
        record.status = AccreditationStatus.WITHDRAWN
        record.source = StatusSource.REVIEW_DECISION
        record.last_checked_at = timezone.now()
        record.save(update_fields=["status", "source", "last_checked_at", "updated_at"])
    if to_status is not None:
        credential_review_move(actor=actor, credential=locked, to_status=to_status, reason=reason)
    for name in ("status", "status_changed_at", "valid_from", "valid_to", "registration_number"):
        setattr(credential, name, getattr(locked, name))
    return record


@dataclass(frozen=True)
class AccreditationFacts:
    """Who accredits an entry, for what period, in what standing, and how that is known."""

    accreditor: str
    reference: str = ""
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    status: str = AccreditationStatus.CURRENT
    source: str = StatusSource.MANUAL


@transaction.atomic
def accreditation_record_set(
    *, actor: User, credential: Credential, facts: AccreditationFacts
) -> tuple[AccreditationRecord, bool | None]:
    """A registry administrator records an entry's accreditation by one accreditor.

    Amends that accreditor's latest record of the entry, or writes the first one; returns
    the record and True when created, False when changed, None when it already said so.
    Accreditation is a registry-owned fact: nobody else records it here (QA decisions amend
    records through ``credential_apply_decision``, status checks through the sweeps).
    """
    if not is_registry_admin(actor):
        raise PermissionDenied(_("Only registry administrators record accreditation."))
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    record = (
        AccreditationRecord.objects.select_for_update()
        .filter(credential=locked, accreditor=facts.accreditor)
        .order_by("-valid_from", "-pk")
        .first()
    )
    created = record is None
    if record is None:
        record = AccreditationRecord(credential=locked, accreditor=facts.accreditor)
    wanted = {
        "reference": facts.reference,
        "valid_from": facts.valid_from,
        "valid_to": facts.valid_to,
        "status": facts.status,
        "source": facts.source,
    }
    if not created and all(getattr(record, name) == value for name, value in wanted.items()):
        return record, None
    for name, value in wanted.items():
        setattr(record, name, value)
    record.full_clean()
    record.save()
    return record, created
