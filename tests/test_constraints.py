"""Bad data is refused by PostgreSQL itself, not only by forms or services."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from credentials.choices import CredentialStatus
from credentials.models import Credential, PathwayComponent, RecognitionAgreement
from providers.models import Provider
from qa_reviews.choices import ConditionState, DecisionOutcome, JudgementOutcome, ReviewType
from qa_reviews.models import Condition, Decision, Judgement, Review
from qualifications.models import Framework, Level
from tests.factories import (
    AccreditationRecordFactory,
    CredentialFactory,
    ProviderFactory,
    ReviewFactory,
    ReviewStandardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _refused(match: str):
    """Expect the statement to fail with a constraint whose name or message matches."""
    return pytest.raises(IntegrityError, match=match)


def _update(queryset, **values) -> None:
    with transaction.atomic():
        queryset.update(**values)


def test_registration_numbers_are_unique_whatever_the_separators():
    CredentialFactory(registration_number="603/2476/0")

    with _refused("credentials_credential_unique_registration"), transaction.atomic():
        CredentialFactory(registration_number="60324760")
    with _refused("credentials_credential_unique_registration"), transaction.atomic():
        CredentialFactory(registration_number="603-2476-0")


def test_registration_number_cannot_be_blank():
    with _refused("registration_number_not_blank"), transaction.atomic():
        CredentialFactory(registration_number=" / ")


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("credits", -1, "credentials_credential_credits_not_negative"),
        ("ects_credits", -0.5, "credentials_credential_ects_not_negative"),
        ("notional_hours", -10, "notional_hours"),
        ("fee", -100, "credentials_credential_fee_not_negative"),
        ("kind", "badge", "credentials_credential_kind_valid"),
        ("status", "approved", "credentials_credential_status_valid"),
        ("title_en", "", "credentials_credential_title_not_empty"),
    ],
)
def test_credential_field_rules(field, value, constraint):
    credential = CredentialFactory()

    with _refused(constraint):
        _update(Credential.objects.filter(pk=credential.pk), **{field: value})


def test_validity_must_end_after_it_starts():
    credential = CredentialFactory()

    with _refused("credentials_credential_validity_ordered"):
        _update(
            Credential.objects.filter(pk=credential.pk),
            valid_from=datetime.date(2026, 1, 1),
            valid_to=datetime.date(2025, 12, 31),
        )


def test_registered_credential_needs_a_level_and_validity():
    with _refused("registered_has_level_and_validity"), transaction.atomic():
        CredentialFactory(status=CredentialStatus.REGISTERED, level=None)
    draft = CredentialFactory(status=CredentialStatus.DRAFT, level=None, valid_from=None)
    assert draft.pk


def test_accreditation_record_validity_is_ordered():
    with _refused("credentials_accreditationrecord_validity_ordered"), transaction.atomic():
        AccreditationRecordFactory(
            valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2025, 1, 1)
        )


def test_one_level_per_framework_code():
    hkqf = Framework.objects.get(code="HKQF")

    with _refused("qualifications_level_unique_code"), transaction.atomic():
        Level.objects.create(framework=hkqf, code="4", ordinal=99, name_en="Duplicate")
    with _refused("qualifications_level_unique_ordinal"), transaction.atomic():
        Level.objects.create(framework=hkqf, code="9", ordinal=4, name_en="Duplicate")


def test_provider_identifiers_have_their_published_format():
    with _refused("providers_provider_ukprn_format"), transaction.atomic():
        ProviderFactory(ukprn="1234")
    with _refused("providers_provider_recognition_number_format"), transaction.atomic():
        ProviderFactory(ofqual_recognition_number="5355")
    assert ProviderFactory(ukprn="10000163", ofqual_recognition_number="RN5355").pk


def test_provider_status_is_one_of_the_known_states():
    provider = ProviderFactory()

    with _refused("providers_provider_status_valid"):
        _update(Provider.objects.filter(pk=provider.pk), status="bankrupt")


def test_pathway_and_recognition_credits_are_not_negative():
    award = CredentialFactory()
    part = CredentialFactory()
    pathway = award.pathways_as_award.create(name_en="Diploma", credits_required=15)

    with _refused("pathwaycomponent_credits_not_negative"), transaction.atomic():
        PathwayComponent.objects.create(pathway=pathway, credential=part, credits_counted=-5)
    with _refused("recognitionagreement_credits_not_negative"), transaction.atomic():
        RecognitionAgreement.objects.create(
            recognising_provider=award.provider,
            credential=part,
            credits_recognised=-1,
            valid_from=datetime.date(2025, 1, 1),
        )
    with _refused("recognitionagreement_not_into_itself"), transaction.atomic():
        RecognitionAgreement.objects.create(
            recognising_provider=award.provider,
            credential=part,
            target_credential=part,
            credits_recognised=5,
            valid_from=datetime.date(2025, 1, 1),
        )


def test_fast_track_review_needs_a_target():
    with _refused("qa_reviews_review_fast_track_has_target"), transaction.atomic():
        ReviewFactory(review_type=ReviewType.FAST_TRACK, target_working_days=None)
    review = ReviewFactory(review_type=ReviewType.FAST_TRACK, target_working_days=10)
    assert Review.objects.filter(pk=review.pk).exists()


def test_approval_needs_a_validity_period():
    review = ReviewFactory()

    with _refused("qa_reviews_decision_approval_has_validity"), transaction.atomic():
        Decision.objects.create(
            review=review,
            outcome=DecisionOutcome.APPROVED,
            rationale="Meets every standard.",
            decided_by=review.opened_by,
        )


def test_met_condition_needs_a_confirmation():
    review = ReviewFactory()
    decision = Decision.objects.create(
        review=review,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        rationale="Approved subject to one condition.",
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2029, 1, 1),
        decided_by=review.opened_by,
    )

    with _refused("qa_reviews_condition_met_is_confirmed"), transaction.atomic():
        Condition.objects.create(
            decision=decision,
            text="Publish the assessment rubric.",
            due_date=datetime.date(2026, 6, 1),
            state=ConditionState.MET,
        )


def _judgement() -> Judgement:
    review = ReviewFactory()
    return Judgement.objects.create(
        review=review,
        standard=ReviewStandardFactory(standard_set=review.standard_set),
        reviewer=UserFactory(),
        outcome=JudgementOutcome.MET,
        comment="Outcomes are mapped to assessment.",
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE qa_reviews_judgement SET outcome = 'not_met' WHERE id = %s",
        "DELETE FROM qa_reviews_judgement WHERE id = %s",
    ],
)
def test_judgements_are_append_only_even_for_raw_sql(statement):
    judgement = _judgement()

    with (
        pytest.raises(IntegrityError, match="qa_reviews_judgement is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [judgement.pk])

    judgement.refresh_from_db()
    assert judgement.outcome == JudgementOutcome.MET


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE qa_reviews_decision SET rationale = 'rewritten' WHERE id = %s",
        "DELETE FROM qa_reviews_decision WHERE id = %s",
    ],
)
def test_decisions_are_append_only_even_for_raw_sql(statement):
    review = ReviewFactory()
    decision = Decision.objects.create(
        review=review,
        outcome=DecisionOutcome.REFERRED_BACK,
        rationale="Assessment does not cover outcome 3.",
        decided_by=review.opened_by,
    )

    with (
        pytest.raises(IntegrityError, match="qa_reviews_decision is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [decision.pk])

    decision.refresh_from_db()
    assert decision.rationale == "Assessment does not cover outcome 3."


def test_a_correction_supersedes_the_original_judgement():
    original = _judgement()

    correction = Judgement.objects.create(
        review=original.review,
        standard=original.standard,
        reviewer=original.reviewer,
        outcome=JudgementOutcome.PARTLY_MET,
        comment="Outcome 4 is not assessed.",
        supersedes=original,
    )

    assert original.superseded_by == correction
