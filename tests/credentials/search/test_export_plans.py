"""An export reads its rows by one of two plans (credentials.interop.streaming): its id set,
collected first, or a walk of the id index. Both write the same rows in the same order, and
every search exports exactly what it finds."""

import json

import pytest
from django.db import connection
from django.test import override_settings

from credentials.interop import streaming
from credentials.interop.streaming import rows_by_id
from credentials.models import Credential
from credentials.search.exports import EXPORT_FIELDS
from credentials.search.service import credential_search
from tests.factories import CredentialFactory

URL = "/api/v1/credentials/"
# Larger than any test register: every export reads its id set.
EVERY_ID = 1_000_000
ID_WALK = 0

# Every filter the search accepts, alone and combined, with words in English and Chinese
# and registration numbers; the `register` fixture (conftest.py) gives each some matches.
SEARCHES = [
    {},
    {"status": "all"},
    {"status": "expired"},
    {"status": "registered,suspended"},
    {"valid_on": "2022-01-01", "status": "all"},
    {"q": "finance"},
    {"q": "finance", "status": "all"},
    {"q": "nursing"},
    {"q": "nothingmatchesthis"},
    {"q": "微證書"},
    {"q": "微证书"},
    {"q": "金融"},
    {"q": "603/2476/0"},
    {"q": "60324760"},
    {"q": "20/000999/L4"},
    {"q": "HTQ"},
    {"q": "A level"},
    {"level": "HKQF-4"},
    {"level": "4"},
    {"level": "HKQF-4,RQF-5"},
    {"framework": "RQF"},
    {"eqf": "5"},
    {"area": "T-BUS"},
    {"provider": "hku"},
    {"kind": "qualification"},
    {"mode": "online"},
    {"language": "yue"},
    {"credits_min": "5", "credits_max": "130"},
    {"hours_min": "50"},
    {"size": "4-15,over-120"},
    {"quality_mark": "htq"},
    {"q": "finance", "provider": "hku", "mode": "online"},
    {"q": "finance", "level": "HKQF-4", "status": "all"},
    {"level": "HKQF-4", "mode": "online", "kind": "micro_credential"},
    {"q": "金融", "framework": "HKQF", "size": "4-15"},
]


def found_ids(params: dict) -> list[int]:
    """What the search finds, read page by page through the search service."""
    search = credential_search(params={**params, "page_size": 100})
    page = search.page()
    assert not page.count_capped  # the whole result fits on one page
    return sorted(row.pk for row in page.rows)


def exported_ids(client, params: dict) -> list[int]:
    response = client.get(URL, {**params, "format": "json"})
    assert response.status_code == 200
    rows = json.loads(b"".join(response.streaming_content))
    return [int(row["url"].rstrip("/").rsplit("/", 1)[1]) for row in rows]


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 1 then 2: every batch boundary falls inside the test register."""
    monkeypatch.setattr(streaming, "FIRST_BATCH", 1)
    monkeypatch.setattr(streaming, "LARGEST_BATCH", 2)
    monkeypatch.setattr(streaming, "FETCH_SIZE", 1)


@pytest.mark.parametrize("params", SEARCHES, ids=lambda params: repr(params))
def test_every_search_exports_what_it_finds_by_both_plans(client, register, small_batches, params):
    """Export ids in id order equal the ids the search finds, whichever plan reads them."""
    expected = found_ids(params)
    with override_settings(EXPORT_ID_SET_LIMIT=EVERY_ID):
        from_id_set = exported_ids(client, params)
    with override_settings(EXPORT_ID_SET_LIMIT=ID_WALK):
        from_walk = exported_ids(client, params)

    assert from_id_set == expected
    assert from_walk == expected


def test_nearly_every_search_finds_rows(register):
    """The comparison above is over real rows: all but two of the searches find some."""
    finding = [params for params in SEARCHES if found_ids(params)]
    assert len(finding) >= len(SEARCHES) - 2


@pytest.mark.parametrize("params", SEARCHES[:12], ids=lambda params: repr(params))
def test_both_plans_read_the_same_rows_in_the_same_order(register, params):
    """Every export column, not just the ids, comes out the same by either plan."""
    matches = credential_search(params=params).matches()

    def rows(limit: int) -> list[tuple]:
        batches = rows_by_id(
            matches, EXPORT_FIELDS, first_batch=1, largest_batch=3, id_set_limit=limit
        )
        return [row for batch in batches for row in batch]

    walked = rows(ID_WALK)
    assert rows(EVERY_ID) == walked
    assert [row[0] for row in walked] == sorted(row[0] for row in walked)


def _statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_cursors")
        return [statement for (statement,) in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("limit", "plan"), [(3, "id set"), (2, "id walk")])
def test_the_plan_follows_how_many_rows_match(limit, plan):
    """Up to the limit the rows are read by their ids; past it the id index is walked."""
    made = [CredentialFactory() for _ in range(3)]
    # The plan starts from the planner's estimate, which needs the table's statistics.
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Credential._meta.db_table}")
    batches = rows_by_id(Credential.objects.all(), ("pk",), first_batch=1, id_set_limit=limit)

    first = next(batches)
    statements = _statements()
    rest = [row for batch in batches for row in batch]

    assert [*first, *rest] == [(credential.pk,) for credential in made]
    assert len(statements) == 1
    reads_ids = "unnest" in statements[0]
    walks = '"id" >' in statements[0] and "LIMIT 1" in statements[0]
    assert (reads_ids, walks) == ((True, False) if plan == "id set" else (False, True))


@pytest.mark.django_db
def test_a_negative_id_set_limit_is_refused():
    with pytest.raises(ValueError, match="must not be negative"):
        next(rows_by_id(Credential.objects.all(), ("pk",), id_set_limit=-1))
