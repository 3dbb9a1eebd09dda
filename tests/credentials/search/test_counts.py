"""How the search counts: capped text candidates, ticked facets, cached exact browse counts."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from credentials.models import Credential
from credentials.search.cache import search_cache_invalidate
from tests.factories import CredentialFactory

from .conftest import search

pytestmark = pytest.mark.django_db


def facet(body, dimension: str) -> dict[str, int]:
    return {option["value"]: option["count"] for option in body["facets"][dimension]}


def without(params: dict, *names: str) -> dict:
    return {key: value for key, value in params.items() if key not in names}


@pytest.mark.parametrize("cap", [1000, 2])
@pytest.mark.parametrize(
    "params",
    [
        {"q": "finance", "level": "HKQF-4"},
        {"q": "finance", "kind": "qualification", "provider": "polyu"},
        {"q": "金融", "mode": "online", "status": "all"},
        {"q": "finance", "status": "expired"},
    ],
)
def test_a_ticked_facet_counts_the_search_without_its_own_filter(client, register, params, cap):
    """Each ticked facet's options count the same search with that facet's filter left out
    (for status: every public status). Below the cap the total is exact; past it (the
    search without its facets passed the cap) the results are the shared candidates that
    pass every ticked facet, counted as a lower bound ("2+") and all true matches."""
    with override_settings(SEARCH_RESULT_CAP=cap, SEARCH_RANK_WINDOW=cap):
        body = search(client, **params)
        for dimension in ("level", "kind", "provider", "mode", "status"):
            if dimension not in params:
                continue
            alone = search(
                client,
                **without(params, dimension),
                **({"status": "all"} if dimension == "status" else {}),
            )
            if not body["facets_capped"] and not alone["count_capped"]:
                assert facet(body, dimension) == facet(alone, dimension), dimension
        # The shared candidates: the text without any ticked facet (status ticked: all).
        shared = search(client, q=params["q"], **({"status": "all"} if "status" in params else {}))
    everything = Credential.objects.count()
    with override_settings(SEARCH_RESULT_CAP=everything, SEARCH_RANK_WINDOW=everything):
        exact = search(client, **params, page_size=100)
    matching = {item["id"] for item in exact["results"]}
    assert {item["id"] for item in body["results"]} <= matching
    if shared["count_capped"]:
        assert body["count_capped"] is True and body["facets_capped"] is True
        assert body["count"] <= min(exact["count"], cap)
        assert len(body["results"]) == min(body["count"], 20)
    else:
        assert body["count"] == exact["count"]
        assert body["count_capped"] is False
        assert len(body["results"]) == min(exact["count"], 20)


def test_a_text_search_with_a_ticked_facet_is_still_two_queries_after_its_codes(
    client, register, django_assert_num_queries
):
    """The level code is resolved to ids first (one query), then counts and rows."""
    with override_settings(SEARCH_SUGGESTION_BELOW=0), django_assert_num_queries(3):
        search(client, q="finance", level="HKQF-4", mode="online", status="all")
    # One result is few: one more query looks up the words for a "did you mean".
    with django_assert_num_queries(4):
        search(client, q="finance", level="HKQF-4", mode="online", status="all")


def test_a_browse_counts_every_match_even_beyond_the_cap(client, register):
    """Browse facets are exact (counted once and cached), only the total is capped."""
    with override_settings(SEARCH_RESULT_CAP=2):
        body = search(client, status="all")

    assert body["count"] == 2 and body["count_capped"] is True
    assert body["facets_capped"] is False
    # Registered (one of them past its validity) and expired; never the draft.
    assert facet(body, "status") == {"registered": 6, "expired": 1}
    assert sum(facet(body, "provider").values()) == 7


def test_a_repeated_browse_is_served_from_the_cache(client, register, django_assert_num_queries):
    first = search(client, framework="HKQF")

    with django_assert_num_queries(1):  # only the page's rows: counts and ids are cached
        again = search(client, framework="HKQF")
    assert again == first


def test_saving_a_credential_makes_cached_browse_counts_stale(client, register):
    before = search(client, framework="HKQF")

    CredentialFactory(provider=register.hku, title_en="Certificate in Fresh Finance")
    after = search(client, framework="HKQF")

    assert after["count"] == before["count"] + 1
    assert facet(after, "provider")["hku"] == facet(before, "provider")["hku"] + 1


def test_writes_that_bypass_save_show_after_an_explicit_invalidation(client, register):
    before = search(client)
    Credential.objects.filter(pk=register.ai.pk).update(
        valid_from=datetime.date(2000, 1, 1), valid_to=datetime.date(2001, 1, 1)
    )

    assert search(client)["count"] == before["count"]  # cached: QuerySet.update sends no signal
    search_cache_invalidate()
    assert search(client)["count"] == before["count"] - 1


@override_settings(SEARCH_FACET_CACHE_SECONDS=0)
def test_browse_caching_can_be_switched_off(client, register, django_assert_num_queries):
    search(client, framework="HKQF")
    with django_assert_num_queries(3):  # the framework's level ids, the counts, the rows
        search(client, framework="HKQF")


def test_open_ended_validity_is_current_and_an_ended_one_is_not(client, register):
    CredentialFactory(registration_number="24/555555/L4", valid_to=None)
    CredentialFactory(
        registration_number="24/666666/L4",
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2021, 1, 1),
    )

    current = {item["registration_number"] for item in search(client, page_size=100)["results"]}
    on_day = search(client, status="all", valid_on="2020-06-01", page_size=100)

    assert "24/555555/L4" in current and "24/666666/L4" not in current
    assert "24/666666/L4" in {item["registration_number"] for item in on_day["results"]}


def test_result_links_point_at_each_row(client, register):
    body = search(client, status="all", page_size=100)

    for item in body["results"]:
        assert item["url"].endswith(reverse("api:credential-detail", kwargs={"pk": item["id"]}))
        assert item["page_url"].endswith(reverse("credentials:detail", kwargs={"pk": item["id"]}))


def test_the_results_page_query_count_does_not_grow_with_rows(
    client, register, django_assert_max_num_queries
):
    """Rows load only what a result shows; the template reads nothing that was left out."""
    CredentialFactory.create_batch(12, provider=register.hku, title_en="Finance for All")
    for params in ({"q": "finance"}, {"framework": "HKQF"}):
        with django_assert_max_num_queries(3):
            response = client.get(reverse("credentials:search"), params)
        assert response.status_code == 200
        assert "Finance for All" in response.content.decode()
