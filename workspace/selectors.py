"""What a provider's dashboard shows: records by state and what needs action."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone

from config.types import StrOrPromise
from credentials.choices import CredentialStatus
from credentials.completeness import CompletenessReport, credential_completeness
from credentials.lifecycle import EDITABLE_STATUSES
from credentials.models import Credential
from providers.models import Provider
from qa_reviews.choices import ConditionState
from qa_reviews.models import Condition, Decision

EXPIRY_WINDOW_DAYS = 90
CONDITION_WINDOW_DAYS = 30


@dataclass
class IncompleteRecord:
    credential: Credential
    report: CompletenessReport


@dataclass
class ProviderDashboard:
    provider: Provider
    counts: dict[StrOrPromise, int]
    incomplete: list[IncompleteRecord] = field(default_factory=list)
    expiring: list[Credential] = field(default_factory=list)
    conditions_due: list[Condition] = field(default_factory=list)
    recent_decisions: list[Decision] = field(default_factory=list)

    @property
    def needs_action(self) -> bool:
        return bool(self.incomplete or self.expiring or self.conditions_due)


def _counts(provider: Provider) -> dict[StrOrPromise, int]:
    rows = (
        Credential.objects.filter(provider=provider)
        .values("status")
        .annotate(total=Count("id"))
        .values_list("status", "total")
    )
    found = dict(rows)
    return {status.label: found.get(status.value, 0) for status in CredentialStatus}


def provider_dashboard(
    *, provider: Provider, today: datetime.date | None = None
) -> ProviderDashboard:
    """Everything the workspace dashboard shows for one provider."""
    today = today or timezone.localdate()
    editable = Credential.objects.filter(
        provider=provider, status__in=EDITABLE_STATUSES
    ).select_related("provider", "level")
    incomplete = [
        IncompleteRecord(credential, report)
        for credential in editable
        if not (report := credential_completeness(credential=credential)).can_submit
    ]
    expiring = list(
        Credential.objects.filter(
            provider=provider,
            status=CredentialStatus.REGISTERED,
            valid_to__gte=today,
            valid_to__lte=today + datetime.timedelta(days=EXPIRY_WINDOW_DAYS),
        ).order_by("valid_to")
    )
    conditions_due = list(
        Condition.objects.filter(
            decision__review__credential__provider=provider,
            decision__superseded_by__isnull=True,
            state__in=(ConditionState.OPEN, ConditionState.OVERDUE),
            due_date__lte=today + datetime.timedelta(days=CONDITION_WINDOW_DAYS),
        )
        .select_related("decision__review__credential")
        .order_by("due_date")
    )
    return ProviderDashboard(
        provider=provider,
        counts=_counts(provider),
        incomplete=incomplete,
        expiring=expiring,
        conditions_due=conditions_due,
        recent_decisions=list(recent_decisions(providers=[provider])[:5]),
    )


def recent_decisions(*, providers: list[Provider]) -> QuerySet[Decision]:
    """Standing decisions on the providers' records, newest first, without internal notes."""
    return (
        Decision.objects.filter(
            review__credential__provider__in=providers, superseded_by__isnull=True
        )
        .select_related("review__credential")
        .defer("internal_notes")
        .order_by("-decided_at")
    )
