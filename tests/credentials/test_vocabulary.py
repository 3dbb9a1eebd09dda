"""The one status vocabulary table, read in both directions."""

import datetime

import pytest

from credentials.choices import PUBLIC_STATUSES, CredentialStatus
from credentials.vocabulary import (
    CTDL_CREDENTIAL_STATUS,
    CTDL_LIFE_CYCLE,
    HKQR,
    OFQUAL,
    register_term,
    register_terms,
    status_for_term,
)

S = CredentialStatus
TODAY = datetime.date(2026, 6, 1)


def test_the_registers_own_words_are_the_table():
    assert register_terms(OFQUAL) == [
        "Available to learners",
        "Not yet available to learners",
        "No longer available to new learners",
        "No longer awarded",
    ]
    assert register_terms(HKQR) == ["Current", "Archived"]


@pytest.mark.parametrize(
    ("status", "ofqual", "hkqr"),
    [
        (S.REGISTERED, "Available to learners", "Current"),
        (S.TEACH_OUT, "No longer available to new learners", "Current"),
        (S.SUPERSEDED, "No longer awarded", "Archived"),
        (S.EXPIRED, "No longer awarded", "Archived"),
        (S.WITHDRAWN, "No longer awarded", "Archived"),
        # Neither register has a word for a suspension, nor for what is not public.
        (S.SUSPENDED, "", ""),
        (S.DRAFT, "", ""),
        (S.UNDER_REVIEW, "", ""),
    ],
)
def test_each_registry_status_exports_as_the_registers_word(status, ofqual, hkqr):
    assert register_term(OFQUAL, status, valid_from=TODAY, today=TODAY) == ofqual
    assert register_term(HKQR, status) == hkqr


def test_a_registered_entry_not_yet_started_is_not_yet_available_on_ofqual():
    later = TODAY + datetime.timedelta(days=1)
    assert register_term(OFQUAL, S.REGISTERED, valid_from=later, today=TODAY) == (
        "Not yet available to learners"
    )
    assert register_term(HKQR, S.REGISTERED) == "Current"


def test_every_word_exported_imports_back_as_a_status_with_that_word():
    for register in (OFQUAL, HKQR):
        for status in PUBLIC_STATUSES:
            word = register_term(register, status)
            if word:
                assert register_term(register, status_for_term(register, word)) == word


def test_a_word_not_in_the_table_is_no_status():
    assert status_for_term(OFQUAL, "Withdrawn") is None
    assert status_for_term(HKQR, "Available to learners") is None
    assert status_for_term(HKQR, "  archived ") == S.EXPIRED


def test_every_public_status_has_a_ctdl_term():
    assert set(CTDL_CREDENTIAL_STATUS) == set(CTDL_LIFE_CYCLE) == set(PUBLIC_STATUSES)
