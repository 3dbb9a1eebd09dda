"""Tell a provider's administrators what the status checks found about their credentials."""

import logging
from collections import defaultdict
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from credentials.choices import CredentialStatus
from providers.models import Provider
from providers.roles import provider_admin_emails

from .choices import CheckOutcome
from .models import AlertSent, StatusCheck

logger = logging.getLogger(__name__)


def status_alerts_send(*, check_ids: Sequence[int]) -> int:
    """Send one e-mail per provider covering these checks' notices; return how many were sent.

    A check whose alert already went out is left out: its mark (``AlertSent``) commits in
    the transaction that sends, so a redelivered task finds it, a failed send rolls it back
    for the retry, and a duplicate needs the worker to die between the mail server taking
    the message and the commit.
    """
    checks = (
        StatusCheck.objects.filter(pk__in=check_ids)
        .select_related("credential__provider")
        .order_by("credential__provider_id", "credential__registration_number", "pk")
    )
    by_provider: dict[Provider, list[StatusCheck]] = defaultdict(list)
    for check in checks:
        by_provider[check.credential.provider].append(check)

    sent = 0
    cc = list(settings.STATUS_CHECK_ALERT_CC)
    for provider, provider_checks in by_provider.items():
        recipients = provider_admin_emails(provider.pk)
        if not recipients and not cc:
            logger.warning("No administrator to alert for provider %s.", provider.slug)
            continue
        with transaction.atomic():
            claimed = AlertSent.objects.claim(check.pk for check in provider_checks)
            untold = [check for check in provider_checks if check.pk in claimed]
            if not untold:
                continue
            EmailMessage(
                subject=_alert_subject(provider, untold),
                body=_alert_body(provider, untold),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=recipients or cc,
                cc=cc if recipients else [],
            ).send()
        sent += 1
    return sent


def _alert_subject(provider: Provider, checks: Sequence[StatusCheck]) -> str:
    count = len({check.credential_id for check in checks})
    return ngettext(
        "[Credential Registry] Status alert for %(count)d credential of %(provider)s",
        "[Credential Registry] Status alerts for %(count)d credentials of %(provider)s",
        count,
    ) % {"count": count, "provider": provider.name_en}


def _alert_body(provider: Provider, checks: Sequence[StatusCheck]) -> str:
    lines = [
        _("The registry's accreditation-status checks found the following for %(provider)s.")
        % {"provider": provider.name_en},
        "",
    ]
    for check in checks:
        credential = check.credential
        lines.append(f"{credential.registration_number} — {credential.title_en}")
        if check.outcome == CheckOutcome.CHANGED:
            lines.append(
                "  "
                + _("Status changed from %(old)s to %(new)s.")
                % {
                    "old": CredentialStatus(check.previous_status).label,
                    "new": CredentialStatus(check.new_status).label,
                }
            )
        for finding in check.detail.get("findings", []):
            if finding.get("notified"):
                lines.append(f"  - {finding['message']}")
        lines.append("")
    lines.append(
        _("You receive this because you administer %(provider)s on the register.")
        % {"provider": provider.name_en}
    )
    return "\n".join(lines)
