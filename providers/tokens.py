"""Personal API tokens: create, revoke, and authenticate DRF requests with them."""

import datetime
import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .models import ApiToken

# Enough live tokens for every script a person runs; more usually means leaked ones.
MAX_LIVE_TOKENS = 20
# last_used_at is a hint for people tidying their tokens, not an audit log: writing it on
# every request would turn each API read into a row update.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_expiry_from_date(text: str) -> datetime.datetime | None:
    """The end of the given day (YYYY-MM-DD, local time) as an expiry; blank for none."""
    text = text.strip()
    if not text:
        return None
    day = parse_date(text) if len(text) == 10 else None
    if day is None:
        raise ValidationError({"expires_at": _("Give the expiry date as YYYY-MM-DD.")})
    end_of_day = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(end_of_day) - datetime.timedelta(microseconds=1)


@transaction.atomic
def api_token_create(
    *, user: AbstractBaseUser, name: str, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token; return it with the key, which is not stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. what script uses it.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_LIVE_TOKENS:
        raise ValidationError(_("Revoke an unused token first: you have 20 live tokens."))
    key = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name, prefix=key[:8], key_hash=_hash(key), expires_at=expires_at
    )
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens; revoking twice changes nothing."""
    if token.user_id != user.pk:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken, now: datetime.datetime) -> bool:
    """Record a use, at most once per LAST_USED_RESOLUTION; return whether a row changed.

    One conditional UPDATE: concurrent requests race in the database, not in Python, and
    most requests match no row and write nothing.
    """
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    return bool(ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now))


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` with a personal token that is neither revoked nor expired."""

    def authenticate_credentials(self, key: str):
        token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("This token was revoked. Create a new one in your workspace.")
            )
        now = timezone.now()
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                _("This token expired on %(date)s. Create a new one in your workspace.")
                % {"date": timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")}
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        api_token_touch(token=token, now=now)
        return token.user, token
