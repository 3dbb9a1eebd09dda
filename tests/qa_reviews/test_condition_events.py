"""Every change to a QA condition is a row of its append-only history, written with it."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from qa_reviews.choices import ConditionEventKind, ConditionState, DecisionOutcome
from qa_reviews.conditions import conditions_mark_overdue, conditions_remind
from qa_reviews.models import Condition, ConditionEvent
from qa_reviews.services import condition_confirm_met
from tests.qa_reviews.workflow import approve, condition, decided

pytestmark = pytest.mark.django_db


def _history(condition_row: Condition) -> list[tuple]:
    return [
        (event.kind, event.from_state, event.to_state, event.actor)
        for event in condition_row.events.order_by("recorded_at", "pk")
    ]


def _with_conditions(world, *texts_and_days):
    decision = decided(
        world,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition(text, due_in) for text, due_in in texts_and_days],
    )
    return decision, {c.text: c for c in decision.conditions.all()}


def test_a_decision_sets_its_conditions_by_its_maker(world):
    _decision, conditions = _with_conditions(world, ("Publish the rubric.", 30))

    assert _history(conditions["Publish the rubric."]) == [
        (ConditionEventKind.CREATED, "", ConditionState.OPEN, world.reviewer)
    ]


def test_overdue_met_and_reminded_are_each_recorded_once(world, settings):
    settings.QA_CONDITION_REMINDER_DAYS = 14
    _decision, conditions = _with_conditions(world, ("Publish the rubric.", 5))
    rubric = conditions["Publish the rubric."]

    conditions_remind(today=world.today)
    conditions_remind(today=world.today)
    later = world.today + datetime.timedelta(days=10)
    conditions_mark_overdue(today=later)
    conditions_mark_overdue(today=later)
    condition_confirm_met(actor=world.admin, condition=rubric)

    assert _history(rubric) == [
        (ConditionEventKind.CREATED, "", ConditionState.OPEN, world.reviewer),
        (ConditionEventKind.REMINDED, ConditionState.OPEN, ConditionState.OPEN, None),
        (ConditionEventKind.OVERDUE, ConditionState.OPEN, ConditionState.OVERDUE, None),
        (ConditionEventKind.MET, ConditionState.OVERDUE, ConditionState.MET, world.admin),
    ]
    rubric.refresh_from_db()
    assert rubric.events.last().recorded_at == rubric.met_confirmed_at


def test_a_correction_records_what_it_carried_and_what_it_closed(world):
    original, conditions = _with_conditions(
        world, ("Publish the rubric.", 30), ("Name the tutors.", 60)
    )
    condition_confirm_met(actor=world.admin, condition=conditions["Name the tutors."])

    correction = approve(
        world,
        original.review,
        actor=world.admin,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish the appeals policy.", 90)],
        supersedes=original,
        carry_conditions=True,
    )

    carried = {c.text: c for c in correction.conditions.all()}
    assert _history(carried["Publish the rubric."]) == [
        (ConditionEventKind.CARRIED, "", ConditionState.OPEN, world.admin)
    ]
    assert _history(carried["Name the tutors."]) == [
        (ConditionEventKind.CARRIED, "", ConditionState.MET, world.admin)
    ]
    assert _history(carried["Publish the appeals policy."]) == [
        (ConditionEventKind.CREATED, "", ConditionState.OPEN, world.admin)
    ]
    assert _history(conditions["Publish the rubric."])[-1] == (
        ConditionEventKind.SUPERSEDED,
        ConditionState.OPEN,
        ConditionState.SUPERSEDED,
        world.admin,
    )
    # A condition already met is history, not a to-do: the correction leaves it as it was.
    assert _history(conditions["Name the tutors."])[-1][0] == ConditionEventKind.MET


def test_a_correction_that_carries_nothing_closes_open_conditions_with_an_event(world):
    original, conditions = _with_conditions(world, ("Publish the rubric.", 30))

    approve(world, original.review, supersedes=original)

    assert _history(conditions["Publish the rubric."])[-1] == (
        ConditionEventKind.SUPERSEDED,
        ConditionState.OPEN,
        ConditionState.SUPERSEDED,
        world.reviewer,
    )


def test_a_refused_confirmation_records_nothing(world):
    _decision, conditions = _with_conditions(world, ("Publish the rubric.", 30))
    rubric = conditions["Publish the rubric."]
    condition_confirm_met(actor=world.admin, condition=rubric)

    with pytest.raises(Exception, match="already been confirmed"):
        condition_confirm_met(actor=world.admin, condition=rubric)

    assert rubric.events.filter(kind=ConditionEventKind.MET).count() == 1


def test_condition_events_cannot_be_rewritten(world):
    _decision, conditions = _with_conditions(world, ("Publish the rubric.", 30))
    event = conditions["Publish the rubric."].events.get()

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ConditionEvent.objects.filter(pk=event.pk).update(note="rewritten")


def test_the_migration_gives_older_conditions_the_history_their_rows_show(world):
    """Conditions from before condition events get them from what their row records."""
    _decision, conditions = _with_conditions(
        world, ("Publish the rubric.", 5), ("Name the tutors.", 60), ("Still open.", 90)
    )
    condition_confirm_met(actor=world.admin, condition=conditions["Name the tutors."])
    conditions_mark_overdue(today=world.today + datetime.timedelta(days=10))
    ids = [c.pk for c in conditions.values()]
    # As before the migration: the rows, without their events.
    with connection.cursor() as cursor:
        # The owner's deliberate bypass; ALTER TABLE will not wait for deferred FK checks.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE qa_reviews_conditionevent DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM qa_reviews_conditionevent WHERE condition_id = ANY(%s)", [ids])
        cursor.execute("ALTER TABLE qa_reviews_conditionevent ENABLE TRIGGER USER")
    migration = importlib.import_module("qa_reviews.migrations.0006_condition_events")

    migration.backfill_events(apps, None)

    assert _history(conditions["Publish the rubric."]) == [
        (ConditionEventKind.CREATED, "", ConditionState.OPEN, world.reviewer),
        (ConditionEventKind.STATE_AT_START, ConditionState.OPEN, ConditionState.OVERDUE, None),
    ]
    assert _history(conditions["Name the tutors."]) == [
        (ConditionEventKind.CREATED, "", ConditionState.OPEN, world.reviewer),
        (ConditionEventKind.MET, ConditionState.OPEN, ConditionState.MET, world.admin),
    ]
    assert _history(conditions["Still open."]) == [
        (ConditionEventKind.CREATED, "", ConditionState.OPEN, world.reviewer)
    ]
