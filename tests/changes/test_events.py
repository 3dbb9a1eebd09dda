"""Every change of a public record becomes an event, whoever writes it; nothing else does."""

import datetime

import pytest

from changes.models import ChangeEvent
from credentials.choices import PUBLIC_STATUSES, CredentialStatus
from credentials.models import Credential
from credentials.services import (
    EDITABLE_FIELDS,
    change_request_decide,
    credential_request_change,
    credential_transition,
    credential_update,
)
from tests.changes.events import events_of, fire_event_triggers
from tests.factories import CredentialFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def test_a_registered_record_is_created_with_every_public_field():
    credential = CredentialFactory()

    [(kind, before, after)] = events_of(credential)

    assert kind == "created"
    assert before is None
    # A field added to the record must be added to the feed (a new migration): this fails.
    assert set(after) == {
        *EDITABLE_FIELDS,
        "status",
        "superseded_by",
        "superseded_by_registration_number",
    }
    assert after["status"] == "registered"
    assert after["credits"] == "6.0"
    assert after["valid_to"] == "2028-08-31"
    assert after["provider"] == credential.provider_id


def test_the_event_names_the_record_provider_and_framework():
    credential = CredentialFactory()
    fire_event_triggers()

    event = ChangeEvent.objects.get(credential=credential)

    assert event.registration_number == credential.registration_number
    assert event.provider_id == credential.provider_id
    assert event.framework_id == credential.level.framework_id
    assert event.recorded_at is not None


@pytest.mark.parametrize("status", CredentialStatus.values)
def test_only_public_statuses_are_in_the_feed(status):
    """The trigger's frozen status list is PUBLIC_STATUSES: a new public status needs a
    migration that re-creates the triggers, and this test says so."""
    facts = {
        CredentialStatus.TEACH_OUT: {"teach_out_ends_on": datetime.date(2028, 3, 31)},
        CredentialStatus.SUPERSEDED: {"superseded_by": CredentialFactory(status="draft")},
    }.get(status, {})
    credential = CredentialFactory(status=status, **facts)

    assert bool(events_of(credential)) == (status in PUBLIC_STATUSES)


def test_a_drafts_edits_are_not_in_the_feed():
    credential = CredentialFactory(status=CredentialStatus.DRAFT, valid_from=None, valid_to=None)
    Credential.objects.filter(pk=credential.pk).update(title_en="Renamed draft")

    assert events_of(credential) == []


def test_an_editorial_edit_is_a_content_change(staff):
    credential = CredentialFactory(summary_en="Old summary.")
    events_of(credential)

    credential_update(actor=staff, credential=credential, values={"summary_en": "New summary."})

    assert events_of(credential)[1:] == [
        ("content_changed", {"summary_en": "Old summary."}, {"summary_en": "New summary."})
    ]


def test_a_status_move_is_a_status_change(staff):
    credential = CredentialFactory()

    credential_transition(
        actor=staff, credential=credential, to_status=CredentialStatus.SUSPENDED, reason="Audit"
    )

    assert events_of(credential)[1:] == [
        ("status_changed", {"status": "registered"}, {"status": "suspended"})
    ]


def test_an_approved_validity_extension_is_a_validity_change(staff):
    credential = CredentialFactory()
    admin = MembershipFactory(provider=credential.provider, role="admin").user
    request = credential_request_change(
        actor=admin,
        credential=credential,
        values={"valid_to": datetime.date(2030, 8, 31)},
        reason="Re-accredited.",
    )

    change_request_decide(actor=staff, change_request=request, approve=True)

    assert events_of(credential)[1:] == [
        ("validity_changed", {"valid_to": "2028-08-31"}, {"valid_to": "2030-08-31"})
    ]


def test_leaving_the_public_statuses_is_a_removal_and_coming_back_a_creation():
    credential = CredentialFactory()
    Credential.objects.filter(pk=credential.pk).update(status=CredentialStatus.UNDER_REVIEW)
    Credential.objects.filter(pk=credential.pk).update(
        status=CredentialStatus.REGISTERED, title_en="Reviewed title"
    )

    kinds = [(kind, before, after.get("status")) for kind, before, after in events_of(credential)]

    assert kinds == [
        ("created", None, "registered"),
        ("removed", {"status": "registered"}, "under_review"),
        ("created", None, "registered"),
    ]
    assert events_of(credential)[-1][2]["title_en"] == "Reviewed title"


def test_one_bulk_update_of_many_fields_splits_by_kind():
    credential = CredentialFactory()
    Credential.objects.filter(pk=credential.pk).update(
        title_en="New", valid_to=datetime.date(2030, 1, 1), status=CredentialStatus.SUSPENDED
    )

    assert events_of(credential)[1:] == [
        ("validity_changed", {"valid_to": "2028-08-31"}, {"valid_to": "2030-01-01"}),
        ("content_changed", {"title_en": credential.title_en}, {"title_en": "New"}),
        ("status_changed", {"status": "registered"}, {"status": "suspended"}),
    ]


def test_bulk_writers_are_caught_row_by_row():
    """Imports and sweeps write with COPY and set-based UPDATEs: the trigger sees each row."""
    providers = CredentialFactory().provider
    rows = Credential.objects.bulk_create(
        [
            CredentialFactory.build(provider=providers, registration_number=f"B/{n}")
            for n in range(5)
        ]
    )
    Credential.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=CredentialStatus.EXPIRED
    )
    fire_event_triggers()

    for row in rows:
        assert [e.kind for e in ChangeEvent.objects.filter(credential=row)] == [
            "created",
            "status_changed",
        ]


def test_an_update_that_changes_nothing_public_writes_nothing():
    credential = CredentialFactory()
    events_of(credential)
    Credential.objects.filter(pk=credential.pk).update(
        updated_at=datetime.datetime.now(datetime.UTC)
    )

    assert len(events_of(credential)) == 1


def test_positions_increase_in_order_of_writing():
    first, second = CredentialFactory(), CredentialFactory()
    fire_event_triggers()

    positions = list(ChangeEvent.objects.values_list("credential_id", "id"))

    assert [pk for pk, _ in positions] == [first.pk, second.pk]
    assert positions[0][1] < positions[1][1]


# --- the status vocabulary: teach-out and superseded ------------------------------------------

TEACH_OUT_ENDS = datetime.date(2028, 3, 31)


def _teach_out(actor, credential):
    credential_transition(
        actor=actor,
        credential=credential,
        to_status=CredentialStatus.TEACH_OUT,
        reason="Intake closed; enrolled cohorts finish by March 2028.",
        teach_out_ends_on=TEACH_OUT_ENDS,
    )


def test_entering_teach_out_is_one_status_change_with_its_end_date(registry_admin):
    credential = CredentialFactory()
    events_of(credential)

    _teach_out(registry_admin, credential)

    assert events_of(credential)[1:] == [
        (
            "status_changed",
            {"status": "registered", "teach_out_ends_on": None},
            {"status": "teach_out", "teach_out_ends_on": "2028-03-31"},
        )
    ]


def test_leaving_teach_out_is_one_status_change_that_clears_the_end_date(registry_admin):
    credential = CredentialFactory()
    _teach_out(registry_admin, credential)
    events_of(credential)

    credential_transition(
        actor=registry_admin,
        credential=credential,
        to_status=CredentialStatus.REGISTERED,
        reason="Intake reopened.",
    )

    assert events_of(credential)[2:] == [
        (
            "status_changed",
            {"status": "teach_out", "teach_out_ends_on": "2028-03-31"},
            {"status": "registered", "teach_out_ends_on": None},
        )
    ]


def test_moving_a_teach_out_end_date_is_a_validity_change(registry_admin):
    credential = CredentialFactory()
    _teach_out(registry_admin, credential)
    events_of(credential)

    Credential.objects.filter(pk=credential.pk).update(teach_out_ends_on=datetime.date(2028, 6, 30))

    assert events_of(credential)[2:] == [
        (
            "validity_changed",
            {"teach_out_ends_on": "2028-03-31"},
            {"teach_out_ends_on": "2028-06-30"},
        )
    ]


def test_being_superseded_is_one_status_change_naming_the_successor(registry_admin):
    credential = CredentialFactory()
    successor = CredentialFactory(provider=credential.provider)
    events_of(credential)

    credential_transition(
        actor=registry_admin,
        credential=credential,
        to_status=CredentialStatus.SUPERSEDED,
        reason="Replaced by the 2026 revision.",
        superseded_by=successor,
    )

    assert events_of(credential)[1:] == [
        (
            "status_changed",
            {
                "status": "registered",
                "superseded_by": None,
                "superseded_by_registration_number": None,
            },
            {
                "status": "superseded",
                "superseded_by": successor.pk,
                "superseded_by_registration_number": successor.registration_number,
            },
        )
    ]


def test_a_record_created_superseded_names_its_successor():
    successor = CredentialFactory()
    credential = CredentialFactory(
        provider=successor.provider, status=CredentialStatus.SUPERSEDED, superseded_by=successor
    )

    [(kind, _before, after)] = events_of(credential)

    assert kind == "created"
    assert (after["status"], after["superseded_by"]) == ("superseded", successor.pk)
    assert after["superseded_by_registration_number"] == successor.registration_number
