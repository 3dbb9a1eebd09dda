"""Who a user is to the register: the one place roles are worked out.

Pages, the API, the admin and the services all ask these functions, so a rule about
who may do what changes in one place.

The signed-in user of a page arrives with its group facts already read (``with_role_facts``,
in the query ``providers.auth`` loads it with), so the nav's role checks cost no query of
their own; a user loaded any other way is asked the database.
"""

from typing import TypeGuard

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet

from config.types import RequestUser, User

from .choices import MembershipRole
from .models import ProviderMembership

REVIEWERS_GROUP = "reviewers"
# The annotation with_role_facts puts on a user: whether it is in the reviewers group.
IN_REVIEWERS_GROUP = "registry_in_reviewers_group"


def with_role_facts(users: QuerySet[User]) -> QuerySet[User]:
    """The users, each with the group facts ``is_reviewer`` reads, in the same query."""
    memberships = User.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name=REVIEWERS_GROUP
    )
    return users.annotate(**{IN_REVIEWERS_GROUP: Exists(memberships)})


def is_registry_admin(user: RequestUser) -> bool:
    """Registry administrators are Django staff."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def is_reviewer(user: RequestUser) -> TypeGuard[User]:
    """QA reviewers belong to the reviewers group."""
    if not (user.is_authenticated and user.is_active):
        return False
    known = getattr(user, IN_REVIEWERS_GROUP, None)
    if known is not None:
        return bool(known)
    return user.groups.filter(name=REVIEWERS_GROUP).exists()


def provider_ids(
    user: RequestUser, *, roles: tuple[str, ...] = tuple(MembershipRole.values)
) -> set[int]:
    """Ids of the providers in which the user holds one of the given roles."""
    if not (user.is_authenticated and user.is_active):
        return set()
    return set(
        ProviderMembership.objects.filter(user=user, role__in=roles).values_list(
            "provider_id", flat=True
        )
    )


def is_provider_member(user: RequestUser, provider_id: int) -> bool:
    """Any role in the provider: may draft and edit its records."""
    return provider_id in provider_ids(user)


def is_provider_admin(user: RequestUser, provider_id: int) -> bool:
    """The provider administrator role: may also submit and withdraw its records."""
    return provider_id in provider_ids(user, roles=(MembershipRole.ADMIN,))


def provider_admin_emails(provider_id: int) -> list[str]:
    """E-mail addresses of a provider's active administrators, who receive its notices."""
    return list(
        get_user_model()
        .objects.filter(
            provider_memberships__provider_id=provider_id,
            provider_memberships__role=MembershipRole.ADMIN,
            is_active=True,
        )
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
