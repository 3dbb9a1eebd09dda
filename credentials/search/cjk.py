"""CJK text for full-text search: Simplified→Traditional folding and character bigrams.

PostgreSQL's parser keeps a run of Chinese characters as one token, so a fragment
(`微證書` inside `香港大學微證書課程`) never matches on its own. The register indexes
overlapping character bigrams, plus single characters for one-character queries, and
treats the query the same way.

Folding is character by character on purpose: a per-character map gives every
substring of a folded document the same spelling as the folded query fragment, which
phrase-level conversion (context-dependent) cannot promise. The same map is installed
into PostgreSQL as `translate()` arguments (see `sql.py`), so documents built by a bulk
UPDATE or COPY fold exactly as the query does here.
"""

import re
from functools import lru_cache
from importlib import resources

# Han (basic, extension A, compatibility, extensions B-G), kana and Hangul syllables:
# scripts written without spaces between words. Kept in step with `CJK_CLASS_SQL`.
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)


def _python_class() -> str:
    return "".join(f"{chr(low)}-{chr(high)}" for low, high in CJK_RANGES)


def _sql_escape(codepoint: int) -> str:
    return f"\\u{codepoint:04x}" if codepoint <= 0xFFFF else f"\\U{codepoint:08x}"


CJK_CLASS = f"[{_python_class()}]"
# PostgreSQL ARE bracket expression with \u / \U escapes (plain ASCII in the migration).
CJK_CLASS_SQL = "[" + "".join(f"{_sql_escape(lo)}-{_sql_escape(hi)}" for lo, hi in CJK_RANGES) + "]"

CJK_RUN = re.compile(f"{CJK_CLASS}+")

# OpenCC's dictionaries (Apache-2.0, vendored in `data/opencc/` with their provenance):
# Simplified→Traditional characters, then Taiwan and Hong Kong variant forms to
# OpenCC's standard form, so 裡/裏 or 綫/線 fold together too.
_OPENCC_DIR = "data/opencc"
_ST_CHARACTERS = "STCharacters.txt"
_VARIANT_FILES = ("TWVariantsRev.txt", "HKVariantsRev.txt")


def _read_single_char_map(name: str) -> dict[str, str]:
    path = resources.files(__package__).joinpath(_OPENCC_DIR, name)
    mapping: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        first = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(first) == 1 and source != first:
            mapping[source] = first
    return mapping


@lru_cache(maxsize=1)
def fold_map() -> dict[str, str]:
    """Return the character map from Simplified (and variant) forms to one Traditional form."""
    mapping = _read_single_char_map(_ST_CHARACTERS)
    for name in _VARIANT_FILES:
        for source, target in _read_single_char_map(name).items():
            mapping.setdefault(source, target)
    # Follow chains (a→b, b→c) to their end so that folding twice changes nothing. Only
    # characters inside the CJK class are folded: the database folds CJK runs alone.
    resolved: dict[str, str] = {}
    for source in mapping:
        if not CJK_RUN.fullmatch(source):
            continue
        seen = {source}
        target = mapping[source]
        while target in mapping and target not in seen:
            seen.add(target)
            target = mapping[target]
        if target != source and CJK_RUN.fullmatch(target):
            resolved[source] = target
    return resolved


@lru_cache(maxsize=1)
def _translation_table() -> dict[int, str]:
    return str.maketrans(fold_map())


def fold(text: str) -> str:
    """Fold Simplified Chinese (and variant) characters to the register's Traditional form."""
    return text.translate(_translation_table())


def cjk_runs(text: str) -> list[str]:
    """Return the runs of CJK characters in `text`, folded, in order."""
    return CJK_RUN.findall(fold(text))


def strip_cjk(text: str) -> str:
    """Replace CJK runs with spaces, leaving the text the English parser should see."""
    return CJK_RUN.sub(" ", text)


def bigrams(run: str) -> list[str]:
    """Return the overlapping character pairs of one CJK run (the run itself if shorter)."""
    if len(run) < 2:
        return [run] if run else []
    return [run[index : index + 2] for index in range(len(run) - 1)]
