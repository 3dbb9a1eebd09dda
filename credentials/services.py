"""Operations that change the register; each writes its history in the same transaction."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .choices import CredentialStatus, StatusSource
from .models import Credential, CredentialStatusChange


@transaction.atomic
def credential_change_status(
    *,
    credential: Credential,
    to_status: CredentialStatus,
    source: StatusSource,
    reason: str = "",
    actor: AbstractBaseUser | None = None,
) -> CredentialStatusChange | None:
    """Move a credential to a new status and record the transition; no-op if unchanged.

    The row is locked first so two concurrent callers cannot both record the same move.
    """
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    if locked.status == to_status:
        credential.status = locked.status
        return None
    change = CredentialStatusChange.objects.create(
        credential=locked,
        from_status=locked.status,
        to_status=to_status,
        source=source,
        reason=reason,
        changed_by=actor,
    )
    locked.status = to_status
    locked.status_changed_at = timezone.now()
    locked.full_clean(exclude=["registration_number", "search_document"], validate_unique=False)
    locked.save(update_fields=["status", "status_changed_at", "updated_at"])
    credential.status = locked.status
    credential.status_changed_at = locked.status_changed_at
    return change
