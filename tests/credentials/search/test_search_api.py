"""The search API: text in English and Chinese, numbers, synonyms, filters, facets, errors."""

import csv
import io
import json

import pytest
from django.test import override_settings
from django.urls import reverse

from credentials.choices import CredentialStatus
from credentials.models import Credential
from tests.factories import CredentialFactory

from .conftest import search

pytestmark = pytest.mark.django_db

URL = "/api/v1/credentials/"


def numbers(body) -> set[str]:
    return {item["registration_number"] for item in body["results"]}


def test_response_has_results_facets_and_links(client, register):
    body = search(client, page_size=2)

    assert set(body) >= {"count", "next", "previous", "results", "facets"}
    assert body["count"] == 5
    assert body["previous"] is None
    assert "cursor=" in body["next"] and "page=" not in body["next"]
    first = body["results"][0]
    assert set(first) >= {
        "id",
        "registration_number",
        "title_en",
        "title_zh",
        "provider",
        "framework",
        "level",
        "credits",
        "notional_hours",
        "status",
        "valid_from",
        "valid_to",
        "url",
    }
    assert set(first["provider"]) >= {"id", "name_en", "name_zh"}


def test_default_shows_only_registered_entries_valid_today(client, register):
    body = search(client)

    assert numbers(body) == {
        "24/000123/L4",
        "603/2476/0",
        "610/1234/5",
        "23/000456/L5",
        "25/000789/L3",
    }


def test_status_all_and_named_status_open_the_archive(client, register):
    everything = search(client, status="all")
    expired = search(client, status="expired")

    assert numbers(everything) >= {"20/000999/L4", "21/000111/L4"}
    assert "26/000001/L4" not in numbers(everything)  # drafts are never public
    assert numbers(expired) == {"20/000999/L4"}


def test_valid_on_checks_a_past_date(client, register):
    body = search(client, status="all", valid_on="2022-01-01")

    assert numbers(body) == {"20/000999/L4", "21/000111/L4"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("accounting", "23/000456/L5"),  # stemming: accounting → Accounting
        ("nurses", "610/1234/5"),  # stemming: nurses → Nursing
        ("微證書", "24/000123/L4"),  # a fragment inside a run of characters
        ("金融", "24/000123/L4"),
        ("微证书", "24/000123/L4"),  # Simplified input finds Traditional text
        ("计算金融", "24/000123/L4"),
        ("AI 人工智能", "25/000789/L3"),  # mixed English and Chinese
        ("香港大學", "24/000123/L4"),  # provider name in Chinese
        ("University of Hong Kong", "24/000123/L4"),
        ("derivatives", "24/000123/L4"),  # learning outcomes
        ("HND", None),
    ],
)
def test_text_search(client, register, query, expected):
    found = numbers(search(client, q=query))

    if expected is None:
        assert found == set()
    else:
        assert expected in found


def test_chinese_fragment_matches_only_records_containing_it(client, register):
    assert numbers(search(client, q="金融")) == {"24/000123/L4", "23/000456/L5"}
    assert numbers(search(client, q="微證書")) == {"24/000123/L4"}


def test_one_chinese_character_finds_it_anywhere_in_a_run(client, register):
    # 礎 only ever ends a run (人工智能基礎); 計 starts one (計算) and ends another (會計).
    assert numbers(search(client, q="礎")) == {"25/000789/L3"}
    assert numbers(search(client, q="计")) == {"24/000123/L4", "23/000456/L5"}


@pytest.mark.parametrize("query", ["603/2476/0", "60324760", "603 2476 0"])
def test_registration_number_with_or_without_separators(client, register, query):
    body = search(client, q=query)

    assert [item["registration_number"] for item in body["results"]] == ["603/2476/0"]


def test_hkqr_style_number_and_lower_case(client, register):
    assert numbers(search(client, q="24/000123/l4")) == {"24/000123/L4"}


def test_exact_number_finds_an_archived_entry(client, register):
    assert numbers(search(client, q="20/000999/L4")) == {"20/000999/L4"}
    assert numbers(search(client, q="26/000001/L4")) == set()  # but never a draft


@pytest.mark.parametrize("query", ["HNC", "higher national certificate"])
def test_synonyms_for_qualification_names(client, register, query):
    assert "603/2476/0" in numbers(search(client, q=query))


def test_micro_credential_synonym_crosses_languages(client, register):
    CredentialFactory(
        registration_number="25/000321/L4",
        title_en="Short Course in Cyber Security",
        title_zh="網絡安全微證書",
        provider=register.polyu,
    )

    english = numbers(search(client, q="micro-credential"))
    chinese = numbers(search(client, q="微证书"))

    assert {"24/000123/L4", "25/000321/L4"} <= english
    assert english == chinese


def test_btec_synonym_from_the_ofqual_list(client, register):
    CredentialFactory(
        registration_number="601/0000/1",
        title_en="Extended Diploma in Sport",
        title_zh="",
        qualification_type="Other General Qualification",
        provider=register.pearson,
    )

    assert "601/0000/1" in numbers(search(client, q="BTEC"))


def test_title_match_ranks_above_outcome_match(client, register):
    CredentialFactory(
        registration_number="25/000555/L4",
        title_en="Certificate in Retail Operations",
        title_zh="",
        learning_outcomes_en=["Understand basic derivatives markets"],
        provider=register.polyu,
    )
    CredentialFactory(
        registration_number="25/000556/L4",
        title_en="Derivatives Trading Essentials",
        title_zh="",
        provider=register.polyu,
    )

    body = search(client, q="derivatives")

    assert body["results"][0]["registration_number"] == "25/000556/L4"


def test_equivalent_level_filter_goes_through_level_references(client, register):
    body = search(client, eqf=5)

    assert numbers(body) == {"24/000123/L4", "603/2476/0", "610/1234/5"}
    basis = {item["registration_number"]: item["equivalence_basis"] for item in body["results"]}
    assert basis["24/000123/L4"] == "indicative"  # HKQF 4 → EQF 5 is indicative
    assert basis["603/2476/0"] == "official"
    assert {(item["framework"], item["level"], item["basis"]) for item in body["equivalence"]} == {
        ("HKQF", "4", "indicative"),
        ("RQF", "4", "official"),
        ("RQF", "5", "official"),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"framework": "rqf"}, {"603/2476/0", "610/1234/5"}),
        ({"level": "HKQF-4"}, {"24/000123/L4"}),
        ({"level": ["HKQF-4", "RQF-5"]}, {"24/000123/L4", "610/1234/5"}),
        ({"level": "HKQF-4,RQF-5"}, {"24/000123/L4", "610/1234/5"}),
        ({"provider": "pearson"}, {"603/2476/0", "610/1234/5"}),
        ({"kind": "micro_credential"}, {"24/000123/L4", "25/000789/L3"}),
        ({"mode": "online"}, {"24/000123/L4", "25/000789/L3"}),
        ({"language": "yue"}, {"24/000123/L4"}),
        ({"credits_min": 100, "credits_max": 200}, {"603/2476/0"}),
        ({"hours_max": 60}, {"24/000123/L4", "25/000789/L3"}),
        ({"quality_mark": "htq"}, {"603/2476/0"}),
        ({"quality_mark": "cef", "q": "finance"}, {"24/000123/L4"}),
        (
            {"provider": "hku", "status": "all", "q": "finance"},
            {"24/000123/L4", "20/000999/L4", "21/000111/L4"},
        ),
    ],
)
def test_filters_combine(client, register, params, expected):
    assert numbers(search(client, **params)) == expected


def test_area_filter_by_id(client, register):
    body = search(client, area_id=register.business.pk)

    assert numbers(body) == {"24/000123/L4", "23/000456/L5"}


def test_facet_counts_match_the_filtered_totals(client, register):
    body = search(client, q="finance")

    facets = body["facets"]
    assert set(facets) == {
        "level",
        "framework",
        "area",
        "provider",
        "mode",
        "kind",
        "status",
        "size",
    }
    for dimension in ("level", "framework", "provider", "kind", "status", "size"):
        assert sum(option["count"] for option in facets[dimension]) == body["count"], dimension
    levels = {option["value"]: option["count"] for option in facets["level"]}
    assert levels == {"HKQF-4": 1, "HKQF-5": 1}


def test_a_ticked_facet_still_shows_its_alternatives(client, register):
    body = search(client, level="HKQF-4")

    levels = {option["value"]: option for option in body["facets"]["level"]}
    assert levels["HKQF-4"]["selected"] is True
    assert levels["RQF-4"]["count"] == 1 and levels["RQF-4"]["selected"] is False
    # Other facets count only what the ticked level leaves.
    providers = {option["value"]: option["count"] for option in body["facets"]["provider"]}
    assert providers == {"hku": 1}


def test_facet_labels_follow_the_reader_language(client, register):
    body = client.get(URL, {"q": "finance"}, HTTP_ACCEPT_LANGUAGE="zh-hant").json()

    areas = {option["label"] for option in body["facets"]["area"]}
    assert "商業及金融" in areas


@pytest.mark.parametrize(
    ("ordering", "first"),
    [
        ("title", "25/000789/L3"),  # Artificial Intelligence ...
        ("credits", "25/000789/L3"),
        ("-credits", "23/000456/L5"),  # 240 credits, tied with nursing: title decides
        ("-level", "23/000456/L5"),
    ],
)
def test_ordering(client, register, ordering, first):
    body = search(client, ordering=ordering)

    assert body["results"][0]["registration_number"] == first


def test_newest_first(client, register):
    newest = CredentialFactory(title_en="Newest entry", provider=register.polyu)

    body = search(client, ordering="newest")

    assert body["results"][0]["id"] == newest.pk


def test_pagination(client, register):
    first = search(client, page_size=2, ordering="title")
    third = search(client, page_size=2, page=3, ordering="title")

    assert len(first["results"]) == 2
    assert len(third["results"]) == 1
    assert third["next"] is None
    assert "page=2" in third["previous"]
    assert client.get(URL, {"page_size": 2, "page": 4}).status_code == 404


@override_settings(SEARCH_RESULT_CAP=3)
def test_counts_beyond_the_cap_are_reported_as_capped(client, register):
    body = search(client)

    assert body["count"] == 3
    assert body["count_capped"] is True
    body = search(client, q="香港大學")
    assert body["count_capped"] is False


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "badge"}, "kind"),
        ({"status": "draft"}, "status"),
        ({"eqf": "9"}, "eqf"),
        ({"eqf": "five"}, "eqf"),
        ({"credits_min": "lots"}, "credits_min"),
        ({"credits_min": "1e999999"}, "credits_min"),
        ({"credits_min": "NaN"}, "credits_min"),
        ({"credits_min": 10, "credits_max": 5}, "credits_max"),
        ({"valid_on": "2025-13-45"}, "valid_on"),
        ({"page": "0"}, "page"),
        ({"page": "99999999999999999999"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"provider_id": "abc"}, "provider_id"),
        ({"level_id": "99999999999999999999999"}, "level_id"),
        ({"level": "HKQF-4'; drop"}, "level"),
        ({"ordering": "price"}, "ordering"),
        ({"q": "x" * 201}, "q"),
        ({"q": "finance\x00"}, "q"),
        ({"format": "xml"}, "format"),
    ],
)
def test_bad_parameters_are_400_with_field_messages(client, register, params, field):
    response = client.get(URL, params)

    assert response.status_code == 400
    body = response.json()
    assert field in body
    assert body[field] and all(isinstance(message, str) for message in body[field])


def test_bad_parameters_are_explained_with_their_labels(client, register):
    body = client.get(URL, {"credits_min": "lots", "kind": "badge"}).json()

    assert body["credits_min"] == ["Minimum credits: enter a number."]
    assert body["kind"][0].startswith("Kind: select a valid choice.")
    chinese = client.get(URL, {"credits_min": "lots"}, HTTP_ACCEPT_LANGUAGE="zh-hant").json()
    assert chinese["credits_min"] == ["最少學分：輸入一個數字"]


@pytest.mark.parametrize(
    "query", ["!", "&&", "'", "(", "<->", ":*", "\\", "%", "a:b", "' OR 1=1 --", "the", "…"]
)
def test_hostile_queries_never_fail(client, register, query):
    assert client.get(URL, {"q": query}).status_code == 200


def test_list_query_count_does_not_grow_with_rows(client, register, django_assert_num_queries):
    """Two queries whatever the page holds: counts with facets, then the page of rows (and
    one before them resolving level and provider codes to ids, and one after, the
    vocabulary, when a text search finds few)."""
    with django_assert_num_queries(4):
        search(client, q="finance", level="HKQF-4", provider="hku")

    CredentialFactory.create_batch(15, provider=register.hku, title_en="Finance for All")
    with django_assert_num_queries(2):
        body = search(client, q="finance", page_size=50)
    assert body["count"] >= 15

    # An equivalence filter resolves its levels, and reports them with their basis.
    with django_assert_num_queries(4):
        search(client, eqf=5)


@pytest.mark.parametrize(
    ("bands", "expected"),
    [
        ("up-to-3", {"25/000789/L3"}),
        ("4-15", {"24/000123/L4"}),
        ("61-120", {"603/2476/0"}),
        ("over-120", {"610/1234/5", "23/000456/L5"}),
        ("up-to-3,4-15", {"25/000789/L3", "24/000123/L4"}),
    ],
)
def test_size_filter_by_credit_band(client, register, bands, expected):
    assert numbers(search(client, size=bands)) == expected


def test_size_counts_hours_when_credits_are_missing(client, register):
    CredentialFactory(
        registration_number="25/000900/L4",
        title_en="Workshop in Safe Lifting",
        provider=register.polyu,
        credits=None,
        notional_hours=200,  # 20 credits
    )

    assert numbers(search(client, size="16-60")) == {"25/000900/L4"}


def test_size_facet_counts_bands_in_order_with_labels(client, register):
    body = search(client)
    size = body["facets"]["size"]

    assert [(option["value"], option["count"]) for option in size] == [
        ("up-to-3", 1),
        ("4-15", 1),
        ("61-120", 1),
        ("over-120", 2),
    ]
    assert size[0]["label"] == "Up to 3 credits"

    ticked = search(client, q="finance", size="4-15")
    assert ticked["count"] == 1
    # The ticked facet still shows its alternatives: the text search without the size filter.
    assert {o["value"]: o["count"] for o in ticked["facets"]["size"]} == {
        "4-15": 1,
        "over-120": 1,
    }
    chinese = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hant").json()
    assert chinese["facets"]["size"][0]["label"] == "最多 3 學分"


def test_csv_export_streams_the_whole_result_set(client, register):
    response = client.get(URL, {"format": "csv", "page_size": 1, "ordering": "title"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5
    # In register (id) order whatever the ordering asked: the rows come without a sort.
    shown = Credential.objects.filter(
        registration_number__in=[row["registration_number"] for row in rows]
    )
    assert [row["registration_number"] for row in rows] == list(
        shown.order_by("pk").values_list("registration_number", flat=True)
    )
    assert "工商管理學士（會計及金融）" in {row["title_zh"] for row in rows}
    for row in rows:
        record = Credential.objects.get(registration_number=row["registration_number"])
        detail = reverse("api:credential-detail", kwargs={"pk": record.pk})
        assert row["url"] == f"http://testserver{detail}"
        assert client.get(row["url"]).status_code == 200


def test_json_export_follows_the_filters(client, register):
    response = client.get(URL, {"format": "json", "q": "finance", "status": "all"})

    assert response["Content-Type"].startswith("application/json")
    rows = json.loads(b"".join(response.streaming_content))
    assert {row["registration_number"] for row in rows} == {
        "24/000123/L4",
        "23/000456/L5",
        "20/000999/L4",
        "21/000111/L4",
    }


def test_detail_is_the_full_record(client, register, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        body = client.get(
            reverse("api:credential-detail", kwargs={"pk": register.fintech.pk})
        ).json()

    for element in (
        "title_en",
        "provider",
        "learning_outcomes_en",
        "credits",
        "level",
        "assessment_type",
        "mode_of_delivery",
        "quality_assurance_type",
        "prerequisites",
        "supervision",
        "stackable",
        "further_information_url",
        "valid_from",
        "languages",
    ):
        assert element in body
    assert body["equivalent_levels"] == [
        {
            "framework": "EQF",
            "level": "5",
            "basis": "indicative",
            "source": "HKQF-EQF Comparability Study (2016)",
            "note": "confirm against the study",
        }
    ]
    comparable = {
        (item["framework"], item["level"], item["basis"]) for item in body["comparable_levels"]
    }
    assert comparable == {
        ("EQF", "5", "indicative"),
        ("RQF", "4", "indicative"),
        ("RQF", "5", "indicative"),
    }
    assert body["credit_conversion"]["hours"] == 60
    assert body["credit_conversion"]["ects_low"] == "2.0"
    assert body["credit_conversion"]["ects_high"] == "2.4"
    assert body["verify_url"].endswith("/api/v1/verify/24/000123/L4/")


def test_detail_of_a_draft_is_404(client, register):
    response = client.get(reverse("api:credential-detail", kwargs={"pk": register.draft.pk}))

    assert response.status_code == 404


@pytest.mark.parametrize("number", ["603/2476/0", "60324760", "603-2476-0"])
def test_verify_a_current_registration(client, register, number):
    response = client.get(f"/api/v1/verify/{number}/")

    assert response.status_code == 200
    body = response.json()
    assert body["registration_number"] == "603/2476/0"
    assert body["current"] is True
    assert body["status"] == CredentialStatus.REGISTERED
    assert body["provider"]["name_en"] == "Pearson Education Ltd"
    assert (body["framework"], body["level"]) == ("RQF", "4")


def test_verify_an_archived_registration_says_it_is_not_current(client, register):
    body = client.get("/api/v1/verify/20/000999/L4/").json()

    assert body["current"] is False
    assert body["status"] == "expired"


@pytest.mark.parametrize("number", ["999/9999/9", "26/000001/L4", "%00", "x" * 100])
def test_verify_an_unknown_number_is_404_with_a_message(client, register, number):
    response = client.get(f"/api/v1/verify/{number}/")

    assert response.status_code == 404
    assert "is on the register" in response.json()["detail"]


@override_settings(SEARCH_RANK_WINDOW=2)
def test_relevance_pages_stop_at_the_rank_window(client, register):
    """Ranking reads every candidate's document, so only the first few are ranked."""
    body = search(client, q="finance", page_size=1, status="all")

    assert body["count"] == 4
    assert len(body["results"]) == 1
    assert (
        client.get(URL, {"q": "finance", "page_size": 1, "page": 3, "status": "all"}).status_code
        == 404
    )
    by_title = search(client, q="finance", page_size=1, page=4, status="all", ordering="title")
    assert len(by_title["results"]) == 1


def test_csv_export_never_hands_a_spreadsheet_a_formula(client, register):
    Credential.objects.filter(pk=register.fintech.pk).update(
        title_en='=HYPERLINK("http://example.invalid","Click")', title_zh="+cmd|' /C calc'!A0"
    )

    response = client.get(URL, {"format": "csv", "q": "24/000123/L4"})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["title_en"] == '\'=HYPERLINK("http://example.invalid","Click")'
    assert row["title_zh"] == "'+cmd|' /C calc'!A0"


def test_a_level_finds_a_levels_not_every_level(client, register):
    a_level = CredentialFactory(
        registration_number="603/1234/5",
        title_en="Pearson Edexcel GCE A Level in Mathematics",
        qualification_type="GCE A Level",
        provider=register.pearson,
    )

    numbers = {row["registration_number"] for row in search(client, q="A level")["results"]}

    assert numbers == {a_level.registration_number}


def test_quality_marks_are_searchable_words_in_both_languages(client, register):
    """`q=HTQ` finds the HTQ-marked entries, as `quality_mark=htq` does."""
    by_filter = numbers(search(client, quality_mark="htq"))

    assert by_filter == {"603/2476/0"}
    assert numbers(search(client, q="HTQ")) == by_filter
    assert numbers(search(client, q="高等技術資歷")) == by_filter
    assert numbers(search(client, q="CEF")) == {"24/000123/L4"}
    assert numbers(search(client, q="持续进修基金")) == {"24/000123/L4"}


def test_a_changed_quality_mark_changes_the_document(client, register):
    Credential.objects.filter(pk=register.ai.pk).update(quality_marks=["htq"])

    assert numbers(search(client, q="HTQ")) == {"603/2476/0", "25/000789/L3"}


def test_a_level_is_a_phrase_in_any_spelling(client, register):
    maths = CredentialFactory(
        registration_number="603/1234/5",
        title_en="A-Level Further Mathematics",
        qualification_type="",
        provider=register.pearson,
    )
    as_level = CredentialFactory(
        registration_number="603/1234/6",
        title_en="Pearson Edexcel GCE AS Level in Physics",
        qualification_type="GCE AS Level",
        provider=register.pearson,
    )
    CredentialFactory(
        registration_number="603/1234/7",
        title_en="Achieve a Level 3 Diploma in Plumbing",
        provider=register.pearson,
    )

    for query in ("A level", "A-levels", "a level", "alevel"):
        assert numbers(search(client, q=query)) == {maths.registration_number}, query
    assert numbers(search(client, q="AS level")) == {as_level.registration_number}
    assert numbers(search(client, q="A level mathematics")) == {maths.registration_number}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("HNC", {"603/2476/0", "603/9000/1"}),
        ("HND", {"603/9000/1", "603/9000/2"}),
        ("HNC/HND", {"603/2476/0", "603/9000/1", "603/9000/2"}),
        ("CertHE", {"603/9000/3"}),
        ("Certificate of Higher Education", {"603/9000/3"}),
        ("DipHE", {"603/9000/4"}),
    ],
)
def test_common_qualification_names(client, register, query, expected):
    for number, title, kind in (
        ("603/9000/1", "Pearson BTEC HNC/HND in Business", ""),
        ("603/9000/2", "Higher National Diploma in Computing", "Higher National Diploma"),
        ("603/9000/3", "CertHE Social Work Studies", ""),
        ("603/9000/4", "Diploma of Higher Education in Nursing", ""),
    ):
        CredentialFactory(
            registration_number=number,
            title_en=title,
            qualification_type=kind,
            provider=register.pearson,
        )

    assert numbers(search(client, q=query)) == expected
