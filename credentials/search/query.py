"""Turn what a learner typed into a PostgreSQL text-search query.

English words go through the `english` configuration (stemmed, stop words dropped) and
are ANDed. CJK runs are folded Simplified→Traditional and become phrases of character
bigrams in the `simple` configuration, matching how `sql.py` indexes them; a single
character becomes a prefix match on the indexed bigrams. Synonym phrases expand to an
OR of their alternatives. A query that looks like a registration number also yields a
`registration_key`, matched exactly against the generated column.

The tsquery text is assembled only from word characters, CJK characters and operators
this module writes, so nothing a user types can break `to_tsquery`'s syntax.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery

from ..numbers import registration_key
from .cjk import CJK_RANGES, bigrams, fold
from .names import QUALIFICATION_NAMES
from .synonyms import synonym_table

QUERY_MAX_LENGTH = 200
# Bounds the size of the tsquery a single request can make PostgreSQL evaluate.
MAX_TERMS = 24

_CJK_CHARS = "".join(f"{chr(low)}-{chr(high)}" for low, high in CJK_RANGES)
_TOKEN = re.compile(f"(?P<cjk>[{_CJK_CHARS}]+)|(?P<word>[^\\W_{_CJK_CHARS}]+)")
_NUMBER_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/.\- ]*")

ENGLISH = "english"
SIMPLE = "simple"

Token = tuple[str, str]  # ("word", "btec") or ("cjk", "微證書")
Part = tuple[str, str]  # (configuration, tsquery text)
Alternative = tuple[Part, ...]  # parts ANDed
Group = tuple[Alternative, ...]  # alternatives ORed


def clean(text: str) -> str:
    """Drop control characters (NUL among them) and collapse whitespace."""
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in " \t")
    return " ".join(kept.split())


def tokenize(text: str) -> list[Token]:
    """Split folded text into lower-cased words and CJK runs, in order."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(fold(unicodedata.normalize("NFKC", text))):
        if match["cjk"]:
            tokens.append(("cjk", match["cjk"]))
        else:
            tokens.append(("word", match["word"].lower()))
    return tokens


def number_query_key(text: str) -> str | None:
    """Return the registration key a number-like query stands for, or None."""
    text = text.strip()
    if not _NUMBER_LIKE.fullmatch(text) or not any(ch.isdigit() for ch in text):
        return None
    key = registration_key(text)
    return key if 4 <= len(key) <= 40 else None


def _cjk_expression(run: str) -> str:
    if len(run) == 1:
        return f"{run}:*"
    return " <-> ".join(bigrams(run))


def _phrase_parts(tokens: tuple[Token, ...]) -> Alternative:
    """Return the tsquery parts that match `tokens` as a phrase (one per configuration)."""
    words = [value for kind, value in tokens if kind == "word"]
    runs = [value for kind, value in tokens if kind == "cjk"]
    parts: list[Part] = []
    if words:
        parts.append((ENGLISH, " <-> ".join(words)))
    if runs:
        parts.append((SIMPLE, " <-> ".join(f"({_cjk_expression(run)})" for run in runs)))
    return tuple(parts)


# English stop words that name qualifications ("A level", "AS level"): the `english`
# configuration drops them, so a phrase holding one would shrink to plain "level".
_NAMING_STOP_WORDS = {"a", "as"}


def _weakened_by_stop_words(alternative: tuple[Token, ...]) -> bool:
    return any(kind == "word" and value in _NAMING_STOP_WORDS for kind, value in alternative)


@lru_cache(maxsize=1)
def _synonym_index() -> tuple[dict[tuple[Token, ...], tuple[tuple[Token, ...], ...]], int]:
    index: dict[tuple[Token, ...], tuple[tuple[Token, ...], ...]] = {}
    for term, alternatives in synonym_table().items():
        key = tuple(tokenize(term))
        if not key:
            continue
        expanded = tuple(dict.fromkeys(tuple(tokenize(alt)) for alt in alternatives))
        if _weakened_by_stop_words(key):
            # "A level" would match every "Level 4"; keep only what the term names in full
            # ("GCE A Level", where the dropped word leaves a gap the phrase still needs).
            expanded = tuple(alt for alt in expanded if alt != key) or expanded
        index[key] = tuple(dict.fromkeys((*index.get(key, ()), *expanded)))
    # Every spelling of a stop-word name is its canonical document word, and only that:
    # "GCE A level" as a phrase would also match "GCE AS Level" (both stop words vanish).
    for name in QUALIFICATION_NAMES:
        for spelling in name.spellings:
            index[tuple(tokenize(spelling))] = ((("word", name.token),),)
    longest = max((len(key) for key in index), default=1)
    return index, longest


@dataclass(frozen=True)
class ParsedQuery:
    """A cleaned query: text-search groups (ANDed) and a registration key, if any."""

    text: str
    groups: tuple[Group, ...]
    registration_key: str | None

    @property
    def is_empty(self) -> bool:
        return not self.groups and self.registration_key is None

    def search_query(self) -> SearchQuery | None:
        """Return the Django expression for the tsquery, or None when there is none."""
        if not self.groups:
            return None
        combined_groups = []
        for group in self.groups:
            alternatives = [
                reduce(
                    and_,
                    (SearchQuery(text, config=config, search_type="raw") for config, text in alt),
                )
                for alt in group
            ]
            combined_groups.append(reduce(or_, alternatives))
        return reduce(and_, combined_groups)

    def tsquery_texts(self) -> list[list[list[Part]]]:
        """Return the groups as plain data, for logging and tests."""
        return [[list(alt) for alt in group] for group in self.groups]


def parse_query(text: str) -> ParsedQuery:
    """Parse a learner's query into text-search groups and an optional registration key."""
    text = clean(text)[:QUERY_MAX_LENGTH]
    tokens = tokenize(text)[:MAX_TERMS]
    index, longest = _synonym_index()
    groups: list[Group] = []
    plain: list[Token] = []
    position = 0
    while position < len(tokens):
        for size in range(min(longest, len(tokens) - position), 0, -1):
            span = tuple(tokens[position : position + size])
            if span in index:
                groups.append(tuple(_phrase_parts(alt) for alt in index[span]))
                position += size
                break
        else:
            plain.append(tokens[position])
            position += 1
    words = [value for kind, value in plain if kind == "word"]
    runs = [value for kind, value in plain if kind == "cjk"]
    plain_parts: list[Part] = []
    if words:
        plain_parts.append((ENGLISH, " & ".join(words)))
    if runs:
        plain_parts.append((SIMPLE, " & ".join(f"({_cjk_expression(run)})" for run in runs)))
    if plain_parts:
        groups.insert(0, (tuple(plain_parts),))
    return ParsedQuery(text=text, groups=tuple(groups), registration_key=number_query_key(text))
