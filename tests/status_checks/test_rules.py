"""The rules decide a status from facts alone: no database, no clock, no network."""

import datetime

from credentials.choices import AccreditationStatus, CredentialStatus
from providers.choices import ProviderStatus
from qa_reviews.choices import ConditionState
from status_checks.adapters.base import (
    ExternalStatus,
    RegisterAnswer,
    RegisterRecord,
    normalise_status,
)
from status_checks.choices import CheckOutcome
from status_checks.rules import (
    LOCAL_SOURCE,
    AccreditationFact,
    ConditionFact,
    CredentialFacts,
    ExternalFact,
    FindingKind,
    decide,
)

TODAY = datetime.date(2026, 6, 1)


def facts(**overrides) -> CredentialFacts:
    values = {
        "status": CredentialStatus.REGISTERED,
        "valid_to": TODAY + datetime.timedelta(days=400),
        "provider_status": ProviderStatus.ACTIVE,
    }
    values.update(overrides)
    return CredentialFacts(**values)


def ofqual(status_text: str | None = None, *, unavailable: str = "") -> ExternalFact:
    if unavailable:
        answer = RegisterAnswer(unavailable_reason=unavailable)
    elif status_text is None:
        answer = RegisterAnswer()
    else:
        record = RegisterRecord("603/2476/0", status_text, normalise_status(status_text))
        answer = RegisterAnswer(record=record)
    return ExternalFact(source="ofqual", register_name="Ofqual", answer=answer)


def test_a_valid_credential_with_nothing_wrong_is_unchanged():
    verdict = decide(facts(), today=TODAY)

    assert verdict.new_status == CredentialStatus.REGISTERED
    assert not verdict.findings
    assert verdict.outcome_for(LOCAL_SOURCE) == CheckOutcome.UNCHANGED


def test_validity_ended_yesterday_expires_the_credential():
    verdict = decide(facts(valid_to=TODAY - datetime.timedelta(days=1)), today=TODAY)

    assert verdict.new_status == CredentialStatus.EXPIRED
    assert verdict.decisive.rule == "validity_ended"
    assert verdict.outcome_for(LOCAL_SOURCE) == CheckOutcome.CHANGED


def test_validity_ending_today_is_still_valid_and_in_the_30_day_window():
    verdict = decide(facts(valid_to=TODAY), today=TODAY)

    assert verdict.new_status == CredentialStatus.REGISTERED
    assert verdict.notice_keys == {f"validity_ending:30:{TODAY.isoformat()}"}


def test_ending_within_90_days_alerts_without_changing_status():
    valid_to = TODAY + datetime.timedelta(days=60)
    verdict = decide(facts(valid_to=valid_to), today=TODAY)

    assert verdict.new_status == CredentialStatus.REGISTERED
    (finding,) = verdict.findings
    assert finding.kind == FindingKind.ALERT
    assert finding.notify_key == f"validity_ending:90:{valid_to.isoformat()}"
    assert verdict.outcome_for(LOCAL_SOURCE, verdict.notices()) == CheckOutcome.ALERT


def test_an_alert_already_sent_for_the_window_is_not_raised_again():
    valid_to = TODAY + datetime.timedelta(days=60)
    verdict = decide(facts(valid_to=valid_to), today=TODAY)

    notices = verdict.notices({f"validity_ending:90:{valid_to.isoformat()}"})

    assert notices == []
    assert verdict.outcome_for(LOCAL_SOURCE, notices) == CheckOutcome.UNCHANGED


def test_the_30_day_window_is_a_new_alert_after_the_90_day_one():
    valid_to = TODAY + datetime.timedelta(days=20)
    verdict = decide(facts(valid_to=valid_to), today=TODAY)

    notices = verdict.notices({f"validity_ending:90:{valid_to.isoformat()}"})

    assert [n.notify_key for n in notices] == [f"validity_ending:30:{valid_to.isoformat()}"]


def test_alert_windows_come_from_settings_not_constants():
    verdict = decide(
        facts(valid_to=TODAY + datetime.timedelta(days=100)), today=TODAY, alert_windows=(120,)
    )

    assert verdict.notice_keys == {f"validity_ending:120:{verdict.findings[0].data['valid_to']}"}


def test_suspended_or_closed_provider_suspends_the_credential():
    for provider_status in (ProviderStatus.SUSPENDED, ProviderStatus.CLOSED):
        verdict = decide(facts(provider_status=provider_status), today=TODAY)

        assert verdict.new_status == CredentialStatus.SUSPENDED
        assert verdict.decisive.rule == f"provider_{provider_status}"


def test_an_already_suspended_credential_is_not_suspended_again():
    verdict = decide(
        facts(status=CredentialStatus.SUSPENDED, provider_status=ProviderStatus.SUSPENDED),
        today=TODAY,
    )

    assert not verdict.changes_status
    assert verdict.outcome_for(LOCAL_SOURCE) == CheckOutcome.UNCHANGED


def test_a_suspension_made_for_the_provider_is_lifted_when_it_is_active_again():
    suspended = {"status": CredentialStatus.SUSPENDED, "suspended_by_check": True}

    lifted = decide(facts(**suspended), today=TODAY)
    still = decide(facts(**suspended, provider_status=ProviderStatus.CLOSED), today=TODAY)
    register_says_so = decide(facts(**suspended, external=ofqual("Suspended")), today=TODAY)
    by_hand = decide(facts(status=CredentialStatus.SUSPENDED), today=TODAY)

    assert lifted.new_status == CredentialStatus.REGISTERED
    assert lifted.decisive.rule == "provider_reinstated"
    assert not still.changes_status
    assert not register_says_so.changes_status
    assert not by_hand.changes_status, "a suspension made by a person is for a person to lift"


def test_overdue_qa_condition_flags_without_a_status_change():
    conditions = (
        ConditionFact(1, TODAY - datetime.timedelta(days=1), ConditionState.OPEN),
        ConditionFact(2, TODAY + datetime.timedelta(days=5), ConditionState.OPEN),
        ConditionFact(3, TODAY + datetime.timedelta(days=5), ConditionState.OVERDUE),
    )
    verdict = decide(facts(conditions=conditions), today=TODAY)

    assert not verdict.changes_status
    assert verdict.notice_keys == {"condition_overdue:1", "condition_overdue:3"}
    assert verdict.outcome_for(LOCAL_SOURCE) == CheckOutcome.FLAGGED


def test_lapsed_accreditation_flags_only_when_nothing_else_is_in_force():
    old = AccreditationFact(
        1, "HKCAAVQ", AccreditationStatus.CURRENT, datetime.date(2020, 1, 1), TODAY.replace(day=1)
    )
    renewed = AccreditationFact(
        2, "HKCAAVQ", AccreditationStatus.CURRENT, TODAY - datetime.timedelta(days=1), None
    )
    yesterday_lapsed = AccreditationFact(
        3, "HKCAAVQ", AccreditationStatus.CURRENT, None, TODAY - datetime.timedelta(days=1)
    )

    assert decide(facts(accreditations=(old, renewed)), today=TODAY).findings == ()
    flagged = decide(facts(accreditations=(yesterday_lapsed,)), today=TODAY)
    assert flagged.notice_keys == {"accreditation_lapsed:3"}
    assert flagged.outcome_for(LOCAL_SOURCE) == CheckOutcome.FLAGGED


def test_external_no_longer_awarded_withdraws_with_the_register_named():
    verdict = decide(facts(external=ofqual("No longer awarded")), today=TODAY)

    assert verdict.new_status == CredentialStatus.WITHDRAWN
    assert verdict.decisive.source == "ofqual"
    assert "Ofqual" in verdict.decisive.message and "No longer awarded" in verdict.decisive.message
    assert verdict.outcome_for("ofqual") == CheckOutcome.CHANGED
    assert verdict.outcome_for(LOCAL_SOURCE) == CheckOutcome.UNCHANGED


def test_external_archived_expires_and_teach_out_flags():
    assert decide(facts(external=ofqual("Archived")), today=TODAY).new_status == "expired"
    teach_out = decide(facts(external=ofqual("No longer available to new learners")), today=TODAY)
    assert teach_out.new_status == CredentialStatus.REGISTERED
    assert teach_out.outcome_for("ofqual") == CheckOutcome.FLAGGED


def test_register_unavailable_records_that_and_changes_nothing():
    verdict = decide(facts(external=ofqual(unavailable="circuit open")), today=TODAY)

    assert not verdict.changes_status
    assert verdict.outcome_for("ofqual") == CheckOutcome.SOURCE_UNAVAILABLE
    assert verdict.sources == [LOCAL_SOURCE, "ofqual"]


def test_not_on_the_register_and_unknown_words_flag():
    assert decide(facts(external=ofqual(None)), today=TODAY).outcome_for("ofqual") == "flagged"
    odd = decide(facts(external=ofqual("Under consultation")), today=TODAY)
    assert odd.findings[0].rule == "external_status_unrecognised"


def test_the_most_final_status_wins_when_facts_disagree():
    verdict = decide(
        facts(
            valid_to=TODAY - datetime.timedelta(days=3),
            provider_status=ProviderStatus.SUSPENDED,
            external=ofqual("Withdrawn"),
        ),
        today=TODAY,
    )

    assert verdict.new_status == CredentialStatus.WITHDRAWN
    assert verdict.outcome_for("ofqual") == CheckOutcome.CHANGED
    assert verdict.outcome_for(LOCAL_SOURCE) == CheckOutcome.UNCHANGED


def test_drafts_and_final_statuses_do_not_move_by_themselves():
    for status in (CredentialStatus.DRAFT, CredentialStatus.EXPIRED, CredentialStatus.WITHDRAWN):
        verdict = decide(
            facts(
                status=status,
                valid_to=TODAY - datetime.timedelta(days=3),
                external=ofqual("Withdrawn"),
            ),
            today=TODAY,
        )
        assert not verdict.changes_status, status


def test_a_refused_transition_becomes_a_flag():
    verdict = decide(facts(valid_to=TODAY - datetime.timedelta(days=1)), today=TODAY)

    refused = verdict.refused("bad data")

    assert refused.new_status == CredentialStatus.REGISTERED
    assert refused.outcome_for(LOCAL_SOURCE) == CheckOutcome.FLAGGED
    assert "bad data" in refused.findings[-1].message


def test_register_vocabulary_folds_case_and_spacing():
    assert normalise_status("  No longer   AWARDED ") == ExternalStatus.NO_LONGER_AWARDED
    assert normalise_status("Available to learners") == ExternalStatus.AVAILABLE
    assert normalise_status("Current") == ExternalStatus.AVAILABLE
    assert normalise_status("Archived") == ExternalStatus.ARCHIVED
    assert normalise_status("Something new") == ExternalStatus.UNKNOWN


# Teach-out ---------------------------------------------------------------------------------


def test_a_teach_out_that_has_ended_expires():
    ended = facts(
        status=CredentialStatus.TEACH_OUT, teach_out_ends_on=TODAY - datetime.timedelta(1)
    )
    verdict = decide(ended, today=TODAY)
    assert (verdict.new_status, verdict.decisive.rule) == (
        CredentialStatus.EXPIRED,
        "teach_out_ended",
    )


def test_a_teach_out_still_running_stays_in_teach_out():
    running = facts(status=CredentialStatus.TEACH_OUT, teach_out_ends_on=TODAY)
    assert decide(running, today=TODAY).new_status == CredentialStatus.TEACH_OUT


def test_a_teach_out_entry_of_a_suspended_provider_is_suspended_and_returns_to_teach_out():
    ends = TODAY + datetime.timedelta(days=90)
    suspended = decide(
        facts(
            status=CredentialStatus.TEACH_OUT,
            teach_out_ends_on=ends,
            provider_status=ProviderStatus.SUSPENDED,
        ),
        today=TODAY,
    )
    assert suspended.new_status == CredentialStatus.SUSPENDED

    lifted = decide(
        facts(status=CredentialStatus.SUSPENDED, teach_out_ends_on=ends, suspended_by_check=True),
        today=TODAY,
    )
    assert lifted.new_status == CredentialStatus.TEACH_OUT


def test_a_suspension_outlasting_the_teach_out_ends_in_expiry_not_reinstatement():
    verdict = decide(
        facts(
            status=CredentialStatus.SUSPENDED,
            teach_out_ends_on=TODAY - datetime.timedelta(days=1),
            suspended_by_check=True,
        ),
        today=TODAY,
    )
    assert verdict.new_status == CredentialStatus.EXPIRED


def test_the_register_saying_teach_out_flags_a_registered_entry_but_not_one_in_teach_out():
    said = "No longer available to new learners"
    registered = decide(facts(external=ofqual(said)), today=TODAY)
    taught_out = decide(
        facts(
            status=CredentialStatus.TEACH_OUT,
            teach_out_ends_on=TODAY + datetime.timedelta(days=30),
            external=ofqual(said),
        ),
        today=TODAY,
    )
    assert registered.outcome_for("ofqual") == CheckOutcome.FLAGGED
    assert taught_out.new_status == CredentialStatus.TEACH_OUT
    assert taught_out.outcome_for("ofqual") == CheckOutcome.UNCHANGED


def test_a_superseded_entry_does_not_move_by_itself():
    verdict = decide(
        facts(status=CredentialStatus.SUPERSEDED, valid_to=TODAY - datetime.timedelta(days=10)),
        today=TODAY,
    )
    assert (verdict.new_status, verdict.findings) == (CredentialStatus.SUPERSEDED, ())
