"""Every page type of the site, on the demo register, as the persona who uses it.

The layout, accessibility and screenshot tests all walk this one list, so a page type added
here is checked for sideways scrolling and WCAG 2.1 AA and photographed in both languages.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.urls import reverse

from credentials.choices import CredentialStatus
from credentials.models import Credential
from imports.models import ImportJob
from qa_reviews.choices import ReviewStage
from qa_reviews.models import Review

ANONYMOUS = "anonymous"
PROVIDER_ADMIN = "provider-admin"
REVIEWER = "reviewer"
REGISTRY_ADMIN = "registry-admin"

LANGUAGE_PREFIXES = {"en": "", "zh-hant": "/zh-hant"}
PHONE_WIDTHS = (360, 390)
SCREEN_WIDTHS = (1366, 390)
HEIGHT = 900


@dataclass(frozen=True)
class PageType:
    """A page and the demo account that opens it (``anonymous`` for none)."""

    name: str
    persona: str
    path: str

    def url(self, base: str, language: str) -> str:
        return f"{base}{LANGUAGE_PREFIXES[language]}{self.path}"


# Names are stable test ids; demo_page_types() gives each its path on the seeded register.
PAGE_NAMES = (
    "home",
    "search",
    "record",
    "compare",
    "verify",
    "verify-statement",
    "follow-search",
    "provider",
    "download",
    "login",
    "workspace-dashboard",
    "workspace-list",
    "workspace-create",
    "workspace-edit",
    "workspace-record",
    "workspace-imports",
    "workspace-import",
    "workspace-tokens",
    "workspace-webhooks",
    "reviews-queue",
    "reviews-review",
    "reviews-board",
    "reviews-open",
    "sweeps",
)


def demo_page_types() -> dict[str, PageType]:
    """Each page type's path on the demo register (seed_demo must have run)."""
    registered = Credential.objects.filter(status=CredentialStatus.REGISTERED)
    # The fullest public record: accredited and counted toward a pathway.
    record = (
        registered.annotate(
            accreditation_count=Count("accreditations", distinct=True),
            pathway_count=Count("pathway_memberships", distinct=True),
        )
        .filter(accreditation_count__gt=0)
        .order_by("-pathway_count", "pk")
        .first()
    )
    assert record is not None, "the demo register has no accredited registered record"
    others = list(
        registered.filter(provider=record.provider).exclude(pk=record.pk).order_by("pk")[:2]
    )
    compare_ids = ",".join(str(credential.pk) for credential in [record, *others])
    provider_admin = get_user_model().objects.get(username=PROVIDER_ADMIN)
    own = Credential.objects.filter(provider__memberships__user=provider_admin)
    sent_back = own.filter(status=CredentialStatus.REFERRED_BACK).order_by("pk").first()
    assert sent_back is not None, "the provider administrator has no referred-back record"
    own_registered = (
        own.filter(status=CredentialStatus.REGISTERED, accreditations__isnull=False)
        .order_by("pk")
        .first()
    )
    assert own_registered is not None, "the provider administrator has no registered record"
    review = (
        Review.objects.filter(
            stage=ReviewStage.IN_PROGRESS, assignments__reviewer__username=REVIEWER
        )
        .order_by("pk")
        .first()
    )
    assert review is not None, "the demo reviewer has no review in progress"
    import_job = ImportJob.objects.order_by("pk").first()
    assert import_job is not None, "the demo register has no import"

    pages = [
        PageType("home", ANONYMOUS, reverse("credentials:home")),
        PageType("search", ANONYMOUS, reverse("credentials:search") + "?q=certificate"),
        PageType("record", ANONYMOUS, reverse("credentials:detail", args=[record.pk])),
        PageType("compare", ANONYMOUS, reverse("credentials:compare") + f"?ids={compare_ids}"),
        PageType(
            "verify",
            ANONYMOUS,
            reverse("credentials:verify") + f"?number={record.registration_number}",
        ),
        PageType("verify-statement", ANONYMOUS, reverse("statements:verify")),
        PageType("follow-search", ANONYMOUS, reverse("follows:search") + "?q=certificate"),
        PageType(
            "provider", ANONYMOUS, reverse("credentials:provider", args=[record.provider.slug])
        ),
        PageType("download", ANONYMOUS, reverse("credentials:download")),
        PageType("login", ANONYMOUS, reverse("login")),
        PageType("workspace-dashboard", PROVIDER_ADMIN, reverse("workspace:dashboard")),
        PageType("workspace-list", PROVIDER_ADMIN, reverse("workspace:credentials")),
        PageType("workspace-create", PROVIDER_ADMIN, reverse("workspace:credential-new")),
        PageType(
            "workspace-edit",
            PROVIDER_ADMIN,
            reverse("workspace:credential-edit", args=[sent_back.pk]),
        ),
        PageType(
            "workspace-record",
            PROVIDER_ADMIN,
            reverse("workspace:credential", args=[own_registered.pk]),
        ),
        PageType("workspace-imports", PROVIDER_ADMIN, reverse("workspace:imports")),
        PageType(
            "workspace-import", REGISTRY_ADMIN, reverse("workspace:import", args=[import_job.pk])
        ),
        PageType("workspace-tokens", PROVIDER_ADMIN, reverse("workspace:tokens")),
        PageType("workspace-webhooks", PROVIDER_ADMIN, reverse("workspace:webhooks")),
        PageType("reviews-queue", REVIEWER, reverse("reviews:queue")),
        PageType("reviews-review", REVIEWER, reverse("reviews:review", args=[review.pk])),
        PageType("reviews-board", REGISTRY_ADMIN, reverse("reviews:board")),
        PageType("reviews-open", REGISTRY_ADMIN, reverse("reviews:open")),
        PageType("sweeps", REGISTRY_ADMIN, reverse("workspace:sweeps")),
    ]
    by_name = {page.name: page for page in pages}
    assert tuple(by_name) == PAGE_NAMES
    return by_name
