"""Which credentials a user may see and change: object-level access in one place.

Querysets are restricted per user, so another provider's record is simply not found
(404), never shown and refused.
"""

from django.db.models import QuerySet

from config.types import RequestUser
from providers.roles import is_registry_admin, provider_ids

from .models import Credential


def credentials_for_workspace(user: RequestUser) -> QuerySet[Credential]:
    """Records a user may author: their providers' records in every state; staff see all."""
    queryset = Credential.objects.select_related("provider", "level__framework", "area_of_study")
    if is_registry_admin(user):
        return queryset
    return queryset.filter(provider_id__in=provider_ids(user))


def can_read_unpublished(user: RequestUser, credential: Credential) -> bool:
    """Drafts and submissions are visible to their provider and registry staff.

    Reviewers read a record under review through its review, not here: being in the
    reviewers' group opens no other provider's unpublished record (the record API and page
    answer 404 to them as well).
    """
    return is_registry_admin(user) or credential.provider_id in provider_ids(user)
