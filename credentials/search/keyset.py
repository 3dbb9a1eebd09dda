"""Keyset (cursor) pagination for browses ordered by title or newest.

A page reached by OFFSET reads and throws away every row before it; a cursor names the
last (or first) row shown, and the next page starts right after it on the ordering's
index (``credential_title_order``, ``credential_newest_order``), however deep it is. So
`next` links of a browse carry a cursor, and can go on past the count cap to the end of
the register. The cursor also carries the page's number, for "page 7" in the page.

A cursor is only sort-key values: it selects nothing by itself (every filter and the
visibility rules still apply), so it needs no signature; a malformed one is a 400.
"""

from __future__ import annotations

import base64
import datetime
import json
from dataclasses import dataclass

from django.db.models import Q

from .filters import Ordering

# Ordering -> (sort field, descending); the id breaks ties in the same direction.
KEYSET_ORDERINGS: dict[str, tuple[str, bool]] = {
    Ordering.TITLE: ("title_en", False),
    Ordering.NEWEST: ("created_at", True),
}
MAX_CURSOR_LENGTH = 1_000


class CursorError(ValueError):
    """The cursor is not one this search wrote."""


@dataclass(frozen=True)
class PageCursor:
    ordering: str
    number: int  # the page this cursor leads to
    forward: bool  # rows after `key` (a next link) or before it (a previous link)
    value: str | datetime.datetime
    pk: int

    def encode(self) -> str:
        value = self.value.isoformat() if isinstance(self.value, datetime.datetime) else self.value
        text = json.dumps(
            [self.ordering, self.number, int(self.forward), value, self.pk],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def condition(self) -> Q:
        """The rows on the far side of the cursor, in the direction it leads."""
        field, descending = KEYSET_ORDERINGS[self.ordering]
        later = self.forward != descending  # rows with a greater key
        beyond, tie = ("gt", "gt") if later else ("lt", "lt")
        bound = "gte" if later else "lte"
        # The range on the sort field alone lets PostgreSQL start the index walk at the key.
        return Q(**{f"{field}__{bound}": self.value}) & (
            Q(**{f"{field}__{beyond}": self.value}) | Q(**{f"pk__{tie}": self.pk})
        )

    def order_by(self) -> tuple[str, str]:
        """The ordering to read in: the page's own, or its reverse for a previous link."""
        field, descending = KEYSET_ORDERINGS[self.ordering]
        reverse = descending == self.forward
        prefix = "-" if reverse else ""
        return (f"{prefix}{field}", f"{prefix}pk")


def cursor_for(ordering: str, number: int, *, forward: bool, row) -> PageCursor:
    """The cursor to the page `number`, just after (or before) `row`, a model or a dict."""
    field, _descending = KEYSET_ORDERINGS[ordering]
    if isinstance(row, dict):
        return PageCursor(ordering, number, forward, row[field], row["pk"])
    return PageCursor(ordering, number, forward, getattr(row, field), row.pk)


def cursor_decode(text: str, ordering: str) -> PageCursor:
    """Read a cursor for `ordering`; raises CursorError for anything else."""
    if len(text) > MAX_CURSOR_LENGTH:
        raise CursorError(text)
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        written, number, forward, value, pk = json.loads(raw)
    except (ValueError, TypeError) as error:
        raise CursorError(text) from error
    if (
        written != ordering
        or type(number) is not int
        or not 1 <= number <= 10**9
        or forward not in (0, 1)
        or not isinstance(value, str)
        or "\x00" in value
        or type(pk) is not int
        or not 1 <= pk < 2**63
    ):
        raise CursorError(text)
    key: str | datetime.datetime = value
    if KEYSET_ORDERINGS[ordering][0] == "created_at":
        try:
            key = datetime.datetime.fromisoformat(value)
        except ValueError as error:
            raise CursorError(text) from error
        if key.tzinfo is None:
            raise CursorError(text)
    return PageCursor(ordering, number, bool(forward), key, pk)
