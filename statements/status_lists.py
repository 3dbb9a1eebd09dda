"""Bitstring Status Lists (W3C Bitstring Status List v1.0) for revocation and suspension.

A list is computed from the register's current statuses when asked for, so every status
change (a QA decision, a sweep, a registry administrator's move) shows in the next list
without any step to forget. One query per list returns only the indexes whose bit is set.
The signed list is cached under the register's search generation, which every saved
credential and every bulk sweep bumps (credentials.search.cache), so a change shows at once;
``STATEMENT_STATUS_LIST_CACHE_SECONDS`` bounds the age of a list after a write that bypasses
both.

Each list covers ``LIST_SIZE`` indexes (131,072 bits, the spec's 16 KB minimum, for group
privacy): index *i* is bit ``i % LIST_SIZE`` of list ``i // LIST_SIZE``, the first bit being
the most significant bit of the first byte.
"""

import base64
import gzip
from collections.abc import Iterable

from django.db.models import Q

from credentials.choices import CredentialStatus

from .models import StatusListEntry

LIST_SIZE = 131_072
REVOCATION = "revocation"
SUSPENSION = "suspension"
PURPOSES = (REVOCATION, SUSPENSION)

# Ended for good: withdrawn, or not approved when a registered record was reviewed again.
REVOKED_STATUSES = (CredentialStatus.WITHDRAWN, CredentialStatus.NOT_APPROVED)
# Anything else but registered is a registration not in force now that can come back:
# suspended, expired (renewable), or back in review (under review, referred back, ...).
ACTIVE_STATUSES = (CredentialStatus.REGISTERED,)


def purpose_q(purpose: str) -> Q:
    """Credentials whose bit is set in a list of this purpose."""
    if purpose == REVOCATION:
        return Q(credential__status__in=REVOKED_STATUSES)
    return ~Q(credential__status__in=(*REVOKED_STATUSES, *ACTIVE_STATUSES))


def list_position(index: int) -> tuple[int, int]:
    """The list an index is in, and its bit there."""
    return divmod(index, LIST_SIZE)


def set_indexes(*, purpose: str, number: int) -> Iterable[int]:
    """The indexes in list ``number`` whose bit is set, in one query."""
    first = number * LIST_SIZE
    return (
        StatusListEntry.objects.filter(purpose_q(purpose), index__gte=first)
        .filter(index__lt=first + LIST_SIZE)
        .values_list("index", flat=True)
        .iterator(chunk_size=10_000)
    )


def bitstring(bits: Iterable[int], *, size: int = LIST_SIZE) -> bytes:
    """``size`` bits, those at the given positions set, first bit most significant."""
    data = bytearray(size // 8)
    for position in bits:
        data[position >> 3] |= 0x80 >> (position & 7)
    return bytes(data)


def encode_list(data: bytes) -> str:
    """The spec's encodedList: multibase base64url (prefix ``u``, no padding) of GZIP."""
    compressed = gzip.compress(data, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_list(encoded: str) -> bytes:
    """The bitstring of an encodedList, the inverse of ``encode_list``."""
    text = encoded.removeprefix("u")
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def bit_is_set(data: bytes, position: int) -> bool:
    return bool(data[position >> 3] & (0x80 >> (position & 7)))


def encoded_list(*, purpose: str, number: int) -> str:
    """List ``number`` of ``purpose`` as it stands now, encoded."""
    first = number * LIST_SIZE
    return encode_list(
        bitstring(index - first for index in set_indexes(purpose=purpose, number=number))
    )
