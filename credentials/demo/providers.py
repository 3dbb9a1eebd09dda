"""Demo providers: invented Hong Kong training providers, and the shared provider upsert.

The invented names are deliberately not those of real institutions, because the
micro-credentials they offer are invented too. Real institutions (HK universities,
Ofqual awarding organisations) come from the published files in their own builders.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from providers.choices import ProviderStatus, ProviderType
from providers.models import Provider

from .base import SeedContext, upsert_by_fields

HARBOUR = "harbour-institute"
EASTWIND = "eastwind-academy"
JADE_HILL = "jade-hill-institute"
SKYLINE = "skyline-aviation"
ATELIER_EAST = "atelier-east"
CORNERSTONE = "cornerstone-institute"

INVENTED_PROVIDERS: list[dict[str, Any]] = [
    {
        "slug": HARBOUR,
        "name_en": "Harbour Institute of Professional Studies",
        "name_zh": "海港專業進修學院",
        "short_name": "HIPS",
        "provider_type": ProviderType.SELF_FINANCING,
    },
    {
        "slug": EASTWIND,
        "name_en": "Eastwind Academy of Finance",
        "name_zh": "東風金融學院",
        "short_name": "EAF",
        "provider_type": ProviderType.TRAINING_PROVIDER,
    },
    {
        "slug": JADE_HILL,
        "name_en": "Jade Hill Institute of Health and Social Care",
        "name_zh": "翠嶺健康及社會護理學院",
        "short_name": "JHI",
        "provider_type": ProviderType.SELF_FINANCING,
    },
    {
        "slug": SKYLINE,
        "name_en": "Skyline Aviation Training Centre",
        "name_zh": "天際航空培訓中心",
        "short_name": "SATC",
        "provider_type": ProviderType.TRAINING_PROVIDER,
    },
    {
        "slug": ATELIER_EAST,
        "name_en": "Atelier East School of Fashion",
        "name_zh": "東方時裝學苑",
        "short_name": "AESF",
        "provider_type": ProviderType.TRAINING_PROVIDER,
    },
    {
        "slug": CORNERSTONE,
        "name_en": "Cornerstone Institute of the Built Environment",
        "name_zh": "基石建築環境學院",
        "short_name": "CIBE",
        "provider_type": ProviderType.SELF_FINANCING,
    },
]

PROVIDER_DEFAULTS: dict[str, Any] = {
    "name_zh": "",
    "short_name": "",
    "ukprn": None,
    "ofqual_recognition_number": None,
    "website": "",
    "self_accrediting": False,
    "status": ProviderStatus.ACTIVE,
}


def upsert_providers(
    rows: Sequence[Mapping[str, Any]], *, ctx: SeedContext, label: str
) -> dict[str, Provider]:
    """Upsert providers by slug and return them by slug."""
    full_rows = [{**PROVIDER_DEFAULTS, **row} for row in rows]
    by_key = upsert_by_fields(
        Provider, full_rows, key_fields=["slug"], report=ctx.report, label=label
    )
    return {slug: provider for (slug,), provider in by_key.items()}


def seed_invented_providers(*, ctx: SeedContext) -> dict[str, Provider]:
    """Upsert the invented Hong Kong training providers."""
    rows = [{**row, "jurisdiction": "HK"} for row in INVENTED_PROVIDERS]
    return upsert_providers(rows, ctx=ctx, label="HK training providers")
