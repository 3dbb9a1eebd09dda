from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import CheckOutcome, CredentialStatus


class StatusCheck(models.Model):
    """One run of the accreditation-status check for one credential."""

    credential = models.ForeignKey(
        "credentials.Credential",
        on_delete=models.CASCADE,
        related_name="status_checks",
        verbose_name=_("credential"),
    )
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True, editable=False)
    source = models.CharField(
        _("source"), max_length=64, help_text=_("local rules, or the external register asked.")
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=CheckOutcome.choices)
    previous_status = models.CharField(
        _("previous status"), max_length=16, choices=CredentialStatus.choices
    )
    new_status = models.CharField(_("new status"), max_length=16, choices=CredentialStatus.choices)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = _("status check")
        verbose_name_plural = _("status checks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=CheckOutcome.values),
                name="%(app_label)s_%(class)s_outcome_valid",
            ),
        ]
        indexes = [models.Index(fields=["credential", "-checked_at"], name="statuscheck_recent")]

    def __str__(self) -> str:
        return (
            f"{self.credential.registration_number} @ {self.checked_at:%Y-%m-%d %H:%M}: "
            f"{self.get_outcome_display()}"
        )
