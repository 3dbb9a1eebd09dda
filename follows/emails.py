"""The follow e-mails, plain text and HTML, in the follower's language, with their links.

Every e-mail carries a signed link that ends what it is about; digests also carry
``List-Unsubscribe`` and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058)
pointing at a URL that ends every follow of the address on a POST without sign-in.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from changes.atom import describe
from changes.choices import EventKind
from credentials.models import Credential

from .models import Follow, FollowDigest, FollowNotification
from .searches import search_describe
from .tokens import CONFIRM, LEAVE, MANAGE, UNSUBSCRIBE, link_make


def absolute(name: str, **kwargs: Any) -> str:
    """A page's full address in the active language (English unprefixed, /zh-hant/...)."""
    return settings.SITE_URL + reverse(name, kwargs=kwargs or None)


def credential_title(credential: Credential) -> str:
    chinese = (translation.get_language() or "").startswith("zh")
    return (credential.title_zh if chinese else "") or credential.title_en or credential.title_zh


def follow_subject(follow: Follow) -> str:
    """What a follow is about, for subjects and lists."""
    if follow.credential_id and follow.credential is not None:
        return f"{credential_title(follow.credential)} ({follow.credential.registration_number})"
    return search_describe(follow.search_query)


def follow_target_url(follow: Follow) -> str:
    if follow.credential_id:
        return absolute("credentials:detail", pk=follow.credential_id)
    return absolute("credentials:search") + "?" + follow.search_query


def _send(
    *,
    template: str,
    to: str,
    language: str,
    context: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> None:
    with translation.override(language):
        context = {**context, "language": language}
        subject = " ".join(
            render_to_string(f"follows/email/{template}_subject.txt", context).split()
        )
        text = render_to_string(f"follows/email/{template}.txt", context)
        html = render_to_string(f"follows/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    message.send()


def confirmation_send(follow: Follow) -> None:
    with translation.override(follow.language):
        context = {
            "subject": follow_subject(follow),
            "target_url": follow_target_url(follow),
            "is_search": not follow.credential_id,
            "confirm_url": absolute("follows:confirm", token=link_make(CONFIRM, follow.pk)),
            "cancel_url": absolute("follows:unsubscribe", token=link_make(UNSUBSCRIBE, follow.pk)),
            "hours": settings.FOLLOW_CONFIRM_HOURS,
        }
    _send(template="confirm", to=follow.email, language=follow.language, context=context)


def manage_link_send(*, email: str, key: str, language: str) -> None:
    with translation.override(language):
        context = {
            "manage_url": absolute("follows:manage-address", token=link_make(MANAGE, key)),
            "days": settings.FOLLOW_MANAGE_LINK_DAYS,
        }
    _send(template="manage", to=email, language=language, context=context)


@dataclass
class DigestSection:
    """One follow's part of a digest: what it follows and what changed."""

    subject: str
    url: str
    unsubscribe_url: str
    is_search: bool
    changes: list[dict[str, str]] = field(default_factory=list)


def _change_line(notification: FollowNotification) -> dict[str, str]:
    event = notification.event
    return {
        "record": f"{credential_title(event.credential)} ({event.registration_number})",
        "url": absolute("credentials:detail", pk=event.credential_id),
        "kind": str(EventKind(event.kind).label),
        "what": describe(event),
        "new_match": "1" if notification.new_match else "",
        "date": event.recorded_at.date().isoformat(),
    }


def digest_send(digest: FollowDigest, notifications: Sequence[FollowNotification]) -> None:
    """One e-mail telling an address every change its digest records."""
    sections: dict[int, DigestSection] = {}
    leave_token = link_make(LEAVE, digest.address_key)
    with translation.override(digest.language):
        for notification in notifications:
            follow = notification.follow
            if follow.pk not in sections:
                sections[follow.pk] = DigestSection(
                    subject=follow_subject(follow),
                    url=follow_target_url(follow),
                    unsubscribe_url=absolute(
                        "follows:unsubscribe", token=link_make(UNSUBSCRIBE, follow.pk)
                    ),
                    is_search=not follow.credential_id,
                )
            sections[follow.pk].changes.append(_change_line(notification))
        leave_url = absolute("follows:leave", token=leave_token)
        context = {
            "sections": list(sections.values()),
            "count": len(notifications),
            "leave_url": leave_url,
            "manage_url": absolute(
                "follows:manage-address", token=link_make(MANAGE, digest.address_key)
            ),
        }
    _send(
        template="digest",
        to=notifications[0].follow.email,
        language=digest.language,
        context=context,
        headers={
            "List-Unsubscribe": f"<{leave_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
