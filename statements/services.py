"""Registry statements: signed VC-JWTs that a record is on the register, and their checking.

A statement is an Open Badges 3.0 ``OpenBadgeCredential`` (W3C VC Data Model 2.0) whose
subject carries the record's Achievement (credentials.interop.openbadges) and the facts of
its registration, secured as VC-JOSE: a compact JWS with ``typ: vc+jwt``, signed ES256 with
the registry's current key and naming it as ``kid = <did>#<key id>``. Its validity is the
registration's; revocation and suspension are told by the status lists (status_lists.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError

from credentials.choices import PUBLIC_STATUSES, CredentialStatus, QualityMark
from credentials.interop.common import Absolute
from credentials.interop.openbadges import CONTEXT, credential_achievement
from credentials.models import Credential
from credentials.search.cache import cached_while_current
from qa_reviews.selectors import current_decisions
from qualifications.models import Level

from .choices import StatementResult
from .did import verification_method_id
from .keys import ALGORITHM, SigningKey, published_keys, signing_key
from .models import StatusListEntry
from .status_lists import (
    ACTIVE_STATUSES,
    LIST_SIZE,
    PURPOSES,
    REVOCATION,
    SUSPENSION,
    encoded_lists,
    list_count,
    list_position,
    purpose_q,
)

MEDIA_TYPE = "application/vc+jwt"
JOSE_TYPE = "vc+jwt"
# A statement is a few kilobytes; anything far larger is not one and is not parsed.
MAX_STATEMENT_LENGTH = 32_000
COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
DEFAULT_LIST_CACHE_SECONDS = 300


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def _end_of(day: date) -> datetime:
    return _start_of(day + timedelta(days=1)) - timedelta(seconds=1)


def _statement_url(credential: Credential, absolute: Absolute) -> str:
    return absolute(reverse("api:credential-statement", kwargs={"pk": credential.pk}))


def status_list_url(*, purpose: str, number: int, absolute: Absolute) -> str:
    return absolute(reverse("api:status-list", kwargs={"purpose": purpose, "number": number}))


def _status_entries(entry: StatusListEntry, absolute: Absolute) -> list[dict[str, str]]:
    number, position = list_position(entry.index)
    entries = []
    for purpose in PURPOSES:
        url = status_list_url(purpose=purpose, number=number, absolute=absolute)
        entries.append(
            {
                "id": f"{url}#{position}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": str(position),
                "statusListCredential": url,
            }
        )
    return entries


def _quality_assurance(credential: Credential) -> dict[str, Any]:
    decision = (
        current_decisions()
        .filter(review__credential=credential)
        .select_related("review")
        .order_by("-decided_at", "-pk")
        .first()
    )
    facts: dict[str, Any] = {
        "accreditations": [
            {
                "accreditor": record.accreditor,
                "reference": record.reference,
                "status": record.status,
                "validFrom": record.valid_from.isoformat() if record.valid_from else None,
                "validUntil": record.valid_to.isoformat() if record.valid_to else None,
            }
            for record in credential.accreditations.all()
        ],
    }
    if credential.quality_assurance_type:
        facts["type"] = credential.quality_assurance_type
    if decision is not None:
        facts["latestDecision"] = {
            "outcome": decision.outcome,
            "reviewType": decision.review.review_type,
            "decidedAt": _instant(decision.decided_at),
        }
    return facts


def _summary(credential: Credential, level: Level, qa: dict[str, Any]) -> str:
    """The statement in a sentence, in English: the language of the register of record."""
    parts = [f"On the register at {level.framework.code} {level.name_en}"]
    current = [a["accreditor"] for a in qa["accreditations"] if a["status"] == "current"]
    if current:
        parts.append("accredited by " + ", ".join(current))
    decision = qa.get("latestDecision")
    if decision:
        parts.append(f"QA decision {decision['outcome'].replace('_', ' ')}")
    until = f"valid until {credential.valid_to:%Y-%m-%d}" if credential.valid_to else "open-ended"
    parts.append(until)
    return ", ".join(parts) + "."


def statement_document(
    *, credential: Credential, entry: StatusListEntry, did: str, absolute: Absolute
) -> dict[str, Any]:
    """The statement's credential (the JWS payload) for a registered record."""
    level = cast(Level, credential.level)
    achievement = credential_achievement(credential, absolute=absolute)
    achievement.pop("@context")
    qa = _quality_assurance(credential)
    record_url = absolute(reverse("api:credential-detail", kwargs={"pk": credential.pk}))
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": _statement_url(credential, absolute),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{credential.title_en}: registered {credential.registration_number}",
        "description": _summary(credential, level, qa),
        "issuer": {
            "id": did,
            "type": ["Profile"],
            "name": settings.REGISTRY_ISSUER_NAME,
            "url": absolute("/"),
        },
        "validFrom": _instant(_start_of(cast(date, credential.valid_from))),
        "credentialSubject": {
            "id": record_url,
            "type": ["AchievementSubject"],
            "achievement": achievement,
            "registration": {
                "registrationNumber": credential.registration_number,
                "status": credential.status,
                "recordUrl": record_url,
                "pageUrl": absolute(reverse("credentials:detail", kwargs={"pk": credential.pk})),
                "level": {
                    "framework": level.framework.code,
                    "code": level.code,
                    "name": level.name_en,
                },
                "validFrom": cast(date, credential.valid_from).isoformat(),
                "validUntil": credential.valid_to.isoformat() if credential.valid_to else None,
                "qualityAssurance": qa,
                "qualityMarks": [
                    {"code": mark, "name": str(QualityMark(mark).label)}
                    for mark in credential.quality_marks
                ],
            },
        },
        "credentialStatus": _status_entries(entry, absolute),
    }
    if credential.valid_to:
        document["validUntil"] = _instant(_end_of(credential.valid_to))
    return document


def _sign(document: dict[str, Any], *, did: str, key: SigningKey) -> str:
    header = {
        "alg": ALGORITHM,
        "typ": JOSE_TYPE,
        "cty": "vc",
        "kid": verification_method_id(did, key.kid),
    }
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return jws.serialize_compact(header, payload, key.key, algorithms=[ALGORITHM])


@transaction.atomic
def status_list_entry_allocate(*, credential: Credential) -> StatusListEntry:
    """The record's status list entry, allocated on its first statement and kept for good."""
    entry, _created = StatusListEntry.objects.get_or_create(credential=credential)
    return entry


def statement_issue(*, credential: Credential, did: str, absolute: Absolute) -> str:
    """A registered record's statement, signed now with the current key, as a compact JWS.

    Only a registration in force (registered, or in teach-out) gets one: a suspended, expired
    or withdrawn one has nothing in force to state (its earlier statements say so through the
    status lists and validity).
    """
    if credential.status not in ACTIVE_STATUSES:
        raise ValidationError(
            _(
                "Only a registered record, or one in teach-out, has a registry statement; "
                "this one is %(status)s."
            )
            % {"status": CredentialStatus(credential.status).label.lower()},
            code="not_registered",
        )
    key = signing_key()
    entry = status_list_entry_allocate(credential=credential)
    document = statement_document(credential=credential, entry=entry, did=did, absolute=absolute)
    return _sign(document, did=did, key=key)


def _list_cache_seconds() -> int:
    return int(getattr(settings, "STATEMENT_STATUS_LIST_CACHE_SECONDS", DEFAULT_LIST_CACHE_SECONDS))


def _status_list_document(*, url: str, purpose: str, encoded: str, did: str) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": _instant(timezone.now()),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded,
            # How long a verifier may keep this list, in milliseconds.
            "ttl": max(_list_cache_seconds(), 1) * 1000,
        },
    }


def status_list_issue(*, purpose: str, number: int, did: str, absolute: Absolute) -> str | None:
    """Status list ``number`` of ``purpose`` as a signed BitstringStatusListCredential, or
    None when there is no such list (no index that high has been allocated).

    All lists of the purpose are computed and signed together, and cached in the register's
    search generation, which any status change bumps.
    """

    def compute() -> dict[int, str]:
        key = signing_key()
        signed = {}
        for list_number, encoded in encoded_lists(purpose=purpose).items():
            url = status_list_url(purpose=purpose, number=list_number, absolute=absolute)
            document = _status_list_document(url=url, purpose=purpose, encoded=encoded, did=did)
            signed[list_number] = _sign(document, did=did, key=key)
        return signed

    base = status_list_url(purpose=purpose, number=0, absolute=absolute)
    lists = cached_while_current(
        f"statements:status-lists:{purpose}:{base}:{did}",
        compute,
        _list_cache_seconds(),
        read_from=router.db_for_read(StatusListEntry) or "default",
    )
    token = lists.get(number)
    if token is None and number < list_count():
        # A list begun since the cache was filled: its first index was allocated just now.
        token = compute().get(number)
    return token


# --- Checking a pasted statement ------------------------------------------------------------


@dataclass(frozen=True)
class StatementCheck:
    """What a pasted statement turned out to be."""

    result: StatementResult
    key_id: str = ""
    credential: Credential | None = None
    claims: dict[str, Any] | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    revoked: bool | None = None
    suspended: bool | None = None


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"statement": ValidationError(message, code=code)})


def _decoded(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _header(token: str) -> dict[str, Any]:
    """The protected header of a compact JWS, or a clear refusal of what is not one."""
    if not token:
        raise _refuse(_("Paste a registry statement (a signed VC-JWT)."), "required")
    if len(token) > MAX_STATEMENT_LENGTH:
        raise _refuse(
            _("That is too long to be a registry statement (at most %(limit)d characters).")
            % {"limit": MAX_STATEMENT_LENGTH},
            "too_long",
        )
    if not COMPACT_JWS.fullmatch(token):
        raise _refuse(
            _(
                "That is not a compact JWS: a statement is three base64url parts joined by "
                "dots (header.payload.signature), with no spaces or other characters."
            ),
            "not_jws",
        )
    try:
        header = json.loads(_decoded(token.split(".", 1)[0]))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        header = None
    if not isinstance(header, dict):
        raise _refuse(_("The statement's header is not a JSON object."), "bad_header")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none":
        raise _refuse(
            _("The statement is not signed (alg none); an unsigned statement proves nothing."),
            "unsigned",
        )
    if alg != ALGORITHM:
        raise _refuse(
            _("The statement is signed with %(alg)s; registry statements are signed %(ours)s.")
            % {"alg": alg[:20], "ours": ALGORITHM},
            "wrong_alg",
        )
    if header.get("typ") != JOSE_TYPE:
        raise _refuse(
            _("This JWS is not a verifiable credential: its typ must be %(typ)s.")
            % {"typ": JOSE_TYPE},
            "wrong_typ",
        )
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise _refuse(_("The statement names no key (kid) to check it with."), "no_kid")
    return header


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _status_index(claims: dict[str, Any], purpose: str) -> int | None:
    """The registry index a statement's status entry of ``purpose`` points at."""
    entries = claims.get("credentialStatus")
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, dict) or entry.get("statusPurpose") != purpose:
            continue
        position = str(entry.get("statusListIndex", ""))
        try:
            match = resolve(urlsplit(str(entry.get("statusListCredential"))).path)
        except Resolver404:
            return None
        if match.view_name != "api:status-list" or not position.isdigit():
            return None
        return int(match.kwargs["number"]) * LIST_SIZE + int(position)
    return None


def _bit(index: int | None, purpose: str) -> bool | None:
    if index is None:
        return None
    return StatusListEntry.objects.filter(purpose_q(purpose), index=index).exists()


def statement_verify(*, token: str, did: str, now: datetime | None = None) -> StatementCheck:
    """Check a statement's signature with the published keys, then its status and validity.

    Input that is not a registry statement at all raises ValidationError; a statement that
    is one but does not hold (altered, unknown key, revoked...) is a result, not an error.
    """
    token = (token or "").strip()
    header = _header(token)
    kid: str = header["kid"][:300]
    keys = {verification_method_id(did, key.kid): key for key in published_keys()}
    key = keys.get(kid)
    if key is None:
        return StatementCheck(StatementResult.UNKNOWN_KEY, key_id=kid)
    try:
        verified = jws.deserialize_compact(token, key.key, algorithms=[ALGORITHM])
        claims = json.loads(verified.payload)
    except (BadSignatureError, JoseError, binascii.Error, ValueError):
        return StatementCheck(StatementResult.TAMPERED, key_id=kid)
    types = claims.get("type") if isinstance(claims, dict) else None
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        raise _refuse(_("The signed content is not a verifiable credential."), "not_vc")
    index = _status_index(claims, REVOCATION)
    entry = (
        StatusListEntry.objects.select_related(
            "credential__provider", "credential__level__framework"
        )
        .filter(index=index)
        .first()
        if index is not None
        else None
    )
    revoked, suspended = (
        _bit(index, REVOCATION),
        _bit(_status_index(claims, SUSPENSION), SUSPENSION),
    )
    now = now or timezone.now()
    valid_from, valid_until = _time(claims.get("validFrom")), _time(claims.get("validUntil"))
    credential = entry.credential if entry else None
    public = credential if credential and credential.status in PUBLIC_STATUSES else None
    if revoked:
        result = StatementResult.REVOKED
    elif (valid_until is not None and valid_until < now) or (
        credential is not None and credential.status == CredentialStatus.EXPIRED
    ):
        result = StatementResult.EXPIRED
    elif suspended:
        result = StatementResult.SUSPENDED
    elif valid_from is not None and valid_from > now:
        result = StatementResult.NOT_YET_VALID
    else:
        result = StatementResult.VALID
    return StatementCheck(
        result,
        key_id=kid,
        credential=public,
        claims=claims,
        valid_from=valid_from,
        valid_until=valid_until,
        revoked=revoked,
        suspended=suspended,
    )
