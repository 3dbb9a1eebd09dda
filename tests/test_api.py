"""The read-only public API: providers, frameworks with levels, and the register."""

import pytest
from django.urls import reverse

from credentials.choices import CredentialStatus
from tests.factories import AccreditationRecordFactory, CredentialFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def test_api_root_lists_the_resources(client):
    body = client.get("/api/v1/").json()

    assert set(body) >= {"providers", "frameworks", "levels", "credentials"}


def test_frameworks_come_with_levels_and_references(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        body = client.get(reverse("api:framework-list")).json()

    hkqf = next(framework for framework in body if framework["code"] == "HKQF")
    assert [level["code"] for level in hkqf["levels"]] == ["1", "2", "3", "4", "5", "6", "7"]
    level4 = hkqf["levels"][3]
    assert level4["references"] == [
        {
            "framework": "EQF",
            "level": "5",
            "basis": "indicative",
            "source": "HKQF-EQF Comparability Study (2016)",
            "note": "confirm against the study",
        }
    ]


def test_framework_detail_is_addressed_by_code(client):
    body = client.get(reverse("api:framework-detail", kwargs={"code": "RQF"})).json()

    assert body["name_en"].startswith("Regulated Qualifications Framework")
    assert body["levels"][0]["code"] == "E1"


def test_levels_filter_by_framework(client):
    body = client.get(reverse("api:level-list"), {"framework": "eqf"}).json()

    assert body["count"] == 8
    assert {level["framework"] for level in body["results"]} == {"EQF"}


def test_providers_list_and_search_in_chinese(client):
    ProviderFactory(name_en="Harbour Institute", name_zh="海港學院")
    ProviderFactory(name_en="Peak College", name_zh="山頂書院")

    body = client.get(reverse("api:provider-list"), {"q": "海港"}).json()

    assert [provider["name_en"] for provider in body["results"]] == ["Harbour Institute"]


def test_credentials_list_shows_public_entries_only(client):
    """By default only current entries; `status=all` adds the archive, never drafts."""
    registered = CredentialFactory(title_en="Registered course")
    CredentialFactory(title_en="Expired course", status=CredentialStatus.EXPIRED)
    CredentialFactory(title_en="Draft course", status=CredentialStatus.DRAFT)

    body = client.get(reverse("api:credential-list")).json()
    archive = client.get(reverse("api:credential-list"), {"status": "all"}).json()

    assert [item["title_en"] for item in body["results"]] == ["Registered course"]
    titles = [item["title_en"] for item in archive["results"]]
    assert titles == ["Expired course", "Registered course"]
    first = next(item for item in body["results"] if item["id"] == registered.id)
    assert first["provider"]["name_zh"] == registered.provider.name_zh
    assert (first["framework"], first["level"]) == ("HKQF", "4")
    assert first["url"].endswith(f"/api/v1/credentials/{registered.id}/")


def test_credentials_list_query_count_does_not_grow_with_rows(client, django_assert_num_queries):
    """Counts and facets in one statement, the page of rows in another."""
    CredentialFactory.create_batch(3)
    with django_assert_num_queries(2):
        client.get(reverse("api:credential-list"))

    CredentialFactory.create_batch(15)
    with django_assert_num_queries(2):
        client.get(reverse("api:credential-list"))


def test_credential_detail_has_equivalents_and_accreditation(client, django_assert_max_num_queries):
    credential = CredentialFactory()
    AccreditationRecordFactory(credential=credential, accreditor="HKCAAVQ")

    # The full record also carries pathways, recognitions, comparable levels and credit
    # conversions: a fixed number of queries, whatever the record holds.
    with django_assert_max_num_queries(10):
        body = client.get(reverse("api:credential-detail", kwargs={"pk": credential.pk})).json()

    assert body["equivalent_levels"][0]["framework"] == "EQF"
    assert body["equivalent_levels"][0]["basis"] == "indicative"
    assert body["accreditations"][0]["accreditor"] == "HKCAAVQ"


def test_draft_credential_is_not_found(client):
    draft = CredentialFactory(status=CredentialStatus.DRAFT)

    response = client.get(reverse("api:credential-detail", kwargs={"pk": draft.pk}))

    assert response.status_code == 404


def test_invalid_filter_value_is_a_400(client):
    response = client.get(reverse("api:credential-list"), {"kind": "badge"})

    assert response.status_code == 400
    assert "kind" in response.json()


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/v1/credentials/" in schema.content
    assert docs.status_code == 200
