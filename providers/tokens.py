"""Personal API tokens: create, revoke, and authenticate DRF requests with them."""

import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .models import ApiToken

# Enough live tokens for every script a person runs; more usually means leaked ones.
MAX_LIVE_TOKENS = 20


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """Create a token; return it with the key, which is not stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. what script uses it.")})
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_LIVE_TOKENS:
        raise ValidationError(_("Revoke an unused token first: you have 20 live tokens."))
    key = secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=key[:8], key_hash=_hash(key))
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


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` with a personal token that has not been revoked."""

    def authenticate_credentials(self, key: str):
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=_hash(key), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user, token
