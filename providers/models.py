from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.db import TimeStampedModel

from .choices import MembershipRole, ProviderStatus, ProviderType


class Provider(TimeStampedModel):
    """An institution that offers or awards credentials on the register."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=255)
    name_zh = models.CharField(_("name (Chinese)"), max_length=255, blank=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=8, help_text=_("e.g. HK, UK."))
    provider_type = models.CharField(_("type"), max_length=32, choices=ProviderType.choices)
    ukprn = models.CharField(
        _("UKPRN"),
        max_length=8,
        unique=True,
        null=True,
        blank=True,
        help_text=_("UK Register of Learning Providers number (8 digits, starting with 1)."),
    )
    ofqual_recognition_number = models.CharField(
        _("Ofqual recognition number"),
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        help_text=_("e.g. RN5355."),
    )
    website = models.URLField(_("website"), max_length=300, blank=True)
    self_accrediting = models.BooleanField(
        _("self-accrediting"),
        default=False,
        help_text=_("May validate its own programmes without external accreditation."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProviderStatus.choices, default=ProviderStatus.ACTIVE
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ProviderMembership",
        related_name="providers",
        verbose_name=_("members"),
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        constraints = [
            models.CheckConstraint(
                condition=Q(ukprn__isnull=True) | Q(ukprn__regex=r"^1[0-9]{7}$"),
                name="%(app_label)s_%(class)s_ukprn_format",
            ),
            models.CheckConstraint(
                condition=Q(ofqual_recognition_number__isnull=True)
                | Q(ofqual_recognition_number__regex=r"^RN[0-9]{3,6}$"),
                name="%(app_label)s_%(class)s_recognition_number_format",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProviderStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(provider_type__in=ProviderType.values),
                name="%(app_label)s_%(class)s_type_valid",
            ),
            models.CheckConstraint(
                condition=~Q(name_en=""), name="%(app_label)s_%(class)s_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        if self.name_zh:
            return f"{self.name_en} ({self.name_zh})"
        return self.name_en


class ProviderMembership(TimeStampedModel):
    """A user's role in one provider: what they may author on the register."""

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("provider")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="provider_memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.EDITOR
    )

    class Meta:
        ordering = ["provider__name_en", "user__username"]
        verbose_name = _("provider membership")
        verbose_name_plural = _("provider memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "user"], name="%(app_label)s_%(class)s_unique_member"
            ),
            models.CheckConstraint(
                condition=Q(role__in=MembershipRole.values),
                name="%(app_label)s_%(class)s_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.provider.name_en}"


class ApiToken(models.Model):
    """A personal API token; only a hash is stored, the key is shown once at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        help_text=_("After this moment the token is refused; blank for no expiry."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""), name="%(app_label)s_%(class)s_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
