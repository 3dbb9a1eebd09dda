"""The public pages, in English and Traditional Chinese, with and without htmx."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def test_home_shows_the_register_at_a_glance(client, register):
    html = page(client, "/")

    assert "The register at a glance" in html
    assert "5 current entries" in html
    assert "HKQF 4" in html and "level=HKQF-4" in html
    assert "Business and Finance" in html
    assert "Recent additions" in html


def test_home_in_traditional_chinese(client, register):
    html = page(client, "/zh-hant/")

    assert "登記冊概覽" in html
    assert "商業及金融" in html  # bilingual data in the reader's language
    assert 'lang="zh-Hant"' in html


def test_search_page_lists_results_with_facets_and_chips(client, register):
    html = page(client, reverse("credentials:search"), q="finance", level="HKQF-4")

    assert "1 result" in html
    assert "Micro-credential in Computational Finance and FinTech" in html
    assert 'name="level" value="HKQF-4" checked' in html
    assert 'name="level" value="HKQF-5"' in html  # the alternative is still offered
    assert "“finance”" in html  # chip for the query
    assert "HKQF level 4" in html  # chip for the ticked level
    assert "format=csv" in html


def test_search_page_for_htmx_returns_only_the_results_fragment(client, register):
    response = client.get(reverse("credentials:search"), {"q": "微证书"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "香港大學微證書課程：計算金融及金融科技" in html
    assert "HX-Request" in response["Vary"]


def test_search_page_in_chinese_shows_chinese_titles_first(client, register):
    with translation.override("zh-hant"):
        url = reverse("credentials:search")
    html = page(client, url, q="accounting")

    assert url.startswith("/zh-hant/")
    assert "搜尋登記冊" in html
    assert html.index("工商管理學士（會計及金融）") < html.index(
        "Bachelor of Business Administration in Accounting and Finance"
    )


def test_search_page_explains_bad_filters(client, register):
    response = client.get(reverse("credentials:search"), {"credits_min": "lots", "q": "a\x00"})

    assert response.status_code == 400
    assert "Minimum credits: enter a number." in response.content.decode()

    chinese = client.get("/zh-hant/search/", {"credits_min": "lots"})
    assert "最少學分：輸入一個數字" in chinese.content.decode()


def test_search_page_paginates(client, register):
    html = page(client, reverse("credentials:search"), page_size=2, ordering="title")

    assert 'rel="next"' in html and "page=2" in html


def test_record_page_has_everything_a_learner_needs(client, register):
    html = page(client, reverse("credentials:detail", kwargs={"pk": register.fintech.pk}))

    assert "Micro-credential in Computational Finance and FinTech" in html
    assert "香港大學微證書課程：計算金融及金融科技" in html
    assert "The University of Hong Kong" in html
    assert "Comparable to EQF level 5" in html
    assert "indicative" in html
    assert "60 notional learning hours" in html
    assert "about 2–2.4 ECTS credits" in html
    assert "Price derivatives with numerical methods" in html
    assert "Current registration" in html
    assert "Verify this registration" in html


def test_record_page_in_chinese(client, register):
    with translation.override("zh-hant"):
        url = reverse("credentials:detail", kwargs={"pk": register.fintech.pk})
    html = page(client, url)

    assert "學習成果" in html
    assert "參考性" in html  # indicative
    assert html.index("香港大學微證書課程") < html.index("Micro-credential in Computational")


def test_archived_record_says_it_is_not_current(client, register):
    html = page(client, reverse("credentials:detail", kwargs={"pk": register.expired.pk}))

    assert "Not current: Expired" in html


def test_draft_record_page_is_404(client, register):
    response = client.get(reverse("credentials:detail", kwargs={"pk": register.draft.pk}))

    assert response.status_code == 404


def test_compare_highlights_differences(client, register):
    ids = f"{register.fintech.pk},{register.hnc.pk}"

    html = page(client, reverse("credentials:compare"), ids=ids)

    assert "Pearson BTEC Level 4 Higher National Certificate in Engineering" in html
    assert 'class="differs"' in html


def test_compare_takes_at_most_four(client, register):
    ids = [
        register.fintech.pk,
        register.hnc.pk,
        register.nursing.pk,
        register.ai.pk,
        register.accounting.pk,
    ]

    html = page(client, reverse("credentials:compare"), ids=ids)

    assert "at most 4" in html


def test_verify_page(client, register):
    found = page(client, reverse("credentials:verify"), number="60324760")
    missing = client.get(reverse("credentials:verify"), {"number": "999/9999/9"})

    assert "This is a current registration." in found
    assert missing.status_code == 404
    assert "is on the register" in missing.content.decode()


def test_provider_page_lists_its_current_records(client, register):
    html = page(client, reverse("credentials:provider", kwargs={"slug": "hku"}))

    assert "The University of Hong Kong" in html
    assert "Micro-credential in Computational Finance and FinTech" in html
    assert "Certificate in Data Science for Finance" not in html  # expired


def test_language_switch_keeps_the_page(client, register):
    response = client.post(
        reverse("set_language"), {"language": "zh-hant", "next": "/search/?q=finance"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/zh-hant/search/?q=finance"


@pytest.mark.parametrize(
    ("page_path", "language", "expected"),
    [
        ("/zh-hant/search/?q=finance", "en", "/search/?q=finance"),
        ("/search/?q=finance", "zh-hant", "/zh-hant/search/?q=finance"),
        ("/zh-hant/verify/", "en", "/verify/"),
    ],
)
def test_language_switch_works_both_ways_from_the_page(
    client, register, page_path, language, expected
):
    html = page(client, page_path)
    form = re.search(
        r'<input name="next" type="hidden" value="([^"]*)">\s*'
        rf'<button type="submit" name="language" value="{language}"',
        html,
    )
    assert form, f"no switch to {language} on {page_path}"
    next_url = form.group(1).replace("&amp;", "&")

    response = client.post(reverse("set_language"), {"language": language, "next": next_url})

    assert response["Location"] == expected
    assert client.get(expected).status_code == 200


def _compare_box(html: str, pk: int) -> str:
    box = re.search(rf'<input type="checkbox" name="compare" value="{pk}"[^>]*>', html)
    assert box, f"no compare box for {pk}"
    return box.group(0)


def test_search_keeps_the_compare_selection(client, register):
    html = page(client, reverse("credentials:search"), compare=[register.fintech.pk])

    assert "checked" in _compare_box(html, register.fintech.pk)
    assert "checked" not in _compare_box(html, register.nursing.pk)
    assert "Compare 1 selected record" in html


def test_a_full_selection_disables_the_other_boxes(client, register):
    chosen = [register.fintech.pk, register.hnc.pk, register.nursing.pk, register.ai.pk]
    html = page(client, reverse("credentials:search"), compare=[*chosen, register.accounting.pk])

    assert "Compare 4 selected records" in html
    assert "Up to 4 records can be compared." in html
    assert "disabled" in _compare_box(html, register.accounting.pk)


def test_selection_off_this_page_rides_along_and_links_keep_it(client, register):
    html = page(client, reverse("credentials:search"), q="finance", compare=[register.nursing.pk])

    assert f'<input type="hidden" name="compare" value="{register.nursing.pk}">' in html
    assert f"compare={register.nursing.pk}" in html  # chips and pages keep the selection
    assert "go=compare" not in html


def test_compare_button_opens_the_comparison(client, register):
    chosen = [register.fintech.pk, register.hnc.pk]

    response = client.get(reverse("credentials:search"), {"compare": chosen, "go": "compare"})
    live = client.get(
        reverse("credentials:search"),
        {"compare": chosen, "go": "compare"},
        headers={"HX-Request": "true"},
    )

    expected = f"/compare/?ids={chosen[0]},{chosen[1]}"
    assert response.status_code == 302
    assert response["Location"] == expected
    assert live["HX-Redirect"] == expected


def test_compare_button_with_nothing_ticked_says_what_to_do(client, register):
    html = page(client, reverse("credentials:search"), go="compare")

    assert "Tick “Compare” on at least one record first." in html


def test_results_count_is_in_the_page_title_in_both_languages(client, register):
    html = client.get(reverse("credentials:search"), {"q": "finance"}).content.decode()
    assert "<title>finance — 2 results — Credential Registry</title>" in html

    fragment = client.get(
        reverse("credentials:search"), {"q": "nursing"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<title>nursing — 1 result — Credential Registry</title>" in fragment

    with translation.override("zh-hant"):
        url = reverse("credentials:search")
    chinese = client.get(url, {"q": "finance"}).content.decode()
    assert "<title>finance — 2 項結果 — 資歷登記冊</title>" in chinese


def test_size_facet_is_on_the_results_page(client, register):
    html = page(client, reverse("credentials:search"), size="4-15")

    assert 'name="size" value="4-15" checked' in html
    assert "Size (1 credit = 10 learning hours)" in html
    assert "Up to 3 credits" in html  # the alternatives stay visible
