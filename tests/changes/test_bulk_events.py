"""Bulk writers (COPY, INSERT … SELECT, UPDATE … FROM) write exactly the events that the same
changes written one row at a time write: same kinds, before and after, in row order."""

import datetime

import pytest

from changes.models import ChangeEvent
from credentials.choices import CredentialStatus
from credentials.models import Credential
from imports.bulk import update_rows
from tests.bulk_writes import copy_twins, insert_twins
from tests.changes.events import fire_event_triggers
from tests.factories import CredentialFactory, ProviderFactory

pytestmark = pytest.mark.django_db

# What each twin's update sets; every row of the bulk UPDATE sets all four columns, so the
# rows meant to stay as they were are written with their own values.
CHANGES = [
    {"title_en": "Diploma in Welding"},
    {"valid_to": datetime.date(2030, 1, 1), "status": CredentialStatus.SUSPENDED},
    {},
    {"status": CredentialStatus.WITHDRAWN},
    {"status": CredentialStatus.DRAFT},
    {"title_en": "Certificate in Surveying", "qualification_type": "Certificate"},
]
UPDATED = ("title_en", "qualification_type", "valid_to", "status")


def twins(prefix: str, count: int, drafts: tuple[int, ...] = ()) -> list[Credential]:
    provider = ProviderFactory(slug=f"twins-{prefix.lower()}")
    return [
        CredentialFactory(
            registration_number=f"{prefix}/{n}",
            provider=provider,
            title_en=f"Certificate in Data {n}",
            title_zh=f"數據證書{n}",
            status=CredentialStatus.DRAFT if n in drafts else CredentialStatus.REGISTERED,
        )
        for n in range(count)
    ]


def events(rows: list[Credential], after: int = 0) -> list[list[tuple]]:
    """Each row's events after position `after`, without the provider or number."""
    fire_event_triggers()
    found = []
    for row in rows:
        found.append(
            [
                (event.kind, event.before, _without_identity(event.after))
                for event in ChangeEvent.objects.filter(credential=row, id__gt=after)
            ]
        )
    return found


def _without_identity(document: dict) -> dict:
    return {
        key: value
        for key, value in document.items()
        if key not in ("registration_number", "provider")
    }


def last_position() -> int:
    fire_event_triggers()
    return ChangeEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def update_row_by_row(rows: list[Credential]) -> None:
    for row, changes in zip(rows, CHANGES, strict=True):
        if changes:
            Credential.objects.filter(pk=row.pk).update(**changes)


def update_from(rows: list[Credential]) -> None:
    """One UPDATE … FROM a COPY-filled table: the imports' own bulk update."""
    update_rows(
        Credential,
        UPDATED,
        [
            (row.pk, *(changes.get(column, getattr(row, column)) for column in UPDATED))
            for row, changes in zip(rows, CHANGES, strict=True)
        ],
    )


def test_an_update_from_writes_the_events_of_row_by_row_updates():
    one_by_one, bulk = twins("R", len(CHANGES)), twins("B", len(CHANGES))
    start = last_position()

    update_row_by_row(one_by_one)
    middle = last_position()
    update_from(bulk)

    expected = events(one_by_one, start)
    assert events(bulk, middle) == expected
    assert [len(found) for found in expected] == [1, 2, 0, 1, 1, 1]
    bulk_positions = list(
        ChangeEvent.objects.filter(id__gt=middle).values_list("credential_id", flat=True)
    )
    assert bulk_positions == sorted(bulk_positions)


@pytest.mark.parametrize("write", [copy_twins, insert_twins], ids=["COPY", "INSERT … SELECT"])
def test_bulk_inserts_write_the_created_events_of_saves(write):
    saved = twins("S", 4, drafts=(1,))
    start = last_position()

    write("T", "S/")

    copies = list(Credential.objects.filter(registration_number__startswith="TS/").order_by("id"))
    assert [c.registration_number for c in copies] == [f"TS/{n}" for n in range(4)]
    created = events(copies, start)
    assert created == events(saved)
    assert created[1] == []  # a draft is not public
    positions = list(
        ChangeEvent.objects.filter(id__gt=start).values_list("credential_id", flat=True)
    )
    assert positions == [copies[n].pk for n in (0, 2, 3)]
