from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from config.db import TimeStampedModel

from ..choices import AccreditationStatus, StatusSource


class AccreditationRecord(TimeStampedModel):
    """Who accredited or regulates a credential, for what period, and how that is known."""

    credential = models.ForeignKey(
        "credentials.Credential",
        on_delete=models.PROTECT,
        related_name="accreditations",
        verbose_name=_("credential"),
    )
    accreditor = models.CharField(
        _("accreditor"),
        max_length=200,
        help_text=_("e.g. HKCAAVQ, Ofqual, Skills England, or the self-accrediting provider."),
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AccreditationStatus.choices,
        default=AccreditationStatus.CURRENT,
    )
    source = models.CharField(
        _("status source"), max_length=20, choices=StatusSource.choices, default=StatusSource.MANUAL
    )
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)

    class Meta:
        ordering = ["credential", "-valid_from"]
        verbose_name = _("accreditation record")
        verbose_name_plural = _("accreditation records")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="%(app_label)s_%(class)s_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AccreditationStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(accreditor=""), name="%(app_label)s_%(class)s_accreditor_not_empty"
            ),
        ]

    def __str__(self) -> str:
        period = f"{self.valid_from or '…'}–{self.valid_to or '…'}"
        return f"{self.accreditor} ({self.get_status_display()}, {period})"
