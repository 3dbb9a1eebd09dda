"""Did you mean: a correction for misspelt words, from the register's own vocabulary.

- An English word the vocabulary does not hold (`nursng`) becomes its most similar word
  there (pg_trgm similarity, ties to the more frequent word): `nursing`. Qualification
  names the search knows (`CertHE`, `BTEC`) are never corrected.
- A Chinese run whose character pairs the vocabulary does not all hold has one character
  replaced, where one replacement explains every missing pair: `微證晝` → `微證書` (晝 makes
  both 證晝 and the next pair unknown; 書 makes them pairs the register uses). Simplified
  input needs no suggestion: it is folded to Traditional before it is searched.

One query looks up every word of the query. The caller checks that the suggestion finds
more than the query did before showing it (`service.py`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connections, router

from ..models import SearchTerm
from .cjk import fold
from .names import QUALIFICATION_NAMES
from .query import clean, tokenize
from .synonyms import synonym_table

# Shorter words are abbreviations or stop words: too little to correct from.
MIN_WORD_LENGTH = 4
# A run longer than this is a phrase, not a word with a slip in it.
MAX_RUN_LENGTH = 12

# Rows: ("word", a query word the vocabulary lacks, its closest word or NULL, NULL) and
# ("pair", a character pair of the vocabulary near the query's runs, NULL, its frequency).
_LOOKUP_SQL = """
SELECT 'word', q.word, best.word, NULL::integer
FROM unnest(%(words)s::text[]) AS q(word)
LEFT JOIN LATERAL (
    SELECT t.word FROM credentials_searchterm AS t
    WHERE t.word %% q.word
    ORDER BY similarity(t.word, q.word) DESC, t.frequency DESC, t.word
    LIMIT 1
) AS best ON TRUE
WHERE NOT EXISTS (SELECT 1 FROM credentials_searchterm AS k WHERE k.word = q.word)
UNION ALL
SELECT 'pair', word, NULL, frequency FROM credentials_searchterm
WHERE word = ANY(%(pairs)s::text[]) OR word LIKE ANY(%(patterns)s::text[])
"""


@lru_cache(maxsize=1)
def _name_words() -> frozenset[str]:
    """Words of the synonym table and qualification names: "CertHE" finding nothing is no
    misspelling of "certified"."""
    phrases = [phrase for key, values in synonym_table().items() for phrase in (key, *values)]
    phrases += [spelling for name in QUALIFICATION_NAMES for spelling in name.spellings]
    return frozenset(
        value for phrase in phrases for kind, value in tokenize(phrase) if kind == "word"
    )


def _pairs(run: str) -> list[str]:
    return [run[index : index + 2] for index in range(len(run) - 1)]


def _replacement_slots(run: str, unknown: set[str]) -> tuple[int, ...]:
    """Positions where one character explains every unknown pair of `run`."""
    pairs = _pairs(run)
    missing = [index for index, pair in enumerate(pairs) if pair in unknown]
    if not missing or len(missing) > 2:
        return ()
    if len(missing) == 2:
        return (missing[1],) if missing[1] == missing[0] + 1 else ()
    return (missing[0], missing[0] + 1)


def _best_character(run: str, slot: int, frequency: dict[str, int]) -> tuple[int, str] | None:
    """The character for `slot` whose pairs with both neighbours are the most used."""
    left = run[slot - 1] if slot > 0 else None
    right = run[slot + 1] if slot + 1 < len(run) else None
    found: dict[str, int] = {}
    for pair, count in frequency.items():
        if left is not None and pair[0] == left:
            candidate = pair[1]
        elif right is not None and pair[1] == right:
            candidate = pair[0]
        else:
            continue
        if candidate == run[slot] or candidate in found:
            continue
        scores = [
            frequency.get(left + candidate, 0) if left is not None else count,
            frequency.get(candidate + right, 0) if right is not None else count,
        ]
        if min(scores) > 0:
            found[candidate] = min(scores)
    if not found:
        return None
    best = max(found, key=lambda character: (found[character], character))
    return found[best], best


def spelling_suggestion(text: str) -> str | None:
    """Return `text` with its misspelt words corrected, or None when nothing needs it."""
    text = clean(text)
    words = sorted(
        {
            value
            for kind, value in tokenize(text)
            if kind == "word"
            and len(value) >= MIN_WORD_LENGTH
            and value.isalpha()
            and value not in _name_words()
        }
    )
    runs = [
        value
        for kind, value in tokenize(text)
        if kind == "cjk" and 2 <= len(value) <= MAX_RUN_LENGTH
    ]
    pairs = sorted({pair for run in runs for pair in _pairs(run)})
    if not words and not pairs:
        return None
    # Every pair that starts or ends with a character of the runs: the candidates for a
    # replacement next to it (LIKE patterns the trigram index answers).
    characters = sorted({character for run in runs for character in run})
    patterns = [f"{c}_" for c in characters] + [f"_{c}" for c in characters]
    alias = router.db_for_read(SearchTerm) or DEFAULT_DB_ALIAS
    with connections[alias].cursor() as cursor:
        cursor.execute(_LOOKUP_SQL, {"words": words, "pairs": pairs, "patterns": patterns})
        rows = cursor.fetchall()
    corrections = {word: best for kind, word, best, _n in rows if kind == "word" and best}
    frequency = {pair: count for kind, pair, _best, count in rows if kind == "pair"}
    fixed_runs = _fixed_runs(runs, frequency)
    if not corrections and not fixed_runs:
        return None
    suggestion = fold(unicodedata.normalize("NFKC", text)) if fixed_runs else text
    for run, replacement in fixed_runs.items():
        suggestion = suggestion.replace(run, replacement)
    for word, replacement in corrections.items():
        suggestion = re.sub(rf"(?i)(?<!\w){re.escape(word)}(?!\w)", replacement, suggestion)
    return suggestion if suggestion != text else None


def _fixed_runs(runs: list[str], frequency: dict[str, int]) -> dict[str, str]:
    fixed: dict[str, str] = {}
    for run in runs:
        unknown = {pair for pair in _pairs(run) if pair not in frequency}
        options = []
        for slot in _replacement_slots(run, unknown):
            best = _best_character(run, slot, frequency)
            if best is not None:
                options.append((best[0], run[:slot] + best[1] + run[slot + 1 :]))
        if options:
            fixed[run] = max(options)[1]
    return fixed
