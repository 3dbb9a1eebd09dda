"""/search/feed.atom: valid Atom of the recent changes of what a search finds."""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from credentials.models import Credential
from tests.changes.events import fire_event_triggers
from tests.factories import CredentialFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _feed(client, params) -> ET.Element:
    response = client.get("/search/feed.atom", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


@pytest.fixture
def records():
    nursing = CredentialFactory(title_en="Certificate in Nursing Care", title_zh="護理證書")
    CredentialFactory(title_en="Diploma in Accounting", title_zh="會計文憑")
    Credential.objects.filter(pk=nursing.pk).update(status="suspended")
    fire_event_triggers()
    return nursing


def test_entries_are_the_changes_of_matching_records_newest_first(records):
    feed = _feed(Client(), {"q": "nursing"})

    entries = feed.findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert len(entries) == 2
    assert "Certificate in Nursing Care · 護理證書" in titles[0]
    assert titles[0].endswith("Status changed")
    assert titles[1].endswith("Added to the register")
    assert "Accounting" not in " ".join(titles)


def test_the_feed_is_valid_atom(records):
    feed = _feed(Client(), {"q": "nursing"})

    assert feed.tag == f"{ATOM}feed"
    for element in ("id", "title", "updated"):
        assert feed.findtext(f"{ATOM}{element}")
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in feed.findall(f"{ATOM}entry"):
        assert entry.findtext(f"{ATOM}id").startswith("tag:")
        assert entry.findtext(f"{ATOM}updated")
        assert entry.findtext(f"{ATOM}author/{ATOM}name")
        link = entry.find(f"{ATOM}link").get("href")
        assert link.endswith(f"/credentials/{records.pk}/")
    ids = [entry.findtext(f"{ATOM}id") for entry in feed.findall(f"{ATOM}entry")]
    assert len(set(ids)) == len(ids)


def test_a_status_filter_is_the_searchs_own(records):
    feed = _feed(Client(), {"q": "nursing", "status": "registered"})

    assert feed.findall(f"{ATOM}entry") == []


def test_the_summary_says_what_changed_in_the_pages_language(records):
    entry = _feed(Client(), {"q": "nursing"}).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}summary") == "status: Registered → Suspended"

    response = Client().get("/zh-hant/search/feed.atom", {"q": "nursing"})
    root = ET.fromstring(response.content)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-hant"
    assert root.findtext(f"{ATOM}title") == "資歷登記冊：「nursing」的變更"
    assert root.find(f"{ATOM}entry").findtext(f"{ATOM}title").endswith("狀態已變更")


def test_a_bad_parameter_is_400_with_its_message():
    response = Client().get("/search/feed.atom", {"level": "HKQF-<4>"})

    assert response.status_code == 400
    assert response.content.decode().startswith("level:")


def test_the_results_page_links_its_feed(records):
    page = Client().get("/search/", {"q": "nursing"}).content.decode()

    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/search/feed.atom?q=nursing"' in page


def test_a_superseded_records_summary_names_its_successor_by_number():
    successor = CredentialFactory(title_en="Certificate in Nursing Care (2026)")
    nursing = CredentialFactory(title_en="Certificate in Nursing Care", provider=successor.provider)
    Credential.objects.filter(pk=nursing.pk).update(status="superseded", superseded_by=successor)
    fire_event_triggers()

    feed = _feed(Client(), {"q": "nursing", "status": "superseded"})

    summary = feed.find(f"{ATOM}entry").findtext(f"{ATOM}summary")
    assert summary == (
        f"status: Registered → Superseded; superseded by: — → {successor.registration_number}"
    )
