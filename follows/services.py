"""Following by e-mail: ask, confirm (double opt-in), unsubscribe, manage, expire.

Nothing is sent to a follow before its address confirms it, and the answer to a request is
the same whether or not the address already follows anything (the views show one message).
"""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from changes.feed import feed_head
from credentials.choices import PUBLIC_STATUSES
from credentials.models import Credential

from . import emails
from .addresses import address_key, address_normalise
from .choices import FollowState
from .models import Follow, FollowDigest
from .searches import search_check
from .tokens import CONFIRM, MANAGE, UNSUBSCRIBE, LinkError, link_read

LIVE = (FollowState.PENDING, FollowState.ACTIVE)


class LinkUsed(Exception):
    """A confirmation link whose follow was already confirmed (or has ended since)."""


def follow_language(language: str | None) -> str:
    """The e-mail language for a page language: Traditional Chinese or English."""
    return "zh-hant" if (language or "").lower().startswith("zh") else "en"


def _check_email(email: str) -> str:
    email = address_normalise(email)
    if not email:
        raise ValidationError({"email": _("Enter the e-mail address to send the updates to.")})
    if len(email) > 254:
        raise ValidationError({"email": _("An e-mail address has at most 254 characters.")})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": _("“%(email)s” is not an e-mail address.") % {"email": email}}
        ) from None
    return email


def _lock_address(key: str) -> None:
    # Two requests for one address at once must not both pass the pending limit.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


@transaction.atomic
def follow_request(
    *,
    email: str,
    language: str,
    credential: Credential | None = None,
    search_query: str = "",
) -> Follow | None:
    """Ask to follow a public record or a saved search, and send the confirmation e-mail.

    Returns the pending follow, or None when the address already has
    FOLLOW_MAX_PENDING_PER_ADDRESS unconfirmed requests (then nothing is sent: no address
    can be flooded with confirmations). Raises ValidationError for a bad address or target.
    """
    email = _check_email(email)
    if (credential is None) == (not search_query):
        raise ValidationError(_("Follow either a record or a search."))
    if credential is not None and credential.status not in PUBLIC_STATUSES:
        raise ValidationError(
            {"credential": _("Only records on the public register can be followed.")}
        )
    if search_query:
        problems = search_check(search_query)
        if problems:
            raise ValidationError(problems)
    key = address_key(email)
    _lock_address(key)
    pending = Follow.objects.filter(address_key=key, state=FollowState.PENDING).count()
    if pending >= settings.FOLLOW_MAX_PENDING_PER_ADDRESS:
        return None
    follow = Follow.objects.create(
        email=email,
        address_key=key,
        language=follow_language(language),
        credential=credential,
        search_query=search_query,
    )
    # Inside the transaction: if the mail cannot be handed over, no request is left behind.
    emails.confirmation_send(follow)
    return follow


def _same_target(follow: Follow) -> Q:
    if follow.credential_id:
        return Q(credential_id=follow.credential_id)
    return Q(credential__isnull=True, search_query=follow.search_query)


@transaction.atomic
def follow_confirm(*, token: str) -> Follow:
    """Confirm the follow a confirmation link names; return the active follow.

    LinkError for a link that is not ours or has expired, LinkUsed for one used before. If
    the address already follows the same thing, that follow is returned and this request
    is dropped.
    """
    pk = link_read(CONFIRM, token)
    follow = Follow.objects.select_for_update().filter(pk=pk).first()
    if follow is None:
        raise LinkError(expired=False)
    if follow.state == FollowState.EXPIRED:
        raise LinkError(expired=True)
    if follow.state != FollowState.PENDING:
        raise LinkUsed
    # Two requests for the same thing confirmed at once must not both become active.
    _lock_address(follow.address_key)
    existing = (
        Follow.objects.filter(address_key=follow.address_key, state=FollowState.ACTIVE)
        .filter(_same_target(follow))
        .first()
    )
    if existing is not None:
        follow.delete()
        return existing
    follow.state = FollowState.ACTIVE
    follow.confirmed_at = timezone.now()
    # Changes from now on: nothing that happened before the follow began.
    follow.notified_through = feed_head()
    follow.save(update_fields=["state", "confirmed_at", "notified_through"])
    return follow


def _end(follows: QuerySet[Follow], state: str) -> int:
    return follows.filter(state__in=LIVE).update(
        state=state, email="", address_key="", ended_at=timezone.now()
    )


@transaction.atomic
def follow_unsubscribe(*, follow: Follow) -> bool:
    """End one follow and erase its address; False if it had already ended."""
    return _end(Follow.objects.filter(pk=follow.pk), FollowState.UNSUBSCRIBED) == 1


def follow_from_unsubscribe_link(token: str) -> Follow:
    """The follow an unsubscribe link names (ended ones too); LinkError if none."""
    follow = (
        Follow.objects.select_related("credential").filter(pk=link_read(UNSUBSCRIBE, token)).first()
    )
    if follow is None:
        raise LinkError(expired=False)
    return follow


def address_from_manage_link(token: str) -> str:
    """The address key a manage link names; LinkError if it is not ours or too old."""
    key = link_read(MANAGE, token)
    if not isinstance(key, str):
        raise LinkError(expired=False)
    return key


def follows_of_address(key: str) -> QuerySet[Follow]:
    """The live follows of an address, newest first."""
    return Follow.objects.filter(address_key=key, state__in=LIVE).select_related("credential")


@transaction.atomic
def follow_unsubscribe_address(*, key: str) -> int:
    """End every follow of an address and erase it; return how many ended."""
    if not key:
        return 0
    FollowDigest.objects.filter(address_key=key).update(address_key="")
    return _end(Follow.objects.filter(address_key=key), FollowState.UNSUBSCRIBED)


def follow_manage_link_send(*, email: str, language: str) -> bool:
    """E-mail the address a link to its follows, if it has any and had none lately.

    One such e-mail per address each FOLLOW_MANAGE_MAIL_MINUTES, so the form cannot be used
    to flood someone. The caller shows the same answer whatever this returns.
    """
    email = _check_email(email)
    key = address_key(email)
    if not follows_of_address(key).exists():
        return False
    if not cache.add(f"follows:manage-mail:{key}", 1, settings.FOLLOW_MANAGE_MAIL_MINUTES * 60):
        return False
    emails.manage_link_send(email=email, key=key, language=follow_language(language))
    return True


def follow_pending_expire() -> int:
    """Erase the requests nobody confirmed in FOLLOW_CONFIRM_HOURS; return how many."""
    limit = timezone.now() - datetime.timedelta(hours=settings.FOLLOW_CONFIRM_HOURS)
    with transaction.atomic():
        stale = Follow.objects.filter(state=FollowState.PENDING, created_at__lt=limit)
        return _end(stale, FollowState.EXPIRED)
