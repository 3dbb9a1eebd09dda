"""The fixed query mix `make bench` times, by class.

Each class mixes rare and broad cases on purpose: a broad English word matches tens of
thousands of entries at 1M and `level` is in nearly every Ofqual title, which is where
ranking and counting every match would hurt. Registration numbers and the facet
queries' provider come from the loaded register, so they exist whatever N is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from credentials.choices import CredentialStatus
from credentials.models import Credential

ENGLISH = "english"
CHINESE = "chinese"
FILTERS = "filters"
FACETS = "facets"
NUMBERS = "numbers"
CATEGORIES = (ENGLISH, CHINESE, FILTERS, FACETS, NUMBERS)


@dataclass(frozen=True)
class BenchQuery:
    category: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return "&".join(f"{key}={value}" for key, value in self.params.items()) or "(no filters)"


def _sample_numbers() -> list[str]:
    """Two Ofqual-style and one HKQR-style number of registered entries, from mid-table."""
    middle = (Credential.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) // 2
    candidates = (
        Credential.objects.filter(pk__gte=middle, status=CredentialStatus.REGISTERED)
        .order_by("pk")
        .values_list("registration_number", flat=True)[:200]
    )
    ofqual = [number for number in candidates if "/L" not in number][:2]
    hkqr = [number for number in candidates if "/L" in number][:1]
    return ofqual + hkqr


def _sample_provider() -> str:
    """The provider of an entry near the middle of the table: a busy one, by weight."""
    middle = (Credential.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) // 2
    return (
        Credential.objects.filter(pk__gte=middle)
        .order_by("pk")
        .values_list("provider__slug", flat=True)
        .first()
        or ""
    )


def query_mix() -> list[BenchQuery]:
    """Return the benchmark's queries, in a fixed order."""
    queries = [
        # English: rare, middling, broad, stemmed, a synonym, a near-stop-word.
        BenchQuery(ENGLISH, {"q": "aromatherapy"}),
        BenchQuery(ENGLISH, {"q": "accounting"}),
        BenchQuery(ENGLISH, {"q": "nurses"}),
        BenchQuery(ENGLISH, {"q": "health and social care"}),
        BenchQuery(ENGLISH, {"q": "diploma"}),
        BenchQuery(ENGLISH, {"q": "HNC"}),
        BenchQuery(ENGLISH, {"q": "level 3 diploma"}),
        # Chinese fragments inside longer runs, Simplified input, a synonym.
        BenchQuery(CHINESE, {"q": "金融"}),
        BenchQuery(CHINESE, {"q": "工程"}),
        BenchQuery(CHINESE, {"q": "護理"}),
        BenchQuery(CHINESE, {"q": "微證書"}),
        BenchQuery(CHINESE, {"q": "会计"}),
        BenchQuery(CHINESE, {"q": "人工智能"}),
        # Filters only: the default view (the whole current register) and each filter.
        BenchQuery(FILTERS, {}),
        BenchQuery(FILTERS, {"framework": "HKQF"}),
        BenchQuery(FILTERS, {"level": "RQF-3"}),
        BenchQuery(FILTERS, {"eqf": "5"}),
        BenchQuery(FILTERS, {"area": "15.1"}),
        BenchQuery(FILTERS, {"mode": "online", "kind": "micro_credential"}),
        BenchQuery(FILTERS, {"framework": "HKQF", "credits_min": "5", "credits_max": "30"}),
        BenchQuery(FILTERS, {"status": "all", "ordering": "newest"}),
        # Ticked facets: each narrowed dimension is counted without its own filter.
        BenchQuery(FACETS, {"q": "diploma", "level": "RQF-3"}),
        BenchQuery(FACETS, {"q": "金融", "mode": "online"}),
        BenchQuery(FACETS, {"q": "accounting", "framework": "RQF", "kind": "qualification"}),
        BenchQuery(FACETS, {"eqf": "4", "provider": _sample_provider()}),
        BenchQuery(FACETS, {"framework": "HKQF", "area": "Business", "kind": "micro_credential"}),
    ]
    # Registration numbers as printed and without separators, and one that is not there.
    for number in _sample_numbers():
        queries.append(BenchQuery(NUMBERS, {"q": number}))
        queries.append(BenchQuery(NUMBERS, {"q": "".join(ch for ch in number if ch.isalnum())}))
    queries.append(BenchQuery(NUMBERS, {"q": "999/9999/9"}))
    return queries
