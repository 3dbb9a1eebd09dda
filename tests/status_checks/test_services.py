"""Status-check services in-process: transitions, records, alerts, idempotence, progress."""

import datetime
from datetime import timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import connection

from config.redis_state import shared_redis
from credentials.choices import AccreditationStatus, CredentialStatus, StatusSource
from credentials.models import CredentialStatusChange
from credentials.services import credential_change_status
from providers.choices import ProviderStatus
from qa_reviews.choices import ConditionState, DecisionOutcome
from qa_reviews.models import Condition, Decision
from status_checks import sweeps
from status_checks.adapters.breaker import CircuitBreaker
from status_checks.alerts import status_alerts_send
from status_checks.choices import CheckOutcome, SweepScope, SweepState
from status_checks.models import AlertSent, StatusCheck, StatusSweep
from status_checks.rules import LOCAL_SOURCE
from status_checks.services import (
    DAILY_SWEEP_LOCK_KEY,
    status_check_apply,
    status_check_chunk,
    status_sweep_dispatch,
    status_sweep_run_inline,
    status_sweep_start,
    status_sweep_start_scheduled,
)
from tests.factories import (
    AccreditationRecordFactory,
    CredentialFactory,
    MembershipFactory,
    ProviderFactory,
    ReviewFactory,
    UserFactory,
)

from .register_stub import Behaviour

pytestmark = pytest.mark.django_db


def credential_valid_to(today: datetime.date, days: int, **kwargs):
    """A registered credential whose validity ends ``days`` from today (negative: ended)."""
    return CredentialFactory(
        valid_from=today - timedelta(days=800), valid_to=today + timedelta(days=days), **kwargs
    )


def check(credential, **kwargs):
    return status_check_apply(credential=credential, alert_delivery="none", **kwargs)


def test_validity_ended_expires_with_its_record_and_history(today):
    credential = credential_valid_to(today, -1)

    (record,) = check(credential)

    assert credential.status == CredentialStatus.EXPIRED
    assert (record.source, record.outcome) == (LOCAL_SOURCE, CheckOutcome.CHANGED)
    assert (record.previous_status, record.new_status) == ("registered", "expired")
    change = credential.status_changes.get()
    assert (change.source, change.from_status, change.to_status) == (
        StatusSource.STATUS_CHECK,
        "registered",
        "expired",
    )
    assert "Validity period ended" in change.reason


def test_a_status_change_and_its_check_record_commit_or_fail_together(today, monkeypatch):
    credential = credential_valid_to(today, -1)

    def broken_insert(*args, **kwargs):
        raise RuntimeError("database went away mid-chunk")

    monkeypatch.setattr(sweeps, "_insert_checks", broken_insert)
    with pytest.raises(RuntimeError, match="went away"):
        check(credential)

    credential.refresh_from_db()
    assert credential.status == CredentialStatus.REGISTERED
    assert not CredentialStatusChange.objects.filter(credential=credential).exists()


def test_checking_again_records_no_second_transition(today):
    credential = credential_valid_to(today, -1)

    check(credential)
    (again,) = check(credential)

    assert again.outcome == CheckOutcome.UNCHANGED
    assert credential.status_changes.count() == 1


def test_expiry_alert_is_raised_once_per_window(today):
    credential = credential_valid_to(today, 60)

    (first,) = check(credential)
    (second,) = check(credential)

    assert first.outcome == CheckOutcome.ALERT
    assert first.detail["notified"] == [f"validity_ending:90:{credential.valid_to.isoformat()}"]
    assert second.outcome == CheckOutcome.UNCHANGED
    assert "notified" not in second.detail
    assert credential.status == CredentialStatus.REGISTERED

    (thirty_days_out,) = check(credential, today=credential.valid_to - timedelta(days=25))
    assert thirty_days_out.outcome == CheckOutcome.ALERT
    assert thirty_days_out.detail["notified"] == [
        f"validity_ending:30:{credential.valid_to.isoformat()}"
    ]


def test_an_extended_validity_period_warns_again_when_its_new_end_nears(today):
    credential = credential_valid_to(today, 60)
    check(credential)

    credential.valid_to = today + timedelta(days=80)
    credential.save(update_fields=["valid_to"])
    (after_extension,) = check(credential)

    assert after_extension.outcome == CheckOutcome.ALERT


def test_alert_email_goes_to_the_providers_administrators(today):
    provider = ProviderFactory(name_en="Harbour Institute")
    admin = MembershipFactory(provider=provider, user=UserFactory(email="admin@harbour.example"))
    MembershipFactory(
        provider=provider, role="editor", user=UserFactory(email="ed@harbour.example")
    )
    MembershipFactory(user=UserFactory(email="other@elsewhere.example"))
    expiring = credential_valid_to(today, 20, provider=provider, title_en="Data Analytics")
    expired = credential_valid_to(today, -2, provider=provider)

    result = status_check_chunk(
        sweep_id=None, credential_ids=[expiring.pk, expired.pk], alert_delivery="none"
    )
    sent = status_alerts_send(check_ids=result.alert_check_ids)

    assert sent == 1
    (message,) = mail.outbox
    assert message.to == [admin.user.email]
    assert message.subject == (
        "[Credential Registry] Status alerts for 2 credentials of Harbour Institute"
    )
    assert f"{expiring.registration_number} — Data Analytics" in message.body
    assert f"ends on {expiring.valid_to.isoformat()} (20 days left; 30-day notice)" in message.body
    assert "Status changed from Registered to Expired." in message.body


def test_a_redelivered_alert_task_does_not_mail_twice(today):
    provider = ProviderFactory()
    MembershipFactory(provider=provider)
    credential = credential_valid_to(today, 20, provider=provider)
    (record,) = check(credential)

    status_alerts_send(check_ids=[record.pk])
    status_alerts_send(check_ids=[record.pk])

    assert len(mail.outbox) == 1


def test_an_alert_task_redelivered_after_redis_was_flushed_mails_once(today):
    provider = ProviderFactory()
    MembershipFactory(provider=provider)
    (record,) = check(credential_valid_to(today, 20, provider=provider))

    assert status_alerts_send(check_ids=[record.pk]) == 1
    shared_redis().flushdb()
    cache.clear()
    assert status_alerts_send(check_ids=[record.pk]) == 0

    assert len(mail.outbox) == 1
    assert AlertSent.objects.filter(status_check=record).exists()


def test_a_failed_alert_send_leaves_no_mark_so_the_retry_sends(today):
    provider = ProviderFactory()
    MembershipFactory(provider=provider)
    (record,) = check(credential_valid_to(today, 20, provider=provider))
    with (
        mock.patch.object(EmailMessage, "send", side_effect=SMTPServerDisconnected("gone")),
        pytest.raises(SMTPServerDisconnected),
    ):
        status_alerts_send(check_ids=[record.pk])
    assert not AlertSent.objects.exists()

    assert status_alerts_send(check_ids=[record.pk]) == 1


def test_suspended_provider_suspends_its_live_credentials(today):
    provider = ProviderFactory(status=ProviderStatus.SUSPENDED)
    credential = credential_valid_to(today, 300, provider=provider)

    (record,) = check(credential)

    assert credential.status == CredentialStatus.SUSPENDED
    assert record.detail["findings"][0]["rule"] == "provider_suspended"


def test_provider_reactivated_lifts_only_the_suspensions_the_checks_made(today):
    provider = ProviderFactory(status=ProviderStatus.SUSPENDED)
    by_check = credential_valid_to(today, 300, provider=provider)
    by_hand = credential_valid_to(today, 300, provider=provider)
    check(by_check)
    credential_change_status(
        credential=by_hand,
        to_status=CredentialStatus.SUSPENDED,
        source=StatusSource.MANUAL,
        reason="Complaint under investigation",
    )

    provider.status = ProviderStatus.ACTIVE
    provider.save(update_fields=["status"])
    (lifted,) = check(by_check)
    (kept,) = check(by_hand)

    assert by_check.status == CredentialStatus.REGISTERED
    assert lifted.detail["findings"][0]["rule"] == "provider_reinstated"
    assert by_hand.status == CredentialStatus.SUSPENDED
    assert kept.outcome == CheckOutcome.UNCHANGED


def test_overdue_condition_is_flagged_not_a_status_change(today):
    review = ReviewFactory(credential=credential_valid_to(today, 300))
    decision = Decision.objects.create(
        review=review,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        rationale="Approved, with a condition on assessment.",
        valid_from=today - timedelta(days=100),
        valid_to=today + timedelta(days=300),
        decided_by=UserFactory(),
    )
    Condition.objects.create(
        decision=decision, text="Publish the assessment rubric.", due_date=today - timedelta(days=1)
    )
    Condition.objects.create(
        decision=decision,
        text="Met already.",
        due_date=today - timedelta(days=9),
        state=ConditionState.MET,
        met_confirmed_by=UserFactory(),
        met_confirmed_at=datetime.datetime.now(datetime.UTC),
    )

    (record,) = check(review.credential)

    assert record.outcome == CheckOutcome.FLAGGED
    assert [f["rule"] for f in record.detail["findings"]] == ["condition_overdue"]
    assert review.credential.status == CredentialStatus.REGISTERED


def test_lapsed_accreditation_is_flagged(today):
    credential = credential_valid_to(today, 300)
    AccreditationRecordFactory(
        credential=credential,
        valid_from=today - timedelta(days=400),
        valid_to=today - timedelta(days=5),
        status=AccreditationStatus.CURRENT,
    )

    (record,) = check(credential)

    assert record.outcome == CheckOutcome.FLAGGED
    assert record.detail["findings"][0]["rule"] == "accreditation_lapsed"


def test_external_register_withdrawal_is_followed_with_the_source_named(today, register_stub):
    credential = credential_valid_to(
        today, 300, registration_number="603/2476/0", external_register="ofqual"
    )
    register_stub.set_record("603/2476/0", "No longer awarded")

    local, ofqual = check(credential)

    assert credential.status == CredentialStatus.WITHDRAWN
    assert credential.external_status == "No longer awarded"
    assert (local.source, local.outcome) == (LOCAL_SOURCE, CheckOutcome.UNCHANGED)
    assert (ofqual.source, ofqual.outcome) == ("ofqual", CheckOutcome.CHANGED)
    change = credential.status_changes.get()
    assert change.source == StatusSource.EXTERNAL_REGISTER
    assert change.reason == (
        'Ofqual Register of Regulated Qualifications lists it as "No longer awarded".'
    )


def test_register_text_with_control_characters_is_stored_safely(today, register_stub):
    """PostgreSQL refuses NUL in text and jsonb; a register's odd bytes must not fail a chunk."""
    credential = credential_valid_to(
        today, 300, registration_number="603/2476/0", external_register="ofqual"
    )
    register_stub.set_record("603/2476/0", "With\x00drawn \n")

    _, ofqual = check(credential)

    assert ofqual.detail["findings"][0]["external_status"] == "With drawn"
    assert credential.external_status == "With drawn"
    assert ofqual.outcome == CheckOutcome.FLAGGED  # not a word the registry knows


def test_open_circuit_records_source_unavailable_and_changes_nothing(today, register_stub):
    credential = credential_valid_to(
        today, 300, registration_number="603/2476/0", external_register="ofqual"
    )
    register_stub.set_record("603/2476/0", "No longer awarded")
    CircuitBreaker(source="ofqual").open_for(60)

    _, ofqual = check(credential)

    assert ofqual.outcome == CheckOutcome.SOURCE_UNAVAILABLE
    assert "circuit open" in ofqual.detail["findings"][0]["message"]
    assert credential.status == CredentialStatus.REGISTERED
    assert register_stub.requests == []


def test_register_timing_out_is_retried_then_recorded_unavailable(today, register_stub):
    credential = credential_valid_to(
        today, 300, registration_number="603/2476/0", external_register="ofqual"
    )
    register_stub.set_record("603/2476/0", "Withdrawn")
    register_stub.always = Behaviour(delay=1.0)

    _, ofqual = check(credential)

    assert ofqual.outcome == CheckOutcome.SOURCE_UNAVAILABLE
    assert "timed out" in ofqual.detail["findings"][0]["message"]
    assert register_stub.requests_for("603/2476/0") == 3
    assert credential.status == CredentialStatus.REGISTERED


def test_unconfigured_register_is_noted_and_local_rules_still_apply(today, settings):
    settings.STATUS_CHECK_REGISTERS = {}
    credential = credential_valid_to(today, -1, external_register="ofqual")

    (record,) = check(credential)

    assert record.outcome == CheckOutcome.CHANGED
    assert record.detail["external_register_not_configured"] == "ofqual"


def test_a_refused_transition_is_flagged_and_leaves_the_status(today, monkeypatch):
    credential = credential_valid_to(today, -1, further_information_url="not a url")

    (record,) = check(credential)

    assert record.outcome == CheckOutcome.FLAGGED
    assert "Could not move to expired" in record.detail["findings"][-1]["message"]
    assert credential.status == CredentialStatus.REGISTERED


def test_sweep_counts_progress_and_finishes_at_total(today, django_capture_on_commit_callbacks):
    provider = ProviderFactory()
    credentials = [credential_valid_to(today, days, provider=provider) for days in (-1, 10, 300)]
    CredentialFactory(provider=provider, status=CredentialStatus.DRAFT)

    with django_capture_on_commit_callbacks() as callbacks:
        sweep = status_sweep_start(scope=SweepScope.PROVIDER, provider=provider)
    assert len(callbacks) == 1, "dispatch is queued on commit"

    chunks = status_sweep_dispatch(sweep_id=sweep.pk, chunk_size=2, enqueue=False)
    assert chunks == [[credentials[0].pk, credentials[1].pk], [credentials[2].pk]]
    sweep.refresh_from_db()
    assert (sweep.state, sweep.total, sweep.checked) == (SweepState.RUNNING, 3, 0)

    status_check_chunk(sweep_id=sweep.pk, credential_ids=chunks[0], alert_delivery="none")
    sweep.refresh_from_db()
    assert (sweep.state, sweep.checked, sweep.changes) == (SweepState.RUNNING, 2, 1)

    status_check_chunk(sweep_id=sweep.pk, credential_ids=chunks[1], alert_delivery="none")
    sweep.refresh_from_db()
    assert (sweep.state, sweep.checked, sweep.changes) == (SweepState.FINISHED, 3, 1)
    assert sweep.finished_at is not None


def test_a_redelivered_chunk_changes_and_counts_nothing_twice(today):
    credentials = [credential_valid_to(today, -1), credential_valid_to(today, 40)]
    sweep = status_sweep_start(scope=SweepScope.REGISTER, enqueue=False)
    (chunk,) = status_sweep_dispatch(sweep_id=sweep.pk, enqueue=False)

    first = status_check_chunk(sweep_id=sweep.pk, credential_ids=chunk, alert_delivery="none")
    again = status_check_chunk(sweep_id=sweep.pk, credential_ids=chunk, alert_delivery="none")

    assert (first.checked, first.changed) == (2, 1)
    assert (again.checked, again.changed, again.skipped) == (0, 0, 2)
    sweep.refresh_from_db()
    assert (sweep.checked, sweep.total, sweep.changes) == (2, 2, 1)
    assert StatusCheck.objects.filter(sweep=sweep).count() == 2
    assert CredentialStatusChange.objects.filter(credential__in=credentials).count() == 1


def test_a_redelivered_dispatch_sends_only_what_is_left(today):
    checked, left = credential_valid_to(today, 300), credential_valid_to(today, 300)
    sweep = status_sweep_start(scope=SweepScope.REGISTER, enqueue=False)
    status_sweep_dispatch(sweep_id=sweep.pk, enqueue=False)
    status_check_chunk(sweep_id=sweep.pk, credential_ids=[checked.pk], alert_delivery="none")

    chunks = status_sweep_dispatch(sweep_id=sweep.pk, enqueue=False)

    assert chunks == [[left.pk]]
    sweep.refresh_from_db()
    assert (sweep.total, sweep.checked) == (2, 1)


def test_an_empty_sweep_finishes_at_once():
    sweep = status_sweep_start(scope=SweepScope.PROVIDER, provider=ProviderFactory(), enqueue=False)

    assert status_sweep_dispatch(sweep_id=sweep.pk, enqueue=False) == []
    sweep.refresh_from_db()
    assert (sweep.state, sweep.total) == (SweepState.FINISHED, 0)


def test_a_chunk_costs_the_same_few_queries_whatever_its_size(today, django_assert_max_num_queries):
    sweep = status_sweep_start(scope=SweepScope.REGISTER, enqueue=False)
    small = [credential_valid_to(today, 300).pk for _ in range(3)]
    large = [credential_valid_to(today, d).pk for d in (300, 60, 20) * 15]
    StatusSweep.objects.filter(pk=sweep.pk).update(state=SweepState.RUNNING, total=48)

    # Twelve, and one that marks the sweep's finished chunks (StatusSweepChunk).
    with django_assert_max_num_queries(13) as small_queries:
        status_check_chunk(sweep_id=sweep.pk, credential_ids=small, alert_delivery="none")
    with django_assert_max_num_queries(13) as large_queries:
        status_check_chunk(sweep_id=sweep.pk, credential_ids=large, alert_delivery="none")

    # Alerts add two: the history of alerts already sent, and the new alert rows' ids.
    assert len(large_queries) <= len(small_queries) + 2


def test_daily_sweep_starts_once_a_day(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        first = status_sweep_start_scheduled()
        second = status_sweep_start_scheduled()

    assert first is not None and first.scope == SweepScope.REGISTER
    assert second is None
    assert StatusSweep.objects.count() == 1


def test_daily_sweep_skips_while_another_process_holds_the_lock(django_db_blocker):
    # A second connection stands in for a second beat process mid-start.
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DAILY_SWEEP_LOCK_KEY])
            assert status_sweep_start_scheduled() is None
            cursor.execute("ROLLBACK")
    finally:
        other.close()
    assert not StatusSweep.objects.exists()


def test_inline_run_checks_the_whole_scope_and_sends_alerts_after_commit(
    today, django_capture_on_commit_callbacks
):
    provider = ProviderFactory()
    MembershipFactory(provider=provider)
    credential_valid_to(today, -1, provider=provider)
    credential_valid_to(today, 15, provider=provider)
    sweep = status_sweep_start(scope=SweepScope.PROVIDER, provider=provider, enqueue=False)

    with django_capture_on_commit_callbacks(execute=True):
        result = status_sweep_run_inline(sweep=sweep)
        assert mail.outbox == [], "nothing is mailed before the checks commit"

    assert (sweep.state, sweep.checked, sweep.total, sweep.changes) == ("finished", 2, 2, 1)
    assert result.outcomes == {CheckOutcome.CHANGED: 1, CheckOutcome.ALERT: 1}
    assert len(mail.outbox) == 1


def test_a_sweep_expires_an_ended_teach_out_and_suspends_a_running_one_in_bulk(today):
    ended = credential_valid_to(
        today, 300, status=CredentialStatus.TEACH_OUT, teach_out_ends_on=today - timedelta(days=1)
    )
    provider = ProviderFactory(status=ProviderStatus.SUSPENDED)
    running = credential_valid_to(
        today,
        300,
        status=CredentialStatus.TEACH_OUT,
        teach_out_ends_on=today + timedelta(days=60),
        provider=provider,
    )

    result = status_check_chunk(
        sweep_id=None, credential_ids=[ended.pk, running.pk], alert_delivery="none"
    )

    assert result.changed == 2
    ended.refresh_from_db()
    running.refresh_from_db()
    assert (ended.status, running.status) == (CredentialStatus.EXPIRED, CredentialStatus.SUSPENDED)
    move = CredentialStatusChange.objects.get(credential=ended)
    assert (move.from_status, move.source, move.reason) == (
        CredentialStatus.TEACH_OUT,
        StatusSource.STATUS_CHECK,
        f"Teach-out ended on {(today - timedelta(days=1)).isoformat()}.",
    )
