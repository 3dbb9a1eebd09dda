from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from config.db import TimeStampedModel

from .choices import AreaScheme, ReferenceBasis


class Framework(TimeStampedModel):
    """A qualifications framework such as HKQF, RQF or EQF."""

    code = models.SlugField(_("code"), max_length=16, unique=True, allow_unicode=False)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=8, help_text=_("Where it applies, e.g. HK, UK, EU.")
    )
    hours_per_credit = models.PositiveSmallIntegerField(
        _("notional hours per credit"),
        null=True,
        blank=True,
        help_text=_("Blank where the framework itself defines no credit."),
    )
    credit_name = models.CharField(_("credit name"), max_length=60, blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_credit__isnull=True) | Q(hours_per_credit__gt=0),
                name="%(app_label)s_%(class)s_hours_per_credit_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Level(TimeStampedModel):
    """One level of a framework, e.g. HKQF 4 or RQF Entry 3."""

    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="levels", verbose_name=_("framework")
    )
    code = models.CharField(_("code"), max_length=8, help_text=_('As published: "4", "E3".'))
    ordinal = models.PositiveSmallIntegerField(
        _("ordinal"), help_text=_("Position within the framework, lowest first.")
    )
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    typical_awards = models.JSONField(_("typical awards"), default=list, blank=True)

    class Meta:
        ordering = ["framework__code", "ordinal"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="%(app_label)s_%(class)s_unique_code"
            ),
            models.UniqueConstraint(
                fields=["framework", "ordinal"], name="%(app_label)s_%(class)s_unique_ordinal"
            ),
            models.CheckConstraint(
                condition=~Q(code=""), name="%(app_label)s_%(class)s_code_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework.code} {self.name_en}"


class LevelReference(TimeStampedModel):
    """A published correspondence between levels of two frameworks, with its basis."""

    from_level = models.ForeignKey(
        Level,
        on_delete=models.CASCADE,
        related_name="references_out",
        verbose_name=_("from level"),
    )
    to_level = models.ForeignKey(
        Level,
        on_delete=models.CASCADE,
        related_name="references_in",
        verbose_name=_("to level"),
    )
    basis = models.CharField(_("basis"), max_length=16, choices=ReferenceBasis.choices)
    source = models.CharField(_("source"), max_length=300)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["from_level__framework__code", "from_level__ordinal"]
        verbose_name = _("level reference")
        verbose_name_plural = _("level references")
        constraints = [
            models.UniqueConstraint(
                fields=["from_level", "to_level"], name="%(app_label)s_%(class)s_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(from_level=F("to_level")),
                name="%(app_label)s_%(class)s_not_self",
            ),
            models.CheckConstraint(
                condition=Q(basis__in=ReferenceBasis.values),
                name="%(app_label)s_%(class)s_basis_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_level} → {self.to_level} ({self.get_basis_display()})"


class CreditConvention(TimeStampedModel):
    """How a credit system converts to notional learning hours (a range where it varies)."""

    system = models.SlugField(_("credit system"), max_length=16, unique=True)
    hours_per_credit_min = models.PositiveSmallIntegerField(_("hours per credit (from)"))
    hours_per_credit_max = models.PositiveSmallIntegerField(_("hours per credit (to)"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["system"]
        verbose_name = _("credit convention")
        verbose_name_plural = _("credit conventions")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_credit_min__gt=0)
                & Q(hours_per_credit_max__gte=F("hours_per_credit_min")),
                name="%(app_label)s_%(class)s_hours_range_valid",
            ),
        ]

    def __str__(self) -> str:
        if self.hours_per_credit_min == self.hours_per_credit_max:
            return f"{self.system}: {self.hours_per_credit_min} h/credit"
        return f"{self.system}: {self.hours_per_credit_min}-{self.hours_per_credit_max} h/credit"


class AreaOfStudy(TimeStampedModel):
    """A subject area in one classification scheme, possibly under a broader area."""

    scheme = models.CharField(_("scheme"), max_length=16, choices=AreaScheme.choices)
    code = models.CharField(_("code"), max_length=32)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("broader area"),
    )

    class Meta:
        ordering = ["scheme", "name_en"]
        verbose_name = _("area of study")
        verbose_name_plural = _("areas of study")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"], name="%(app_label)s_%(class)s_unique_code"
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="%(app_label)s_%(class)s_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        if self.name_zh:
            return f"{self.name_en} / {self.name_zh}"
        return self.name_en
