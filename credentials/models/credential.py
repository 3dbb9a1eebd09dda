from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from config.db import TimeStampedModel

from ..choices import (
    CredentialKind,
    CredentialStatus,
    DeliveryMode,
    QualityMark,
    StatusSource,
    Supervision,
)
from ..vocabulary import OFQUAL


class Credential(TimeStampedModel):
    """One entry on the register: a micro-credential or a full qualification."""

    registration_number = models.CharField(
        _("registration number"),
        max_length=40,
        help_text=_("As issued: HKQR style 24/000123/L4, Ofqual style 603/2476/0."),
    )
    # Separators and case vary between registers and CVs; one key makes them all match.
    registration_key = models.GeneratedField(
        expression=Upper(
            Func(
                F("registration_number"),
                Value("[^A-Za-z0-9]"),
                Value(""),
                Value("g"),
                function="regexp_replace",
            )
        ),
        output_field=models.CharField(max_length=40),
        db_persist=True,
        verbose_name=_("registration key"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CredentialKind.choices)
    title_en = models.CharField(_("title (English)"), max_length=500)
    title_zh = models.CharField(_("title (Chinese)"), max_length=500, blank=True)
    qualification_type = models.CharField(
        _("qualification type"),
        max_length=120,
        blank=True,
        help_text=_("e.g. Higher National Certificate, Vocationally-Related Qualification."),
    )
    provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        related_name="credentials",
        verbose_name=_("provider"),
    )
    awarding_body = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awarded_credentials",
        verbose_name=_("awarding body"),
        help_text=_("Blank when the provider awards the credential itself."),
    )
    level = models.ForeignKey(
        "qualifications.Level",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credentials",
        verbose_name=_("level"),
    )
    area_of_study = models.ForeignKey(
        "qualifications.AreaOfStudy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credentials",
        verbose_name=_("area of study"),
    )
    credits = models.DecimalField(
        _("credits"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("In the framework's own credit (HKQF: QF credits)."),
    )
    ects_credits = models.DecimalField(
        _("ECTS credits"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    notional_hours = models.PositiveIntegerField(
        _("notional learning hours"),
        null=True,
        blank=True,
        help_text=_("Total qualification time / notional learning hours."),
    )
    guided_learning_hours = models.PositiveIntegerField(
        _("guided learning hours"), null=True, blank=True
    )
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    learning_outcomes_en = ArrayField(
        models.TextField(), verbose_name=_("learning outcomes (English)"), default=list, blank=True
    )
    learning_outcomes_zh = ArrayField(
        models.TextField(), verbose_name=_("learning outcomes (Chinese)"), default=list, blank=True
    )
    assessment_type = models.CharField(_("type of assessment"), max_length=300, blank=True)
    supervision = models.CharField(
        _("supervision and identity verification"),
        max_length=32,
        choices=Supervision.choices,
        blank=True,
    )
    mode_of_delivery = models.CharField(
        _("form of participation"), max_length=16, choices=DeliveryMode.choices, blank=True
    )
    quality_assurance_type = models.CharField(
        _("type of quality assurance"), max_length=300, blank=True
    )
    prerequisites = models.TextField(_("prerequisites"), blank=True)
    languages = ArrayField(
        models.CharField(max_length=16),
        verbose_name=_("languages of instruction"),
        default=list,
        blank=True,
        help_text=_("Language codes, e.g. en, zh-hant, yue."),
    )
    stackable = models.BooleanField(
        _("stackable"), default=False, help_text=_("Counts toward a larger credential.")
    )
    further_information_url = models.URLField(_("further information"), max_length=500, blank=True)
    fee = models.DecimalField(
        _("fee"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    fee_currency = models.CharField(_("fee currency"), max_length=3, blank=True)
    quality_marks = ArrayField(
        models.CharField(max_length=32, choices=QualityMark.choices),
        verbose_name=_("quality marks"),
        default=list,
        blank=True,
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    teach_out_ends_on = models.DateField(
        _("teach-out ends on"),
        null=True,
        blank=True,
        help_text=_(
            "In teach-out, the last day learners already enrolled can complete and be "
            "certificated (Ofqual: the certification end date)."
        ),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CredentialStatus.choices, default=CredentialStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
        help_text=_("The entry that replaces this one: its next version."),
    )
    external_register = models.CharField(
        _("external register"),
        max_length=32,
        blank=True,
        help_text=_("The register this entry mirrors, e.g. ofqual, hkqr."),
    )
    external_status = models.CharField(_("status on external register"), max_length=64, blank=True)
    search_document = SearchVectorField(_("search document"), null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["title_en"]
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        constraints = [
            models.UniqueConstraint(
                fields=["registration_key"],
                name="%(app_label)s_%(class)s_unique_registration",
                violation_error_message=_("This registration number is already on the register."),
            ),
            models.CheckConstraint(
                condition=Q(registration_number__regex=r"[A-Za-z0-9]"),
                name="%(app_label)s_%(class)s_registration_number_not_blank",
            ),
            models.CheckConstraint(
                condition=~Q(title_en=""), name="%(app_label)s_%(class)s_title_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CredentialKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CredentialStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(credits__isnull=True) | Q(credits__gte=0),
                name="%(app_label)s_%(class)s_credits_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(ects_credits__isnull=True) | Q(ects_credits__gte=0),
                name="%(app_label)s_%(class)s_ects_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(fee__isnull=True) | Q(fee__gte=0),
                name="%(app_label)s_%(class)s_fee_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="%(app_label)s_%(class)s_validity_ordered",
                violation_error_message=_("The validity period must end on or after its start."),
            ),
            models.CheckConstraint(
                condition=~Q(status=CredentialStatus.REGISTERED)
                | (Q(level__isnull=False) & Q(valid_from__isnull=False)),
                name="%(app_label)s_%(class)s_registered_has_level_and_validity",
                violation_error_message=_(
                    "A registered credential needs a level and a validity start date."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status=CredentialStatus.TEACH_OUT)
                | Q(teach_out_ends_on__isnull=False),
                name="%(app_label)s_%(class)s_teach_out_has_end",
                violation_error_message=_(
                    "A record in teach-out needs the date its teach-out ends."
                ),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(teach_out_ends_on__isnull=True)
                | Q(teach_out_ends_on__gte=F("valid_from")),
                name="%(app_label)s_%(class)s_teach_out_ends_after_start",
                violation_error_message=_(
                    "The teach-out must end on or after the start of validity."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status=CredentialStatus.SUPERSEDED) | Q(superseded_by__isnull=False),
                name="%(app_label)s_%(class)s_superseded_has_successor",
                violation_error_message=_("A superseded record must name the record replacing it."),
            ),
            models.CheckConstraint(
                condition=~Q(superseded_by=F("pk")),
                name="%(app_label)s_%(class)s_not_own_successor",
                violation_error_message=_("A record cannot supersede itself."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "valid_to"], name="credential_status_valid_to"),
            models.Index(fields=["provider", "status"], name="credential_provider_status"),
            GinIndex(fields=["search_document"], name="credential_search_document"),
            # Search orderings: walk these instead of sorting every match of a broad filter.
            models.Index(fields=["title_en", "id"], name="credential_title_order"),
            models.Index(fields=["-created_at", "-id"], name="credential_newest_order"),
            # Browse counts: every column a browse's visibility and facets read, so its
            # exact count is an index-only scan of a tenth of the table's pages.
            models.Index(
                fields=["status"],
                include=[
                    "valid_from",
                    "valid_to",
                    "level",
                    "area_of_study",
                    "provider",
                    "mode_of_delivery",
                    "kind",
                    "credits",
                    "notional_hours",
                ],
                name="credential_facet_columns",
            ),
            # A DfE list's re-import reports the entries earlier lists put on the register
            # that it lacks: an index-only scan of those, not of the whole register.
            models.Index(
                fields=["registration_key"],
                include=["registration_number", "provider"],
                condition=Q(
                    external_register=OFQUAL, quality_marks__contains=[QualityMark.DFE_FUNDED]
                ),
                name="credential_dfe_listed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration_number} — {self.title_en}"

    def get_absolute_url(self) -> str:
        return reverse("api:credential-detail", kwargs={"pk": self.pk})


class CredentialStatusChange(models.Model):
    """One transition in a credential's status: who, when, why and from where."""

    credential = models.ForeignKey(
        Credential,
        on_delete=models.PROTECT,
        related_name="status_changes",
        verbose_name=_("credential"),
    )
    from_status = models.CharField(
        _("from"), max_length=16, choices=CredentialStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=CredentialStatus.choices)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True, editable=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    source = models.CharField(_("source"), max_length=20, choices=StatusSource.choices)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["credential", "changed_at"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_status=F("to_status")),
                name="%(app_label)s_%(class)s_is_a_change",
            ),
        ]

    def __str__(self) -> str:
        origin = self.from_status or "∅"
        return f"{self.credential.registration_number}: {origin} → {self.to_status}"
