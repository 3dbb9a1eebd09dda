"""Search results for the API, serialised from value dicts rather than model instances.

Building a model (and its provider, level and area) per row and walking a serializer's
fields for each was most of a search request's fixed cost in Python. The shape is
CredentialListSerializer's, which still documents it in the schema; tests compare the two.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, reverse
from rest_framework.request import Request

from ..choices import CURRENT_STATUSES
from ..search.service import Equivalence

# What a result is built from (the search adds "pk").
RESULT_VALUES = (
    "registration_number",
    "kind",
    "title_en",
    "title_zh",
    "provider_id",
    "provider__slug",
    "provider__name_en",
    "provider__name_zh",
    "level_id",
    "level__framework__code",
    "level__code",
    "credits",
    "notional_hours",
    "area_of_study__name_en",
    "area_of_study__name_zh",
    "mode_of_delivery",
    "quality_marks",
    "status",
    "valid_from",
    "valid_to",
)
# A pk no register reaches: each link is reversed once per response with it in place.
_PK_MARKER = "9187201950435737471"
# credits is a DecimalField(max_digits=6, decimal_places=1): DRF writes it as "6.0".
_CREDITS_PLACES = Decimal("0.1")


@lru_cache(maxsize=64)
def _path_template(script_prefix: str, view_name: str) -> tuple[str, str]:
    """The path of `view_name`'s page for any pk, as the text before and after the pk:
    the same for every request under one script prefix, so reversed once."""
    path = reverse(view_name, kwargs={"pk": int(_PK_MARKER)})
    head, _marker, tail = path.partition(_PK_MARKER)
    return head, tail


def _link_maker(request: Request, view_name: str) -> Callable[[int], str]:
    head, tail = _path_template(get_script_prefix(), view_name)
    origin = request.build_absolute_uri(head)
    return lambda pk: f"{origin}{pk}{tail}"


def _area(name_en: str | None, name_zh: str | None) -> str | None:
    """AreaOfStudy.__str__, from its two names."""
    if name_en is None:
        return None
    return f"{name_en} / {name_zh}" if name_zh else name_en


def result_items(
    rows: list[dict[str, Any]], *, request: Request, equivalences: list[Equivalence]
) -> list[dict[str, Any]]:
    """The `results` of a search response for rows of RESULT_VALUES."""
    api_url = _link_maker(request, "api:credential-detail")
    page_url = _link_maker(request, "credentials:detail")
    # The statements app serves it (config.api_urls); the name is all this layer knows.
    statement_url = _link_maker(request, "api:credential-statement")
    by_level = {item.level_id: item.basis for item in equivalences}
    items = []
    for row in rows:
        pk = row["pk"]
        credits = row["credits"]
        valid_from, valid_to = row["valid_from"], row["valid_to"]
        area = _area(row["area_of_study__name_en"], row["area_of_study__name_zh"])
        items.append(
            {
                "id": pk,
                "url": api_url(pk),
                "page_url": page_url(pk),
                "verifiable_credential_url": (
                    statement_url(pk) if row["status"] in CURRENT_STATUSES else None
                ),
                "registration_number": row["registration_number"],
                "kind": row["kind"],
                "title_en": row["title_en"],
                "title_zh": row["title_zh"],
                "provider": {
                    "id": row["provider_id"],
                    "slug": row["provider__slug"],
                    "name_en": row["provider__name_en"],
                    "name_zh": row["provider__name_zh"],
                },
                "framework": row["level__framework__code"],
                "level": row["level__code"],
                "credits": None if credits is None else f"{credits.quantize(_CREDITS_PLACES):f}",
                "notional_hours": row["notional_hours"],
                "area_of_study": area,
                "mode_of_delivery": row["mode_of_delivery"],
                "quality_marks": list(row["quality_marks"]),
                "status": row["status"],
                "valid_from": valid_from.isoformat() if valid_from else None,
                "valid_to": valid_to.isoformat() if valid_to else None,
                "equivalence_basis": (
                    by_level.get(row["level_id"], "same") if equivalences else None
                ),
            }
        )
    return items
