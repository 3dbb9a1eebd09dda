"""Bitstring Status Lists (W3C Bitstring Status List v1.0) for revocation and suspension.

The lists are computed from the register's current statuses when asked for, so every
status change (a QA decision, a sweep, a registry administrator's move) shows in the next
list without any step to forget. One query per purpose returns only the indexes whose bit
is set, for all of that purpose's lists at once.
The signed lists are cached under the register's search generation, which every saved
credential and every bulk sweep bumps (credentials.search.cache), so a change shows at once;
``STATEMENT_STATUS_LIST_CACHE_SECONDS`` bounds the age of a list after a write that
bypasses both.

Each list covers ``LIST_SIZE`` indexes (131,072 bits, the spec's 16 KB minimum, for group
privacy): index *i* is bit ``i % LIST_SIZE`` of list ``i // LIST_SIZE``, the first bit being
the most significant bit of the first byte.
"""

import base64
import gzip
from collections.abc import Iterator

from django.db.models import Max, Q

from credentials.choices import CURRENT_STATUSES, CredentialStatus

from .models import StatusListEntry

LIST_SIZE = 131_072
REVOCATION = "revocation"
SUSPENSION = "suspension"
PURPOSES = (REVOCATION, SUSPENSION)

# Ended for good: withdrawn, or not approved when a registered record was reviewed again.
REVOKED_STATUSES = (CredentialStatus.WITHDRAWN, CredentialStatus.NOT_APPROVED)
# A registration in force (registered, or in teach-out: valid for those enrolled): the only
# statuses that get new statements.
ACTIVE_STATUSES = CURRENT_STATUSES
# Statuses that set no bit: those in force, and a version superseded by its successor, whose
# earlier statements stay true of what was registered (the record links the next version).
# Anything else is a registration not in force now that can come back: suspended, expired
# (renewable), or back in review (under review, referred back, ...).
UNFLAGGED_STATUSES = (*ACTIVE_STATUSES, CredentialStatus.SUPERSEDED)


def purpose_q(purpose: str) -> Q:
    """Credentials whose bit is set in a list of this purpose."""
    if purpose == REVOCATION:
        return Q(credential__status__in=REVOKED_STATUSES)
    return ~Q(credential__status__in=(*REVOKED_STATUSES, *UNFLAGGED_STATUSES))


def list_position(index: int) -> tuple[int, int]:
    """The list an index is in, and its bit there."""
    return divmod(index, LIST_SIZE)


def set_indexes(*, purpose: str) -> Iterator[int]:
    """Every index whose bit is set in the lists of ``purpose``, in one query."""
    return (
        StatusListEntry.objects.filter(purpose_q(purpose))
        .values_list("index", flat=True)
        .iterator(chunk_size=10_000)
    )


def list_count() -> int:
    """How many lists there are: enough to hold the highest index allocated so far."""
    highest = StatusListEntry.objects.aggregate(highest=Max("index"))["highest"] or 0
    return highest // LIST_SIZE + 1


def encode_list(data: bytes) -> str:
    """The spec's encodedList: multibase base64url (prefix ``u``, no padding) of GZIP."""
    compressed = gzip.compress(data, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_list(encoded: str) -> bytes:
    """The bitstring of an encodedList, the inverse of ``encode_list``."""
    text = encoded.removeprefix("u")
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def encoded_lists(*, purpose: str) -> dict[int, str]:
    """Every list of ``purpose`` as it stands now, encoded, by number.

    All lists at once: a purpose's set bits come from one scan, which costs the same for one
    list as for all of them (about a second for 300,000 set bits among a million records).
    """
    lists = {number: bytearray(LIST_SIZE // 8) for number in range(list_count())}
    for index in set_indexes(purpose=purpose):
        number, position = list_position(index)
        # An index allocated after the count was read still gets its list.
        data = lists.setdefault(number, bytearray(LIST_SIZE // 8))
        data[position >> 3] |= 0x80 >> (position & 7)
    return {number: encode_list(bytes(data)) for number, data in sorted(lists.items())}
