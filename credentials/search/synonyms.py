"""Search synonyms for common qualification names.

The Ofqual register's own term → qualification-type list (Open Government Licence v3;
copied as published from the Ofqual register service into
`data/`) is one-way: `BTEC` also finds "Other General Qualification" entries. The
register's own groups below are two-way: any member finds the others; its one-way
entries name several things at once ("HNC/HND": either). Names made of stop words ("A
level") are not synonyms but canonical words in the document (`names.py`).
"""

import json
from functools import lru_cache
from importlib import resources

OFQUAL_SYNONYMS_FILE = "data/ofqual-qualification-type-synonyms.json"

# Each group names one thing; a query for any member also finds the rest.
REGISTER_SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("HNC", "Higher National Certificate"),
    ("HND", "Higher National Diploma"),
    ("HTQ", "Higher Technical Qualification"),
    ("CertHE", "Certificate of Higher Education"),
    ("DipHE", "Diploma of Higher Education"),
    ("NVQ", "National Vocational Qualification"),
    ("CEF", "Continuing Education Fund", "持續進修基金"),
    ("Higher Diploma", "高級文憑"),
    ("Associate Degree", "副學士"),
    ("Foundation Degree", "FdA", "FdSc"),
    (
        "micro-credential",
        "micro-credentials",
        "microcredential",
        "microcredentials",
        "微證書",
        "微型證書",
    ),
)

# A query for the key finds any of the alternatives, but not the other way round.
REGISTER_ONE_WAY: dict[str, tuple[str, ...]] = {
    "HNC/HND": ("HNC", "HND", "Higher National Certificate", "Higher National Diploma"),
    "CertHE/DipHE": (
        "CertHE",
        "DipHE",
        "Certificate of Higher Education",
        "Diploma of Higher Education",
    ),
}


@lru_cache(maxsize=1)
def synonym_table() -> dict[str, tuple[str, ...]]:
    """Return each synonym phrase mapped to every phrase a query for it should match.

    Keys and values are phrases as written; `query.py` tokenises them the same way it
    tokenises a query, so "A-LEVEL", "A LEVEL" and "a level" are one key.
    """
    table: dict[str, list[str]] = {}
    raw = resources.files(__package__).joinpath(OFQUAL_SYNONYMS_FILE).read_text("utf-8")
    for entry in json.loads(raw):
        term, target = entry["term"], entry["qualificationType"]
        alternatives = table.setdefault(term, [term])
        if target not in alternatives:
            alternatives.append(target)
    for group in REGISTER_SYNONYM_GROUPS:
        for member in group:
            alternatives = table.setdefault(member, [member])
            alternatives.extend(other for other in group if other not in alternatives)
    for term, targets in REGISTER_ONE_WAY.items():
        alternatives = table.setdefault(term, [])
        alternatives.extend(target for target in targets if target not in alternatives)
    return {term: tuple(alternatives) for term, alternatives in table.items()}
