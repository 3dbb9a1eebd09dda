"""Demo accounts, one per role, with fixed passwords that are printed for local demos.

Read from ``accounts.json``. Passwords are set only when an account is created, so a
changed password survives a re-run. Never load demo data into a production database.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from config.types import User
from providers.models import Provider, ProviderMembership

from .base import DemoAccount, SeedContext, build, upsert_by_fields

ACCOUNTS_FILE = "accounts.json"
REVIEWERS_GROUP = "reviewers"
# The demo's registry administrator: imports the register, opens reviews, confirms conditions.
REGISTRY_ADMIN = "registry-admin"


@dataclass(frozen=True)
class AccountSpec:
    """One demo login and what it is allowed to do."""

    username: str
    password: str
    role: str
    is_staff: bool = False
    is_superuser: bool = False
    reviewer: bool = False
    provider: str = ""
    membership_role: str = ""


def seed_accounts(*, ctx: SeedContext, providers: dict[str, Provider]) -> dict[str, User]:
    """Create or align the demo users, the reviewers group and provider memberships."""
    specs = [build(AccountSpec, ACCOUNTS_FILE, row) for row in ctx.read_json(ACCOUNTS_FILE)]
    user_model = get_user_model()
    existing = {
        u.username: u
        for u in user_model.objects.filter(username__in=[spec.username for spec in specs])
    }
    reviewers, created = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    if created:
        ctx.report.created["groups"] += 1
    users: dict[str, User] = {}
    for spec in specs:
        wanted = {
            "email": f"{spec.username}@demo.example.org",
            "is_staff": spec.is_staff,
            "is_superuser": spec.is_superuser,
            "is_active": True,
        }
        user = existing.get(spec.username)
        if user is None:
            user = user_model.objects.create_user(
                username=spec.username, password=spec.password, **wanted
            )
            ctx.report.created["demo accounts"] += 1
        else:
            changed = [name for name, value in wanted.items() if getattr(user, name) != value]
            if changed:
                for name in changed:
                    setattr(user, name, wanted[name])
                user.save(update_fields=changed)
                ctx.report.updated["demo accounts"] += 1
        users[spec.username] = user
        ctx.report.accounts.append(DemoAccount(spec.username, spec.role, spec.password))
    reviewer_ids = {users[spec.username].pk for spec in specs if spec.reviewer}
    already = set(reviewers.user_set.filter(pk__in=reviewer_ids).values_list("pk", flat=True))
    if reviewer_ids - already:
        reviewers.user_set.add(*(reviewer_ids - already))
        ctx.report.created["group memberships"] += len(reviewer_ids - already)
    upsert_by_fields(
        ProviderMembership,
        [
            {
                "provider_id": providers[spec.provider].pk,
                "user_id": users[spec.username].pk,
                "role": spec.membership_role,
            }
            for spec in specs
            if spec.provider
        ],
        key_fields=["provider_id", "user_id"],
        report=ctx.report,
        label="provider memberships",
    )
    return users
