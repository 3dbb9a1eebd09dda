from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from config.db import TimeStampedModel


def _credits(value: Decimal | int) -> str:
    return format(Decimal(value).normalize(), "f")


class Pathway(TimeStampedModel):
    """A larger award that smaller credentials stack into."""

    award = models.ForeignKey(
        "credentials.Credential",
        on_delete=models.PROTECT,
        related_name="pathways_as_award",
        verbose_name=_("award"),
    )
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_zh = models.CharField(_("name (Chinese)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    credits_required = models.DecimalField(
        _("credits required"),
        max_digits=6,
        decimal_places=1,
        help_text=_("Credits from components needed for the award."),
    )
    components: models.ManyToManyField = models.ManyToManyField(
        "credentials.Credential",
        through="PathwayComponent",
        related_name="pathways",
        verbose_name=_("components"),
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("stacking pathway")
        verbose_name_plural = _("stacking pathways")
        constraints = [
            models.CheckConstraint(
                condition=Q(credits_required__gte=0),
                name="%(app_label)s_%(class)s_credits_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en


class PathwayComponent(models.Model):
    """A credential that counts toward a pathway's award, and how many credits it brings."""

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("pathway")
    )
    credential = models.ForeignKey(
        "credentials.Credential",
        on_delete=models.PROTECT,
        related_name="pathway_memberships",
        verbose_name=_("credential"),
    )
    credits_counted = models.DecimalField(_("credits counted"), max_digits=6, decimal_places=1)
    is_required = models.BooleanField(_("required"), default=False)

    class Meta:
        ordering = ["pathway", "credential__title_en"]
        verbose_name = _("pathway component")
        verbose_name_plural = _("pathway components")
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "credential"], name="%(app_label)s_%(class)s_unique_component"
            ),
            models.CheckConstraint(
                condition=Q(credits_counted__gte=0),
                name="%(app_label)s_%(class)s_credits_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.credential} → {self.pathway} ({self.credits_counted} credits)"

    def clean(self) -> None:
        # Here rather than only in the service, so the admin's inline form refuses it too.
        if self.pathway_id and self.credential_id == self.pathway.award_id:
            raise ValidationError({"credential": _("An award cannot stack into itself.")})
        if self.credits_counted is None or not (self.pathway_id and self.credential_id):
            return
        carried = self.credential.credits
        named = {"credential": self.credential.registration_number or self.credential.title_en}
        if carried is None and self.credits_counted > 0:
            raise ValidationError(
                {
                    "credits_counted": _(
                        "%(credential)s carries no credits on the register, so it cannot count "
                        "credits toward an award."
                    )
                    % named
                }
            )
        if carried is not None and self.credits_counted > carried:
            raise ValidationError(
                {
                    "credits_counted": _("%(credential)s carries only %(credits)s credits.")
                    % {**named, "credits": _credits(carried)}
                }
            )
        if self.credits_counted > self.pathway.credits_required:
            raise ValidationError(
                {
                    "credits_counted": _(
                        "The award needs only %(required)s credits; a component cannot count "
                        "more toward it."
                    )
                    % {"required": _credits(self.pathway.credits_required)}
                }
            )


class RecognitionAgreement(TimeStampedModel):
    """Credit transfer: credits one provider recognises for another provider's credential."""

    recognising_provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        related_name="recognition_agreements",
        verbose_name=_("recognising provider"),
    )
    credential = models.ForeignKey(
        "credentials.Credential",
        on_delete=models.PROTECT,
        related_name="recognitions",
        verbose_name=_("recognised credential"),
    )
    target_credential = models.ForeignKey(
        "credentials.Credential",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recognised_into",
        verbose_name=_("counts toward"),
    )
    credits_recognised = models.DecimalField(
        _("credits recognised"), max_digits=6, decimal_places=1
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["recognising_provider__name_en", "-valid_from"]
        verbose_name = _("recognition agreement")
        verbose_name_plural = _("recognition agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(credits_recognised__gte=0),
                name="%(app_label)s_%(class)s_credits_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="%(app_label)s_%(class)s_validity_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(credential=F("target_credential")),
                name="%(app_label)s_%(class)s_not_into_itself",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.recognising_provider.name_en} recognises {self.credits_recognised} credits "
            f"of {self.credential.registration_number}"
        )
