"""Teach-out and superseded records in search, record pages, verification and exports, in
English and Traditional Chinese.

Teach-out records are current (still valid for enrolled learners): they show in the default
search, marked. Superseded records are public and found with the archive open or by their
number, marked, ranked below the rest, and linked both ways with their next version.
"""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from credentials.choices import CredentialStatus
from credentials.models import Credential
from credentials.services import credential_transition
from tests.factories import CredentialFactory, ProviderFactory

pytestmark = pytest.mark.django_db
S = CredentialStatus


@pytest.fixture
def line(registry_admin):
    """A record superseded by its next version, and another in teach-out, all on one topic."""
    provider = ProviderFactory(slug="harbour", name_en="Harbour Institute", name_zh="海港學院")
    new = CredentialFactory(
        provider=provider,
        registration_number="25/000010/L4",
        title_en="Certificate in Warehouse Safety",
        title_zh="倉庫安全證書",
    )
    old = CredentialFactory(
        provider=provider,
        registration_number="19/000010/L4",
        title_en="Certificate in Warehouse Safety",
        title_zh="倉庫安全證書（舊版）",
    )
    teach = CredentialFactory(
        provider=provider,
        registration_number="22/000011/L4",
        title_en="Certificate in Warehouse Safety Supervision",
        title_zh="倉庫安全督導證書",
    )
    credential_transition(
        actor=registry_admin,
        credential=old,
        to_status=S.SUPERSEDED,
        reason="Replaced by the 2025 revision.",
        superseded_by=new,
    )
    ends = timezone.localdate() + datetime.timedelta(days=200)
    credential_transition(
        actor=registry_admin,
        credential=teach,
        to_status=S.TEACH_OUT,
        reason="Final intake was September.",
        teach_out_ends_on=ends,
    )
    return new, old, teach, ends


def _numbers(body: dict) -> list[str]:
    return [row["registration_number"] for row in body["results"]]


def test_default_search_shows_teach_out_records_but_not_superseded_ones(client, line):
    new, _old, teach, _ = line
    body = client.get("/api/v1/credentials/", {"q": "warehouse safety"}).json()

    assert sorted(_numbers(body)) == sorted([new.registration_number, teach.registration_number])
    statuses = {option["value"]: option["count"] for option in body["facets"]["status"]}
    assert statuses == {S.REGISTERED: 1, S.TEACH_OUT: 1}


def test_with_the_archive_open_a_superseded_record_ranks_below_current_ones(client, line):
    new, old, teach, _ = line
    body = client.get("/api/v1/credentials/", {"q": "warehouse safety", "status": "all"}).json()

    # The old version's title matches as well as its successor's, yet it comes last.
    assert _numbers(body)[-1] == old.registration_number
    assert set(_numbers(body)) == {
        new.registration_number,
        old.registration_number,
        teach.registration_number,
    }


def test_the_status_filter_finds_teach_out_and_superseded_records(client, line):
    _new, old, teach, _ = line
    for status, expected in ((S.TEACH_OUT, teach), (S.SUPERSEDED, old)):
        body = client.get("/api/v1/credentials/", {"status": status}).json()
        assert _numbers(body) == [expected.registration_number]


@pytest.mark.parametrize(
    ("language", "teach_badge", "superseded_badge"),
    [
        ("en", "no new learners", "a newer version replaces it"),
        ("zh-hant", "不再招收新學員", "已由較新版本取代"),
    ],
)
def test_search_results_mark_teach_out_and_superseded_in_both_languages(
    client, line, language, teach_badge, superseded_badge
):
    with translation.override(language):
        url = reverse("credentials:search")
    html = client.get(url, {"q": "warehouse", "status": "all"}).content.decode()

    assert teach_badge in html
    assert superseded_badge in html


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            ["Superseded by", "Current registration", "Teach-out: no new learners are admitted"],
        ),
        ("zh-hant", ["由以下紀錄取代", "現行登記", "停止收生：不再招收新學員"]),
    ],
)
def test_record_pages_link_versions_and_explain_the_status_in_both_languages(
    client, line, language, words
):
    new, old, teach, ends = line
    with translation.override(language):
        old_url = reverse("credentials:detail", kwargs={"pk": old.pk})
        new_url = reverse("credentials:detail", kwargs={"pk": new.pk})
        teach_url = reverse("credentials:detail", kwargs={"pk": teach.pk})
    old_html = client.get(old_url).content.decode()
    new_html = client.get(new_url).content.decode()
    teach_html = client.get(teach_url).content.decode()

    superseded_by, current, teach_out = words
    assert superseded_by in old_html
    assert f'href="{new_url}"' in old_html
    assert f'href="{old_url}"' in new_html  # "Supersedes" the old version
    assert current in teach_html and teach_out in teach_html
    assert ends.isoformat() in teach_html


def test_a_draft_successor_is_not_linked_from_the_public_page(client, registry_admin, line):
    new, old, _, _ = line
    Credential.objects.filter(pk=new.pk).update(status=S.UNDER_REVIEW)

    html = client.get(reverse("credentials:detail", kwargs={"pk": old.pk})).content.decode()
    assert "Superseded by" not in html
    assert new.registration_number not in html


@pytest.mark.parametrize(
    ("language", "heading", "note"),
    [
        ("en", "not current (Superseded)", "a newer version replaces it"),
        ("zh-hant", "已被取代", "已由較新版本取代"),
    ],
)
def test_the_verify_page_says_superseded_and_links_the_next_version(
    client, line, language, heading, note
):
    new, _old, _, _ = line
    with translation.override(language):
        url = reverse("credentials:verify")
        new_url = reverse("credentials:detail", kwargs={"pk": new.pk})
    html = client.get(url, {"number": "19-000010-L4"}).content.decode()

    assert heading in html
    assert note in html
    assert f'href="{new_url}"' in html


def test_the_verify_page_says_a_teach_out_registration_is_current(client, line):
    _, _, teach, ends = line
    html = client.get(reverse("credentials:verify"), {"number": teach.registration_number})
    text = html.content.decode()

    assert "This is a current registration." in text
    assert f"can complete until {ends.isoformat()}" in text


def test_the_verify_api_exposes_the_status_explanation_and_both_links(client, line):
    new, old, teach, ends = line
    body = client.get(f"/api/v1/verify/{old.registration_number}/").json()
    assert (body["status"], body["current"]) == (S.SUPERSEDED, False)
    assert body["superseded_by"]["registration_number"] == new.registration_number
    assert body["superseded_by"]["verify_url"].endswith(
        f"/api/v1/verify/{new.registration_number}/"
    )

    newer = client.get(f"/api/v1/verify/{new.registration_number}/").json()
    assert [item["registration_number"] for item in newer["supersedes"]] == [
        old.registration_number
    ]
    assert newer["superseded_by"] is None

    taught = client.get(f"/api/v1/verify/{teach.registration_number}/").json()
    assert (taught["current"], taught["teach_out_ends_on"]) == (True, ends.isoformat())

    chinese = client.get(
        f"/api/v1/verify/{teach.registration_number}/", HTTP_ACCEPT_LANGUAGE="zh-hant"
    ).json()
    assert chinese["status_explanation"].startswith("停止收生")


def test_the_record_api_exposes_the_successor_and_predecessors(client, line):
    new, old, _, _ = line
    body = client.get(f"/api/v1/credentials/{old.pk}/").json()
    assert body["superseded_by"]["registration_number"] == new.registration_number
    assert body["supersedes"] == []
    newer = client.get(f"/api/v1/credentials/{new.pk}/").json()
    assert [item["registration_number"] for item in newer["supersedes"]] == [
        old.registration_number
    ]


@pytest.mark.parametrize(("language", "label"), [("en", "Teach-out"), ("zh-hant", "停止收生")])
def test_the_search_export_carries_registry_and_register_statuses(client, line, language, label):
    new, old, teach, ends = line
    response = client.get(
        "/api/v1/credentials/",
        {"status": "all", "format": "csv", "q": "warehouse"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row["registration_number"]: row for row in csv.DictReader(io.StringIO(text))}

    assert [
        rows[teach.registration_number][name]
        for name in ("status", "status_label", "ofqual_status", "hkqr_status", "teach_out_ends_on")
    ] == ["teach_out", label, "No longer available to new learners", "Current", ends.isoformat()]
    assert [
        rows[old.registration_number][name]
        for name in ("ofqual_status", "hkqr_status", "superseded_by")
    ] == ["No longer awarded", "Archived", new.registration_number]


def test_ctdl_gives_the_life_cycle_and_links_the_versions(client, line):
    new, old, teach, _ = line
    document = client.get(f"/api/v1/credentials/{old.pk}/ctdl/").json()
    assert document["ceterms:lifeCycleStatusType"]["ceterms:targetNode"] == "lifeCycle:Ceased"
    assert document["ceterms:supersededBy"].endswith(f"/api/v1/credentials/{new.pk}/ctdl/")
    newer = client.get(f"/api/v1/credentials/{new.pk}/ctdl/").json()
    assert newer["ceterms:supersedes"].endswith(f"/api/v1/credentials/{old.pk}/ctdl/")
    taught = client.get(f"/api/v1/credentials/{teach.pk}/ctdl/").json()
    assert (
        taught["ceterms:credentialStatusType"]["ceterms:targetNode"] == "credentialStat:Deprecated"
    )
    assert taught["ceterms:lifeCycleStatusType"]["ceterms:targetNode"] == "lifeCycle:Active"
