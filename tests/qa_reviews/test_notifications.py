"""Review e-mails: queued after commit, sent by Celery, saying only what the reader may see."""

import contextlib
import dataclasses
import datetime
import threading
import time
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction

from config.celery_app import app
from credentials.choices import CredentialStatus
from qa_reviews import notifications, tasks
from qa_reviews.choices import ConditionState, DecisionOutcome, NoticeKind
from qa_reviews.models import Condition, SentNotice
from qa_reviews.services import review_assign, review_decide
from tests.celery_worker import running_worker
from tests.factories import CredentialFactory, MembershipFactory, UserFactory
from tests.qa_reviews.workflow import (
    COMPLETE,
    approve,
    condition,
    decided,
    make_world,
    open_review,
    ready_to_decide,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def delays():
    """Stand-ins for every notification task's .delay, keyed by task name."""
    names = [
        "review_assignment_notify_task",
        "review_decision_notify_task",
        "conditions_notify_task",
    ]
    with contextlib.ExitStack() as stack:
        yield {
            name: stack.enter_context(mock.patch.object(getattr(tasks, name), "delay"))
            for name in names
        }


def test_assignment_queues_the_reviewer_email_only_on_commit(
    world, delays, django_capture_on_commit_callbacks
):
    review = open_review(world, reviewers=[])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assignment = review_assign(actor=world.admin, review=review, reviewer=world.reviewer)
        assert not delays["review_assignment_notify_task"].called

    assert len(callbacks) == 1
    callbacks[0]()
    delays["review_assignment_notify_task"].assert_called_once_with(assignment.pk)


def test_a_decision_queues_the_provider_email_after_commit(
    world, delays, django_capture_on_commit_callbacks
):
    review = ready_to_decide(world)
    with django_capture_on_commit_callbacks(execute=True):
        decision = approve(world, review)

    delays["review_decision_notify_task"].assert_called_once_with(decision.pk)


def test_a_refused_decision_queues_nothing(world, delays, django_capture_on_commit_callbacks):
    review = ready_to_decide(world)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        approve(world, review, valid_from=None)
    assert not delays["review_decision_notify_task"].called


def test_rolled_back_work_sends_nothing(world, delays, django_capture_on_commit_callbacks):
    review = open_review(world, reviewers=[])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                review_assign(actor=world.admin, review=review, reviewer=world.reviewer)
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not delays["review_assignment_notify_task"].called


def test_the_daily_task_marks_overdue_and_reminds(
    world, delays, django_capture_on_commit_callbacks
):
    decision = decided(
        world,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish the policy.", 3), condition("Name the tutors.", 200)],
    )
    due_soon = decision.conditions.get(text="Publish the policy.")
    Condition.objects.filter(text="Name the tutors.").update(
        due_date=world.today - datetime.timedelta(days=1)
    )
    late = decision.conditions.get(text="Name the tutors.")

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.conditions_daily_task.apply().get()

    assert result == {"overdue": 1, "reminded": 1}
    delays["conditions_notify_task"].assert_any_call([late.pk], "overdue")
    delays["conditions_notify_task"].assert_any_call([due_soon.pk], "due")
    late.refresh_from_db()
    assert late.state == ConditionState.OVERDUE
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.conditions_daily_task.apply().get() == {"overdue": 0, "reminded": 0}


# --- What the e-mails say ------------------------------------------------------------------


def test_the_reviewer_is_told_about_the_assignment(world):
    review = open_review(world)
    assignment = review.assignments.get()

    assert tasks.review_assignment_notify_task.apply(args=[assignment.pk]).get() == 1

    message = mail.outbox[-1]
    assert message.to == [world.reviewer.email]
    assert world.credential.registration_number in message.subject
    assert "declare that you have no conflict of interest" in message.body


def test_provider_administrators_read_the_decision_but_never_internal_notes(world):
    editor = world.personas.a_editor
    review = ready_to_decide(world)
    decision = review_decide(
        actor=world.reviewer,
        review=review,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        rationale="Approved; publish the moderation policy.",
        internal_notes="Reviewer two doubts the tutor numbers.",
        valid_from=world.today,
        valid_to=world.today + datetime.timedelta(days=1000),
        conditions=[condition("Publish the moderation policy.", 30)],
    )

    assert tasks.review_decision_notify_task.apply(args=[decision.pk]).get() == 1
    # A redelivered task does not mail twice.
    assert tasks.review_decision_notify_task.apply(args=[decision.pk]).get() == 0

    message = mail.outbox[-1]
    assert message.to == [world.personas.a_admin.email]
    assert editor.email not in message.to
    assert "Approved with conditions" in message.body
    assert "publish the moderation policy" in message.body.lower()
    assert "Reviewer two doubts" not in message.body
    assert world.reviewer.get_username() not in message.body
    assert len(mail.outbox) == 1


def test_a_correction_says_it_replaces_the_earlier_decision(world):
    original = decided(world)
    correction = approve(world, original.review, supersedes=original, rationale="Two years.")
    tasks.review_decision_notify_task.apply(args=[correction.pk]).get()
    assert "Corrected" in mail.outbox[-1].subject
    assert "has been corrected" in mail.outbox[-1].body


def test_condition_notices_go_once_per_provider(world, settings):
    settings.QA_NOTIFY_CC = ["qa-team@registry.example.org"]
    second = dataclasses.replace(
        world,
        credential=CredentialFactory(
            provider=world.personas.provider_b,
            status=CredentialStatus.SUBMITTED,
            valid_from=None,
            valid_to=None,
            **COMPLETE,
        ),
    )
    first_decision = decided(
        world,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish it.", 3), condition("Name them.", 4)],
    )
    other = decided(
        second,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Fix it.", 3)],
    )
    ids = [c.pk for c in first_decision.conditions.all()] + [c.pk for c in other.conditions.all()]

    assert tasks.conditions_notify_task.apply(args=[ids, "overdue"]).get() == 2
    assert tasks.conditions_notify_task.apply(args=[ids, "overdue"]).get() == 0

    by_recipient = {tuple(m.to): m for m in mail.outbox}
    provider_a_mail = by_recipient[(world.personas.a_admin.email,)]
    assert "2 QA conditions are overdue" in provider_a_mail.subject
    assert provider_a_mail.cc == ["qa-team@registry.example.org"]
    assert "Publish it." in provider_a_mail.body and "Name them." in provider_a_mail.body
    assert (world.personas.b_admin.email,) in by_recipient


def test_a_provider_without_administrators_is_logged_not_mailed(world, caplog):
    decision = decided(world)
    world.personas.a_admin.provider_memberships.all().delete()
    assert tasks.review_decision_notify_task.apply(args=[decision.pk]).get() == 0
    assert "No administrator" in caplog.text


def test_an_inactive_administrator_is_not_mailed(world):
    decision = decided(world)
    extra = MembershipFactory(provider=world.personas.provider_a, user=UserFactory()).user
    world.personas.a_admin.is_active = False
    world.personas.a_admin.save(update_fields=["is_active"])
    tasks.review_decision_notify_task.apply(args=[decision.pk]).get()
    assert mail.outbox[-1].to == [extra.email]


def test_a_real_worker_sends_the_decision_email_after_commit(committed_db):
    """End to end through Redis: the decision commits, then a worker process mails it.

    The worker's mail stays in its own memory, so its committed sent mark is the witness.
    """
    world = make_world()
    review = ready_to_decide(world)
    sent = SentNotice.objects.filter(kind=NoticeKind.DECISION)
    with running_worker():
        decision = approve(world, review)  # autocommit: the on-commit hook fires at once
        deadline = time.monotonic() + 30
        while not sent.filter(object_id=decision.pk).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    assert sent.filter(object_id=decision.pk).exists()


# --- Sent once, whatever happens to the cache ----------------------------------------------


def test_a_redelivered_decision_task_mails_once_though_the_cache_was_flushed(world):
    decision = decided(world)

    assert tasks.review_decision_notify_task.apply(args=[decision.pk]).get() == 1
    cache.clear()
    assert tasks.review_decision_notify_task.apply(args=[decision.pk]).get() == 0

    assert len(mail.outbox) == 1
    assert SentNotice.objects.filter(kind=NoticeKind.DECISION, object_id=decision.pk).exists()


def test_a_redelivered_assignment_task_mails_once_though_the_cache_was_flushed(world):
    assignment = open_review(world).assignments.get()

    tasks.review_assignment_notify_task.apply(args=[assignment.pk]).get()
    cache.clear()
    tasks.review_assignment_notify_task.apply(args=[assignment.pk]).get()

    assert [message.to for message in mail.outbox] == [[world.reviewer.email]]


def test_condition_notices_go_once_though_the_cache_was_flushed(world):
    decision = decided(
        world,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish it.", 3)],
    )
    ids = list(decision.conditions.values_list("pk", flat=True))

    tasks.conditions_notify_task.apply(args=[ids, "due"]).get()
    cache.clear()
    tasks.conditions_notify_task.apply(args=[ids, "due"]).get()
    # The overdue notice is another notice about the same condition.
    tasks.conditions_notify_task.apply(args=[ids, "overdue"]).get()

    assert len(mail.outbox) == 2
    assert "overdue" in mail.outbox[1].subject


def test_a_notice_names_only_the_conditions_not_yet_told(world):
    decision = decided(
        world,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish it.", 3), condition("Name them.", 4)],
    )
    told, untold = decision.conditions.order_by("due_date")
    tasks.conditions_notify_task.apply(args=[[told.pk], "overdue"]).get()

    tasks.conditions_notify_task.apply(args=[[told.pk, untold.pk], "overdue"]).get()

    assert len(mail.outbox) == 2
    assert "Name them." in mail.outbox[1].body
    assert "Publish it." not in mail.outbox[1].body


def test_a_failed_send_leaves_no_mark_so_the_retry_sends(world):
    decision = decided(world)
    with (
        mock.patch.object(EmailMessage, "send", side_effect=SMTPServerDisconnected("gone")),
        pytest.raises(SMTPServerDisconnected),
    ):
        notifications.review_decision_notify(decision_id=decision.pk)
    assert not SentNotice.objects.exists()

    assert notifications.review_decision_notify(decision_id=decision.pk) == 1
    assert len(mail.outbox) == 1


def test_two_deliveries_at_once_send_one_mail(committed_db, delays):
    """The second delivery waits on the first one's uncommitted mark, then sends nothing."""
    world = make_world()
    decision = decided(world)
    first_marked = threading.Event()
    finish_first = threading.Event()
    real_send = EmailMessage.send

    def held_send(message, *args, **kwargs):
        first_marked.set()
        assert finish_first.wait(10)
        return real_send(message, *args, **kwargs)

    def first_delivery():
        try:
            with mock.patch.object(EmailMessage, "send", held_send):
                notifications.review_decision_notify(decision_id=decision.pk)
        finally:
            connection.close()

    first = threading.Thread(target=first_delivery)
    first.start()
    assert first_marked.wait(10)
    second: list[int] = []
    second_delivery = threading.Thread(
        target=lambda: (
            second.append(notifications.review_decision_notify(decision_id=decision.pk)),
            connection.close(),
        )
    )
    second_delivery.start()
    second_delivery.join(0.5)
    assert second_delivery.is_alive(), "the second delivery waits for the first one's mark"
    finish_first.set()
    first.join(10)
    second_delivery.join(10)

    assert second == [0]
    assert len(mail.outbox) == 1


def test_beat_runs_the_daily_conditions_task(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["qa-conditions-daily"]
    assert entry["task"] == tasks.conditions_daily_task.name
    assert entry["task"] in app.tasks
