"""Browse counts from the facet cubes equal counts over the entries, whatever the writes."""

import datetime
import threading

import psycopg
import pytest
from django.db import connection

from benchmarks.load import CHANGE_FEED_CREATED_TRIGGER
from credentials.choices import CredentialKind, CredentialStatus, DeliveryMode
from credentials.models import Credential
from credentials.search.cube import cube_counts, facet_cube_compact, facet_cube_refill
from credentials.search.service import CredentialSearch
from credentials.tasks import facet_cube_compact_task
from tests.factories import CredentialFactory

from .conftest import level

TODAY = datetime.date(2026, 12, 3)

# Browses the cubes answer, and (last) ones counted from the entries instead.
CUBE_BROWSES = [
    {},
    {"level": "HKQF-4"},
    {"framework": "RQF", "mode": "online"},
    {"kind": "qualification", "size": ["4-15", "over-120"]},
    {"level": ["HKQF-4", "RQF-5"], "mode": "onsite", "kind": "micro_credential"},
    {"status": "all"},
    {"status": ["expired", "registered"], "level": "HKQF-4"},
    {"eqf": 4},
    {"level_id": "999999"},
    {"level": "ZZ-9", "eqf": 4},
]
ENTRY_BROWSES = [
    {"provider": "hku"},
    {"area": "T-BUS"},
    {"credits_min": 10},
    {"valid_on": "2021-01-01"},
]


def cube_and_entry_counts(params: dict) -> tuple[tuple, tuple]:
    search = CredentialSearch(params, today=TODAY)
    from_cube = search._run_counts(*search._browse_counts_sql())
    from_entries = search._run_counts(*search._counts_sql(limit=None))
    return from_cube, from_entries


def assert_cube_exact() -> None:
    """Every browse: the cube's total and facets equal the entries' (and a plain COUNT)."""
    for params in CUBE_BROWSES + ENTRY_BROWSES:
        search = CredentialSearch(params, today=TODAY)
        answered = cube_counts(
            data=search.data,
            resolved_ids=search.filterset.resolved_ids,
            active=search._active_facets(),
            today=TODAY,
        )
        assert (answered is not None) == (params in CUBE_BROWSES), params
        from_cube, from_entries = cube_and_entry_counts(params)
        total, facets = from_cube[0], from_cube[1]
        assert total == search.matches().count(), params
        assert total == from_entries[0], params
        for dimension, rows in facets.items():
            assert sorted(rows) == sorted(from_entries[1][dimension]), (params, dimension)


def cube_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT level_id, area_of_study_id, mode_of_delivery, kind, status, size, n"
            " FROM credentials_facetcount_by_area UNION ALL SELECT level_id, provider_id,"
            " mode_of_delivery, kind, status, size, -n FROM credentials_facetcount_by_provider"
        )
        return sorted(cursor.fetchall(), key=repr)


def pending_deltas() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM credentials_facetdelta_by_area)"
            " + (SELECT count(*) FROM credentials_facetdelta_by_provider)"
        )
        return cursor.fetchone()[0]


@pytest.fixture
def undated(register):
    """Registered entries not valid today: ended awaiting the sweep, and not yet begun."""
    CredentialFactory(
        level=level("HKQF", "4"),
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2025, 1, 1),
    )
    CredentialFactory(
        level=level("RQF", "5"),
        mode_of_delivery=DeliveryMode.ONLINE,
        valid_from=datetime.date(2027, 6, 1),
        valid_to=None,
    )
    return register


@pytest.mark.django_db
def test_counts_after_inserts_and_compaction(undated):
    """Inserted entries count through their deltas, and the same after folding them in."""
    assert pending_deltas() > 0
    assert_cube_exact()
    facet_cube_compact()
    assert pending_deltas() == 0
    assert_cube_exact()


@pytest.mark.django_db
def test_counts_after_edits_status_changes_bulk_writes_and_deletes(undated):
    """Dimension edits, status transitions, a bulk import, a sweep chunk and deletes."""
    facet_cube_compact()
    fintech = undated.fintech
    fintech.level = level("HKQF", "5")
    fintech.mode_of_delivery = DeliveryMode.BLENDED
    fintech.credits = 200
    fintech.save()
    assert_cube_exact()
    Credential.objects.filter(pk=undated.ai.pk).update(status=CredentialStatus.SUSPENDED)
    # A change of no dimension (dates, titles) appends no delta.
    before = pending_deltas()
    Credential.objects.filter(pk=undated.hnc.pk).update(title_en="Renamed", valid_to=None)
    assert pending_deltas() == before
    assert_cube_exact()
    facet_cube_compact()
    Credential.objects.bulk_create(
        CredentialFactory.build(
            provider=undated.polyu,
            level=level("RQF", "4"),
            kind=CredentialKind.QUALIFICATION,
            credits=None,
            notional_hours=hours,
        )
        for hours in (None, 25, 35, 600, 1300)
    )
    assert_cube_exact()
    # The sweep's chunk: entries past their end become expired in one statement.
    Credential.objects.filter(status=CredentialStatus.REGISTERED, valid_to__lt=TODAY).update(
        status=CredentialStatus.EXPIRED
    )
    assert_cube_exact()
    facet_cube_compact()
    # The change feed keeps a "created" event for every entry it saw, so only entries
    # made without it can be deleted (the register itself withdraws instead).
    with connection.cursor() as cursor:
        # ALTER TABLE needs the deferred foreign-key checks done first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            f"ALTER TABLE credentials_credential DISABLE TRIGGER {CHANGE_FEED_CREATED_TRIGGER}"
        )
        doomed = [CredentialFactory(level=level("RQF", "5")).pk for _ in range(2)]
        cursor.execute(
            f"ALTER TABLE credentials_credential ENABLE TRIGGER {CHANGE_FEED_CREATED_TRIGGER}"
        )
    assert_cube_exact()
    Credential.objects.filter(pk__in=doomed).delete()
    assert_cube_exact()
    facet_cube_compact()
    assert_cube_exact()


@pytest.mark.django_db
def test_refill_recounts_what_the_triggers_kept(undated):
    """The migration's fill (and the bench loader's) gives the cubes the triggers kept."""
    Credential.objects.filter(pk=undated.ai.pk).update(mode_of_delivery=DeliveryMode.BLENDED)
    facet_cube_compact()
    kept = cube_rows()
    facet_cube_refill()
    assert cube_rows() == kept
    assert pending_deltas() == 0
    assert_cube_exact()


def test_concurrent_writers_and_a_compaction_between_them_keep_counts_exact(committed_db, undated):
    """Two connections write at once (one holding its transaction open across a compaction);
    every count equals the entries' once both commit, and before the slow one commits."""
    settings = connection.settings_dict
    dsn = psycopg.conninfo.make_conninfo(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
    )
    hkqf4 = level("HKQF", "4").pk
    ids = list(Credential.objects.values_list("pk", flat=True))
    started = threading.Event()
    release = threading.Event()

    def slow_writer() -> None:
        with psycopg.connect(dsn) as other, other.transaction():
            other.execute(
                "UPDATE credentials_credential SET level_id = %s, mode_of_delivery = 'online'"
                " WHERE id = ANY(%s)",
                [hkqf4, ids[:3]],
            )
            started.set()
            release.wait(timeout=30)

    thread = threading.Thread(target=slow_writer)
    thread.start()
    try:
        assert started.wait(timeout=30)
        with psycopg.connect(dsn, autocommit=True) as second:
            second.execute(
                "UPDATE credentials_credential SET kind = 'qualification' WHERE id = ANY(%s)",
                [ids[3:]],
            )
        facet_cube_compact()
        assert_cube_exact()
    finally:
        release.set()
        thread.join(timeout=30)
    assert_cube_exact()
    facet_cube_compact()
    assert pending_deltas() == 0
    assert_cube_exact()


@pytest.mark.django_db
def test_the_beat_task_folds_pending_deltas_and_a_repeat_changes_nothing(undated):
    """The compaction task empties the delta tables; run again, it folds nothing."""
    assert pending_deltas() > 0
    assert facet_cube_compact_task() > 0
    assert pending_deltas() == 0
    kept = cube_rows()
    assert facet_cube_compact_task() == 0
    assert cube_rows() == kept
    assert_cube_exact()
