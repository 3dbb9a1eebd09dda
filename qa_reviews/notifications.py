"""E-mails about reviews: to reviewers on assignment, to providers on decisions and conditions.

Sent by Celery tasks after the transaction that made the change commits. What a provider
reads here is what the provider may see anywhere: the decision, its public rationale and
its conditions, never internal notes or judgements.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import translation

from providers.roles import provider_admin_emails

from .models import Condition, Decision, ReviewAssignment

logger = logging.getLogger(__name__)

# A sent mark outlives any redelivery of the same task, so a repeat does not mail twice.
SENT_MARK_SECONDS = 30 * 24 * 60 * 60
CONDITION_KINDS = ("due", "overdue")


def _sent(mark: str) -> bool:
    return cache.get(f"qa-mail:{mark}") is not None


def _mark_sent(mark: str) -> None:
    cache.set(f"qa-mail:{mark}", 1, SENT_MARK_SECONDS)


def _mark(kind: str, obj: Model, moment: datetime.datetime) -> str:
    # The row's own timestamp keeps a mark from matching a later row that reuses the id
    # (a test database rebuilt against the same Redis).
    return f"{kind}:{obj.pk}:{moment.timestamp():.6f}"


def _send(
    *, template: str, context: dict, to: Sequence[str], cc: Iterable[str] = (), mark: str = ""
) -> int:
    """Render ``<template>_subject.txt`` and ``<template>.txt`` and send, once per mark."""
    if mark and _sent(mark):
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"qa_reviews/email/{template}_subject.txt", context)
        body = render_to_string(f"qa_reviews/email/{template}.txt", context)
    EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        cc=list(cc),
    ).send()
    if mark:
        _mark_sent(mark)
    return 1


def review_assignment_notify(*, assignment_id: int) -> int:
    """Tell a reviewer about a new assignment; return how many e-mails were sent."""
    assignment = (
        ReviewAssignment.objects.filter(pk=assignment_id)
        .select_related("review__credential__provider", "reviewer")
        .first()
    )
    if assignment is None or not assignment.reviewer.email:
        return 0
    return _send(
        template="assignment",
        context={"assignment": assignment, "review": assignment.review},
        to=[assignment.reviewer.email],
        mark=_mark("assignment", assignment, assignment.assigned_at),
    )


def review_decision_notify(*, decision_id: int) -> int:
    """Tell the provider's administrators about a decision or its correction."""
    decision = (
        Decision.objects.filter(pk=decision_id)
        .select_related("review__credential__provider", "supersedes")
        .defer("internal_notes")
        .first()
    )
    if decision is None:
        return 0
    provider = decision.review.credential.provider
    recipients = provider_admin_emails(provider.pk)
    if not recipients:
        logger.warning("No administrator to tell about decision %s (%s).", decision.pk, provider)
        return 0
    return _send(
        template="decision",
        context={
            "decision": decision,
            "review": decision.review,
            "credential": decision.review.credential,
            "provider": provider,
            "conditions": list(decision.conditions.order_by("due_date", "pk")),
        },
        to=recipients,
        mark=_mark("decision", decision, decision.decided_at),
    )


def conditions_notify(*, condition_ids: Sequence[int], kind: str) -> int:
    """Tell each provider's administrators about conditions falling due or overdue."""
    if kind not in CONDITION_KINDS:
        raise ValueError(f"Unknown condition notice {kind!r}")
    conditions = (
        Condition.objects.filter(pk__in=condition_ids)
        .select_related("decision__review__credential__provider")
        .order_by("due_date", "pk")
    )
    by_provider: dict[int, list[Condition]] = defaultdict(list)
    for condition in conditions:
        if not _sent(_mark(f"condition-{kind}", condition, condition.created_at)):
            by_provider[condition.decision.review.credential.provider_id].append(condition)
    sent = 0
    cc = settings.QA_NOTIFY_CC if kind == "overdue" else []
    for provider_id, items in by_provider.items():
        recipients = provider_admin_emails(provider_id) or list(cc)
        if not recipients:
            logger.warning("No administrator to tell about conditions of provider %s.", provider_id)
            continue
        provider = items[0].decision.review.credential.provider
        sent += _send(
            template=f"conditions_{kind}",
            context={"provider": provider, "conditions": items},
            to=recipients,
            cc=[address for address in cc if address not in recipients],
        )
        for item in items:
            _mark_sent(_mark(f"condition-{kind}", item, item.created_at))
    return sent
