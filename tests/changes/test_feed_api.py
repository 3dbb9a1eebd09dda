"""GET /api/v1/changes/: each event once, in order, across pages and after any cursor."""

import threading
import time

import psycopg
import pytest
from django.db import connection
from rest_framework.test import APIClient

from changes.feed import cursor_encode
from changes.models import ChangeEvent
from credentials.models import Credential
from tests.changes.events import fire_event_triggers
from tests.factories import CredentialFactory, ProviderFactory

URL = "/api/v1/changes/"


@pytest.fixture
def client():
    return APIClient()


def _read_all(client, params=None, page_size=3) -> list[dict]:
    params = dict(params or {})
    seen, cursor = [], params.pop("after", "")
    for _ in range(100):
        response = client.get(URL, {**params, "after": cursor, "page_size": page_size})
        assert response.status_code == 200, response.content
        body = response.json()
        if not body["results"]:
            assert body["next_cursor"] == (cursor or cursor_encode(0))
            return seen
        seen.extend(body["results"])
        cursor = body["next_cursor"]
    raise AssertionError("the feed never ended")


@pytest.mark.django_db
def test_each_event_once_across_pages_and_in_order(client):
    credentials = [CredentialFactory() for _ in range(7)]
    Credential.objects.filter(pk=credentials[0].pk).update(title_en="Changed")
    fire_event_triggers()

    events = _read_all(client)

    expected = list(ChangeEvent.objects.order_by("id").values_list("id", flat=True))
    assert [event["cursor"] for event in events] == [cursor_encode(pk) for pk in expected]
    assert len(events) == 8
    last = events[-1]
    assert last["kind"] == "content_changed"
    assert last["before"] == {"title_en": credentials[0].title_en}
    assert last["after"] == {"title_en": "Changed"}
    assert last["record"]["registration_number"] == credentials[0].registration_number
    assert last["record"]["url"].endswith(f"/api/v1/credentials/{credentials[0].pk}/")
    assert last["record"]["page_url"].endswith(f"/credentials/{credentials[0].pk}/")
    assert last["framework"] == "HKQF"


@pytest.mark.django_db
def test_after_an_events_cursor_comes_only_what_followed(client):
    first = CredentialFactory()
    CredentialFactory()
    fire_event_triggers()
    cursor = client.get(URL).json()["results"][0]["cursor"]
    later = CredentialFactory()
    fire_event_triggers()

    results = client.get(URL, {"after": cursor}).json()["results"]

    assert first.pk not in [r["record"]["id"] for r in results]
    assert [r["record"]["id"] for r in results][-1] == later.pk
    assert len(results) == 2


@pytest.mark.django_db
def test_filters_by_provider_framework_and_kind(client):
    mine, theirs = ProviderFactory(), ProviderFactory()
    kept = CredentialFactory(provider=mine)
    CredentialFactory(provider=theirs)
    Credential.objects.filter(pk=kept.pk).update(status="suspended")
    fire_event_triggers()

    by_provider = _read_all(client, {"provider": mine.slug})
    by_id_and_kind = _read_all(client, {"provider_id": mine.pk, "kind": "status_changed"})
    by_framework = _read_all(client, {"framework": "rqf"})

    assert {e["record"]["id"] for e in by_provider} == {kept.pk}
    assert [e["kind"] for e in by_id_and_kind] == ["status_changed"]
    assert by_framework == []
    assert len(_read_all(client, {"framework": "HKQF,RQF"})) == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "not-a-cursor"}, "after"),
        ({"after": "Y2hhbmdlczp4"}, "after"),  # "changes:x"
        ({"after": cursor_encode(10**12)}, "after"),
        ({"kind": "deleted"}, "kind"),
        ({"provider": "no-such-provider"}, "provider"),
        ({"framework": "XYZ"}, "framework"),
        ({"page_size": "501"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"provider_id": "abc"}, "provider_id"),
    ],
)
def test_bad_parameters_are_400_naming_them(client, params, field):
    response = client.get(URL, params)

    assert response.status_code == 400
    assert field in response.json()
    assert response.json()[field][0]


@pytest.mark.django_db
def test_a_page_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(30):
        CredentialFactory()
    fire_event_triggers()

    with django_assert_max_num_queries(2):
        response = client.get(URL, {"page_size": 500, "provider_id": "1,2,3", "kind": "created"})

    assert response.status_code == 200


@pytest.mark.django_db
def test_the_feed_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/changes/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "after",
        "provider",
        "framework",
        "kind",
        "page_size",
    }
    assert "/api/v1/webhooks/{id}/replay/" in schema["paths"]


def _app_connection():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    return psycopg.connect(**params)


@pytest.mark.usefixtures("committed_db")
def test_a_transaction_that_commits_later_is_never_skipped(client):
    """A's change is written first but commits after B's: a reader who saw B must see A
    after B's cursor, not behind it. Positions are taken at commit, in commit order."""
    x, y = CredentialFactory(), CredentialFactory()
    start = _read_all(client)[-1]["cursor"]

    with _app_connection() as a, _app_connection() as b:
        a.execute("UPDATE credentials_credential SET title_en = 'A' WHERE id = %s", [x.pk])
        b.execute("UPDATE credentials_credential SET title_en = 'B' WHERE id = %s", [y.pk])
        b.commit()
        seen_b = client.get(URL, {"after": start}).json()
        assert [e["after"] for e in seen_b["results"]] == [{"title_en": "B"}]
        a.commit()

    after_b = client.get(URL, {"after": seen_b["next_cursor"]}).json()["results"]
    assert [e["after"] for e in after_b] == [{"title_en": "A"}]
    assert _read_all(client, {"after": start}) == seen_b["results"] + after_b


@pytest.mark.usefixtures("committed_db")
def test_while_one_transaction_commits_its_events_no_later_one_can_pass_it(client):
    """A holds positions it has not committed: B's commit waits for A to end, and a
    reader meanwhile sees neither, so no reader's cursor passes A's positions."""
    x, y = CredentialFactory(), CredentialFactory()
    start = _read_all(client)[-1]["cursor"]
    finished = threading.Event()

    with _app_connection() as a, _app_connection() as b:
        a.execute("UPDATE credentials_credential SET title_en = 'A' WHERE id = %s", [x.pk])
        a.execute("SET CONSTRAINTS changes_record_changed IMMEDIATE")  # positions taken now
        b.execute("UPDATE credentials_credential SET title_en = 'B' WHERE id = %s", [y.pk])

        def commit_b():
            b.commit()
            finished.set()

        thread = threading.Thread(target=commit_b)
        thread.start()
        time.sleep(0.5)
        assert not finished.is_set(), "B committed while A held earlier positions"
        assert client.get(URL, {"after": start}).json()["results"] == []
        a.commit()
        thread.join(timeout=10)
        assert finished.is_set()

    events = _read_all(client, {"after": start})
    assert [e["after"] for e in events] == [{"title_en": "A"}, {"title_en": "B"}]
