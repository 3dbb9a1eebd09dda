"""Facet option labels and order, worked out once rather than per option per request.

A browse's facets are the same few hundred options request after request, and building each
label through gettext (a lazy choice label, a formatted level name) was a millisecond or two
of every search. Labels are memoised per language and option: an option's label depends only
on those and on its names, which are part of the key, so a renamed provider or area gets a
new entry and never a stale label.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import override

from ..choices import CredentialKind, CredentialStatus, DeliveryMode
from .sizes import SIZE_CHOICES

# Long facet lists (providers, areas) show their most frequent options only.
FACET_OPTION_LIMIT = 30
# Dimensions ordered by count (most first), cut to FACET_OPTION_LIMIT; the rest by sort key.
_BY_COUNT = frozenset({"provider", "area"})
_CHOICE_LABELS: dict[str, dict[str, Any]] = {
    "mode": dict(DeliveryMode.choices),
    "kind": dict(CredentialKind.choices),
    "status": dict(CredentialStatus.choices),
    "size": dict(SIZE_CHOICES),
}
# Bounds the memo: options of every dimension in a few languages, with room for renames.
_LABEL_MEMO_SIZE = 16_384

# A facet row as the counting statement gives it: (value, code, name_en, name_zh, sort, count).
FacetRow = tuple[str, str, str, str, str, int]


def facet_rows_ordered(dimension: str, rows: Iterable[FacetRow]) -> list[FacetRow]:
    """`dimension`'s rows in the order shown, long lists cut to their most frequent options.

    Applied where the rows are read, so a cached browse stores (and unpickles) only what it
    shows, already in order.
    """
    if dimension in _BY_COUNT:
        return sorted(rows, key=lambda row: (-row[5], row[4]))[:FACET_OPTION_LIMIT]
    return sorted(rows, key=lambda row: row[4])


@lru_cache(maxsize=_LABEL_MEMO_SIZE)
def facet_label(language: str, dimension: str, code: str, name_en: str, name_zh: str) -> str:
    """The label of one facet option for a reader of `language`."""
    if dimension == "framework":
        return code
    if dimension in ("provider", "area"):
        chinese = language.lower().startswith("zh")
        return (name_zh if chinese and name_zh else name_en) or code
    with override(language):
        if dimension in _CHOICE_LABELS:
            return str(_CHOICE_LABELS[dimension].get(code, code))
        framework, _sep, level = code.partition(" ")
        return _("%(framework)s level %(level)s") % {"framework": framework, "level": level}
