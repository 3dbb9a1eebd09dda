"""Named personas for permission tests: every endpoint gets a cross-tenant check."""

from dataclasses import dataclass

from django.contrib.auth.models import Group

from providers.choices import MembershipRole
from providers.models import Provider
from providers.roles import REVIEWERS_GROUP
from tests.factories import MembershipFactory, ProviderFactory, UserFactory


@dataclass
class Personas:
    provider_a: Provider
    provider_b: Provider
    a_admin: object
    a_editor: object
    b_admin: object
    reviewer: object
    registry_admin: object

    def by_name(self, name: str):
        return None if name == "anonymous" else getattr(self, name)


def make_personas() -> Personas:
    provider_a = ProviderFactory(name_en="Provider A")
    provider_b = ProviderFactory(name_en="Provider B")
    reviewer = UserFactory(username="reviewer-persona")
    reviewer.groups.add(Group.objects.get_or_create(name=REVIEWERS_GROUP)[0])
    return Personas(
        provider_a=provider_a,
        provider_b=provider_b,
        a_admin=MembershipFactory(provider=provider_a, role=MembershipRole.ADMIN).user,
        a_editor=MembershipFactory(provider=provider_a, role=MembershipRole.EDITOR).user,
        b_admin=MembershipFactory(provider=provider_b, role=MembershipRole.ADMIN).user,
        reviewer=reviewer,
        registry_admin=UserFactory(username="staff-persona", is_staff=True),
    )
