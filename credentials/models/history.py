from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import ChangeRequestState, StatusSource


class CredentialVersion(models.Model):
    """One saved state of a credential: who changed what, field by field."""

    credential = models.ForeignKey(
        "credentials.Credential",
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("credential"),
    )
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    source = models.CharField(_("source"), max_length=20, choices=StatusSource.choices)
    reason = models.TextField(_("reason"), blank=True)
    snapshot = models.JSONField(
        _("snapshot"),
        encoder=DjangoJSONEncoder,
        help_text=_("Every editable field after the save."),
    )
    changes = models.JSONField(
        _("changes"),
        encoder=DjangoJSONEncoder,
        default=dict,
        help_text=_("Field name → [before, after]."),
    )

    class Meta:
        ordering = ["credential", "-number"]
        verbose_name = _("credential version")
        verbose_name_plural = _("credential versions")
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "number"], name="%(app_label)s_%(class)s_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="%(app_label)s_%(class)s_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.credential.registration_number} v{self.number}"


class ChangeRequest(models.Model):
    """A change to a registered record, or to a fact the registry owns, awaiting approval."""

    credential = models.ForeignKey(
        "credentials.Credential",
        on_delete=models.PROTECT,
        related_name="change_requests",
        verbose_name=_("credential"),
    )
    changes = models.JSONField(
        _("proposed changes"),
        encoder=DjangoJSONEncoder,
        help_text=_("Field name → [before, after]."),
    )
    reason = models.TextField(_("reason"), blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ChangeRequestState.choices,
        default=ChangeRequestState.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ChangeRequestState.values),
                name="%(app_label)s_%(class)s_state_valid",
            ),
            # Two pending requests for one record would race; the second must wait.
            models.UniqueConstraint(
                fields=["credential"],
                condition=Q(state=ChangeRequestState.PENDING),
                name="%(app_label)s_%(class)s_one_pending",
                violation_error_message=_("This record already has a change awaiting review."),
            ),
            models.CheckConstraint(
                condition=Q(state=ChangeRequestState.PENDING)
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="%(app_label)s_%(class)s_decided_has_decider",
            ),
        ]

    def __str__(self) -> str:
        fields = ", ".join(sorted(self.changes))
        return f"{self.credential.registration_number}: {fields} ({self.get_state_display()})"
