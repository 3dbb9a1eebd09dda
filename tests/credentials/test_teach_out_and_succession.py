"""Teach-out and superseded: who may make each move, what it needs, and what is refused."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from credentials.choices import ChangeRequestState, CredentialStatus, StatusSource
from credentials.models import Credential
from credentials.services import (
    change_request_decide,
    credential_change_status,
    credential_request_change,
    credential_review_move,
    credential_transition,
)
from providers.choices import MembershipRole
from tests.factories import CredentialFactory, MembershipFactory

pytestmark = pytest.mark.django_db
S = CredentialStatus


def _in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def provider_admin():
    return MembershipFactory(role=MembershipRole.ADMIN)


@pytest.fixture
def registered(provider_admin):
    return CredentialFactory(provider=provider_admin.provider, valid_to=_in(900))


@pytest.fixture
def next_version(provider_admin):
    return CredentialFactory(provider=provider_admin.provider, valid_to=_in(1500))


# --- teach-out ------------------------------------------------------------------------------


def test_a_registry_administrator_puts_a_record_into_teach_out_with_its_end_date(
    registry_admin, registered
):
    change = credential_transition(
        actor=registry_admin,
        credential=registered,
        to_status=S.TEACH_OUT,
        reason="The provider closed intake; cohorts finish by then.",
        teach_out_ends_on=_in(400),
    )

    registered.refresh_from_db()
    assert (registered.status, registered.teach_out_ends_on) == (S.TEACH_OUT, _in(400))
    assert (change.from_status, change.to_status, change.changed_by) == (
        S.REGISTERED,
        S.TEACH_OUT,
        registry_admin,
    )
    version = registered.versions.order_by("-number").first()
    assert version.changes == {"teach_out_ends_on": [None, _in(400).isoformat()]}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"reason": "closing"}, "teach_out_ends_on", "teach-out end date"),
        ({"reason": "closing", "teach_out_ends_on": -1}, "teach_out_ends_on", "has passed"),
        ({"teach_out_ends_on": 30}, "reason", "Say why"),
    ],
)
def test_teach_out_without_an_end_date_in_the_future_or_a_reason_is_refused(
    registry_admin, registered, values, field, message
):
    if "teach_out_ends_on" in values:
        values = {**values, "teach_out_ends_on": _in(values["teach_out_ends_on"])}

    with pytest.raises(ValidationError) as caught:
        credential_transition(
            actor=registry_admin, credential=registered, to_status=S.TEACH_OUT, **values
        )

    assert message in " ".join(caught.value.message_dict[field])
    registered.refresh_from_db()
    assert (registered.status, registered.teach_out_ends_on) == (S.REGISTERED, None)


def test_a_provider_administrator_cannot_move_its_record_into_teach_out(provider_admin, registered):
    with pytest.raises(ValidationError, match="provider administrator cannot move"):
        credential_transition(
            actor=provider_admin.user,
            credential=registered,
            to_status=S.TEACH_OUT,
            reason="closing",
            teach_out_ends_on=_in(100),
        )
    registered.refresh_from_db()
    assert registered.status == S.REGISTERED


def test_a_review_decision_cannot_move_a_record_into_teach_out(registry_admin, registered):
    with pytest.raises(ValidationError, match="review cannot move"):
        credential_review_move(
            actor=registry_admin, credential=registered, to_status=S.TEACH_OUT, reason="x"
        )


def test_calling_off_a_teach_out_clears_its_end_date(registry_admin, registered):
    credential_transition(
        actor=registry_admin,
        credential=registered,
        to_status=S.TEACH_OUT,
        reason="closing",
        teach_out_ends_on=_in(100),
    )
    credential_transition(
        actor=registry_admin, credential=registered, to_status=S.REGISTERED, reason="reopened"
    )

    registered.refresh_from_db()
    assert (registered.status, registered.teach_out_ends_on) == (S.REGISTERED, None)


def test_a_provider_asks_for_teach_out_and_the_registry_approves_it(
    provider_admin, registry_admin, registered
):
    request = credential_request_change(
        actor=provider_admin.user,
        credential=registered,
        values={"status": S.TEACH_OUT, "teach_out_ends_on": _in(200)},
        reason="Last intake was September; the final cohort completes next year.",
    )
    registered.refresh_from_db()
    assert (registered.status, registered.teach_out_ends_on) == (S.REGISTERED, None)
    assert request.changes == {
        "teach_out_ends_on": [None, _in(200).isoformat()],
        "status": [S.REGISTERED, S.TEACH_OUT],
    }

    change_request_decide(actor=registry_admin, change_request=request, approve=True)

    registered.refresh_from_db()
    assert (registered.status, registered.teach_out_ends_on) == (S.TEACH_OUT, _in(200))
    move = registered.status_changes.latest("changed_at", "id")
    assert (move.to_status, move.changed_by, move.source) == (
        S.TEACH_OUT,
        registry_admin,
        StatusSource.MANUAL,
    )


def test_a_rejected_teach_out_request_changes_nothing(provider_admin, registry_admin, registered):
    request = credential_request_change(
        actor=provider_admin.user,
        credential=registered,
        values={"status": S.TEACH_OUT, "teach_out_ends_on": _in(200)},
        reason="closing",
    )
    change_request_decide(actor=registry_admin, change_request=request, approve=False)

    registered.refresh_from_db()
    request.refresh_from_db()
    assert request.state == ChangeRequestState.REJECTED
    assert (registered.status, registered.teach_out_ends_on) == (S.REGISTERED, None)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"status": S.TEACH_OUT}, "teach_out_ends_on", "teach-out end date"),
        ({"status": S.WITHDRAWN}, "status", "only for teach-out or superseded"),
        ({"status": S.SUPERSEDED}, "superseded_by", "Name the record"),
    ],
)
def test_a_request_that_cannot_be_decided_is_refused_when_asked(
    provider_admin, registered, values, field, message
):
    with pytest.raises(ValidationError) as caught:
        credential_request_change(
            actor=provider_admin.user, credential=registered, values=values, reason="because"
        )
    assert message in " ".join(caught.value.message_dict[field])
    assert not registered.change_requests.exists()


def test_a_status_check_moving_into_teach_out_without_an_end_date_is_refused(registered):
    with pytest.raises(ValidationError, match="needs the date its teach-out ends"):
        credential_change_status(
            credential=registered, to_status=S.TEACH_OUT, source=StatusSource.MANUAL
        )


# --- superseded -----------------------------------------------------------------------------


def test_a_registry_administrator_marks_a_record_superseded_by_its_next_version(
    registry_admin, registered, next_version
):
    credential_transition(
        actor=registry_admin,
        credential=registered,
        to_status=S.SUPERSEDED,
        reason="Replaced by the 2026 revision.",
        superseded_by=next_version,
    )

    registered.refresh_from_db()
    assert (registered.status, registered.superseded_by) == (S.SUPERSEDED, next_version)
    assert list(next_version.supersedes.all()) == [registered]


def test_a_provider_asks_to_mark_its_record_superseded_and_the_registry_approves(
    provider_admin, registry_admin, registered, next_version
):
    request = credential_request_change(
        actor=provider_admin.user,
        credential=registered,
        values={"status": S.SUPERSEDED, "superseded_by": next_version},
        reason="The new version is registered.",
    )
    assert request.changes == {
        "status": [S.REGISTERED, S.SUPERSEDED],
        "superseded_by": [None, next_version.pk],
    }

    change_request_decide(actor=registry_admin, change_request=request, approve=True)

    registered.refresh_from_db()
    assert (registered.status, registered.superseded_by_id) == (S.SUPERSEDED, next_version.pk)


def test_a_provider_cannot_name_another_providers_record_as_its_next_version(
    provider_admin, registered
):
    elsewhere = CredentialFactory()
    with pytest.raises(ValidationError, match="same provider"):
        credential_request_change(
            actor=provider_admin.user,
            credential=registered,
            values={"status": S.SUPERSEDED, "superseded_by": elsewhere},
            reason="merged",
        )


def test_a_provider_administrator_cannot_mark_a_record_superseded_itself(
    provider_admin, registered, next_version
):
    with pytest.raises(ValidationError, match="provider administrator cannot move"):
        credential_transition(
            actor=provider_admin.user,
            credential=registered,
            to_status=S.SUPERSEDED,
            reason="replaced",
            superseded_by=next_version,
        )


@pytest.mark.parametrize(
    ("successor", "message"),
    [
        ("none", "Name the record"),
        ("self", "cannot supersede itself"),
        ("draft", "must be on the register"),
        ("superseded", "must be on the register"),
    ],
)
def test_a_successor_must_be_another_registered_record(
    registry_admin, registered, next_version, successor, message
):
    if successor == "superseded":
        credential_transition(
            actor=registry_admin,
            credential=next_version,
            to_status=S.SUPERSEDED,
            reason="replaced",
            superseded_by=CredentialFactory(provider=registered.provider),
        )
    named = {
        "none": None,
        "self": registered,
        "draft": CredentialFactory(status=S.DRAFT, provider=registered.provider),
        "superseded": next_version,
    }[successor]

    with pytest.raises(ValidationError, match=message):
        credential_transition(
            actor=registry_admin,
            credential=registered,
            to_status=S.SUPERSEDED,
            reason="replaced",
            superseded_by=named,
        )
    registered.refresh_from_db()
    assert (registered.status, registered.superseded_by) == (S.REGISTERED, None)


def test_a_successor_goes_only_with_a_move_to_superseded(registry_admin, registered, next_version):
    with pytest.raises(ValidationError, match="only with a move to superseded"):
        credential_transition(
            actor=registry_admin,
            credential=registered,
            to_status=S.SUSPENDED,
            reason="investigation",
            superseded_by=next_version,
        )


def test_a_superseded_record_is_locked_but_may_still_be_withdrawn(
    registry_admin, provider_admin, registered, next_version
):
    credential_transition(
        actor=registry_admin,
        credential=registered,
        to_status=S.SUPERSEDED,
        reason="replaced",
        superseded_by=next_version,
    )
    with pytest.raises(ValidationError, match="locked"):
        credential_request_change(
            actor=provider_admin.user,
            credential=registered,
            values={"valid_to": _in(10)},
            reason="x",
        )

    credential_transition(
        actor=provider_admin.user,
        credential=registered,
        to_status=S.WITHDRAWN,
        reason="No longer awarded at all.",
    )
    registered.refresh_from_db()
    # The line of versions stays readable after a withdrawal.
    assert (registered.status, registered.superseded_by) == (S.WITHDRAWN, next_version)


# --- what the database itself refuses --------------------------------------------------------


def _refused(sql: str, params: list) -> str:
    with pytest.raises(IntegrityError) as caught, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    return str(caught.value)


def test_the_database_refuses_a_superseded_record_without_a_successor(registered):
    message = _refused(
        "UPDATE credentials_credential SET status = 'superseded' WHERE id = %s", [registered.pk]
    )
    assert "superseded_has_successor" in message


def test_the_database_refuses_teach_out_without_an_end_date(registered):
    message = _refused(
        "UPDATE credentials_credential SET status = 'teach_out' WHERE id = %s", [registered.pk]
    )
    assert "teach_out_has_end" in message


def test_the_database_refuses_a_record_as_its_own_successor(registered):
    message = _refused(
        "UPDATE credentials_credential SET superseded_by_id = id WHERE id = %s", [registered.pk]
    )
    # The cycle trigger (before the row is written) or the check constraint (after) refuses.
    assert "the successors lead back to it" in message or "not_own_successor" in message


@pytest.mark.parametrize("length", [2, 3])
def test_the_database_refuses_a_cycle_of_successors(length):
    line = [CredentialFactory() for _ in range(length)]
    for earlier, later in itertools.pairwise(line):
        Credential.objects.filter(pk=earlier.pk).update(superseded_by=later)

    message = _refused(
        "UPDATE credentials_credential SET superseded_by_id = %s WHERE id = %s",
        [line[0].pk, line[-1].pk],
    )
    assert "the successors lead back to it" in message
