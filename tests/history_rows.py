"""One row in every history table, for tests that try to rewrite them."""

from django.db import connection
from django.utils import timezone

from changes.models import ChangeEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription
from credentials.choices import ChangeRequestState, CredentialStatus, StatusSource
from credentials.models import ChangeRequest, CredentialStatusChange, CredentialVersion
from qa_reviews.choices import ConditionEventKind, DecisionOutcome, JudgementOutcome, NoticeKind
from qa_reviews.models import Condition, ConditionEvent, Decision, Judgement, SentNotice
from statements.models import StatusListEntry
from status_checks.choices import CheckOutcome
from status_checks.models import AlertSent, StatusCheck
from tests.factories import CredentialFactory, ReviewFactory, ReviewStandardFactory, UserFactory

# Every table whose rows are never updated, deleted or truncated.
APPEND_ONLY_TABLES = (
    "credentials_credentialversion",
    "credentials_credentialstatuschange",
    "credentials_statuscheck",
    "qa_reviews_judgement",
    "qa_reviews_decision",
    "qa_reviews_conditionevent",
    # Not history either, but a deleted mark would let a retried task mail again.
    "qa_reviews_sentnotice",
    "status_checks_alertsent",
    # Not history, but as permanent: a status list index is never given to another record.
    "statements_statuslistentry",
    "changes_changeevent",
    "changes_webhookattempt",
)


def make_history() -> dict[str, int]:
    """Create a credential with a row in each history table; return table → a row's id."""
    credential = CredentialFactory()
    actor = UserFactory()
    review = ReviewFactory(credential=credential)
    version = CredentialVersion.objects.create(
        credential=credential, number=1, actor=actor, source=StatusSource.MANUAL, snapshot={}
    )
    change = CredentialStatusChange.objects.create(
        credential=credential,
        from_status=CredentialStatus.DRAFT,
        to_status=CredentialStatus.SUBMITTED,
        changed_by=actor,
        source=StatusSource.MANUAL,
    )
    check = StatusCheck.objects.create(
        credential=credential,
        source="local rules",
        outcome=CheckOutcome.UNCHANGED,
        previous_status=credential.status,
        new_status=credential.status,
    )
    judgement = Judgement.objects.create(
        review=review,
        standard=ReviewStandardFactory(standard_set=review.standard_set),
        reviewer=actor,
        outcome=JudgementOutcome.MET,
        comment="Outcomes are mapped to assessment.",
    )
    decision = Decision.objects.create(
        review=review,
        outcome=DecisionOutcome.REFERRED_BACK,
        rationale="Assessment does not cover outcome 3.",
        decided_by=actor,
    )
    condition = Condition.objects.create(
        decision=decision, text="Publish the appeals policy.", due_date=timezone.localdate()
    )
    condition_event = ConditionEvent.objects.create(
        condition=condition, kind=ConditionEventKind.CREATED, to_state=condition.state, actor=actor
    )
    notice = SentNotice.objects.create(kind=NoticeKind.DECISION, object_id=decision.pk)
    alert = AlertSent.objects.create(status_check=check)
    decided = ChangeRequest.objects.create(
        credential=credential,
        changes={"title_en": ["Old", "New"]},
        requested_by=actor,
        state=ChangeRequestState.REJECTED,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    entry = StatusListEntry.objects.create(credential=credential)
    # The change feed's trigger is deferred to commit: fire it now, inside the test.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS changes_record_created IMMEDIATE")
        cursor.execute("SET CONSTRAINTS changes_record_created DEFERRED")
    event = ChangeEvent.objects.get(credential=credential)
    subscription = WebhookSubscription.objects.create(
        owner=actor, name="history", target_url="https://hooks.example.org/", secret="x"
    )
    attempt = WebhookAttempt.objects.create(
        delivery=WebhookDelivery.objects.create(
            subscription=subscription, event=event, next_attempt_at=timezone.now()
        ),
        number=1,
        started_at=timezone.now(),
        duration_ms=12,
        status_code=500,
        succeeded=False,
    )
    return {
        "credential": credential.pk,
        "credentials_credentialversion": version.pk,
        "credentials_credentialstatuschange": change.pk,
        "credentials_statuscheck": check.pk,
        "qa_reviews_judgement": judgement.pk,
        "qa_reviews_decision": decision.pk,
        "qa_reviews_conditionevent": condition_event.pk,
        "qa_reviews_sentnotice": notice.pk,
        "status_checks_alertsent": alert.pk,
        "credentials_changerequest": decided.pk,
        "statements_statuslistentry": entry.pk,
        "changes_changeevent": event.pk,
        "changes_webhookattempt": attempt.pk,
    }
