"""E-mails about reviews: to reviewers on assignment, to providers on decisions and conditions.

Sent by Celery tasks after the transaction that made the change commits. What a provider
reads here is what the provider may see anywhere: the decision, its public rationale and
its conditions, never internal notes or judgements.

Tasks are acknowledged late and retried, so a notice may be handed over more than once.
Each is marked sent in PostgreSQL (``SentNotice``) in the transaction that sends it: a
repeat finds the mark and sends nothing, a send that fails rolls its mark back for the
retry, and two deliveries at once wait on each other's mark. A duplicate remains possible
only if the worker dies after the mail server took the message and before the commit.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from providers.roles import provider_admin_emails

from .choices import NoticeKind
from .models import Condition, Decision, ReviewAssignment, SentNotice

logger = logging.getLogger(__name__)

CONDITION_KINDS = {"due": NoticeKind.CONDITION_DUE, "overdue": NoticeKind.CONDITION_OVERDUE}


def _deliver(*, template: str, context: dict, to: Sequence[str], cc: Iterable[str] = ()) -> None:
    """Render ``<template>_subject.txt`` and ``<template>.txt`` and send."""
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


@transaction.atomic
def _send_once(
    *, kind: NoticeKind, object_id: int, template: str, context: dict, to: Sequence[str]
) -> int:
    """Send the notice unless it went out before; the mark commits only if the send succeeds."""
    if not SentNotice.objects.claim(kind, [object_id]):
        return 0
    _deliver(template=template, context=context, to=to)
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
    return _send_once(
        kind=NoticeKind.ASSIGNMENT,
        object_id=assignment.pk,
        template="assignment",
        context={"assignment": assignment, "review": assignment.review},
        to=[assignment.reviewer.email],
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
    return _send_once(
        kind=NoticeKind.DECISION,
        object_id=decision.pk,
        template="decision",
        context={
            "decision": decision,
            "review": decision.review,
            "credential": decision.review.credential,
            "provider": provider,
            "conditions": list(decision.conditions.order_by("due_date", "pk")),
        },
        to=recipients,
    )


def conditions_notify(*, condition_ids: Sequence[int], kind: str) -> int:
    """Tell each provider's administrators about conditions falling due or overdue.

    One e-mail per provider, naming only the conditions it has not been told of in this
    kind of notice; the marks commit with each provider's send.
    """
    if kind not in CONDITION_KINDS:
        raise ValueError(f"Unknown condition notice {kind!r}")
    notice = CONDITION_KINDS[kind]
    conditions = (
        Condition.objects.filter(pk__in=condition_ids)
        .select_related("decision__review__credential__provider")
        .order_by("due_date", "pk")
    )
    by_provider: dict[int, list[Condition]] = defaultdict(list)
    for condition in conditions:
        by_provider[condition.decision.review.credential.provider_id].append(condition)
    sent = 0
    cc = settings.QA_NOTIFY_CC if kind == "overdue" else []
    for provider_id, items in by_provider.items():
        recipients = provider_admin_emails(provider_id) or list(cc)
        if not recipients:
            logger.warning("No administrator to tell about conditions of provider %s.", provider_id)
            continue
        with transaction.atomic():
            claimed = SentNotice.objects.claim(notice, [item.pk for item in items])
            untold = [item for item in items if item.pk in claimed]
            if not untold:
                continue
            _deliver(
                template=f"conditions_{kind}",
                context={
                    "provider": untold[0].decision.review.credential.provider,
                    "conditions": untold,
                },
                to=recipients,
                cc=[address for address in cc if address not in recipients],
            )
        sent += 1
    return sent
