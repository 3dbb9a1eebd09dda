"""A status sweep (one run over a scope) and the status checks it records."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.sent_marks import sent_marks_claim
from credentials.choices import CredentialStatus

from .choices import CheckOutcome, SweepScope, SweepState


class StatusSweep(models.Model):
    """One run of the status check over a scope: the register, a provider or a credential."""

    scope = models.CharField(_("scope"), max_length=16, choices=SweepScope.choices)
    provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_sweeps",
        verbose_name=_("provider"),
    )
    credential = models.ForeignKey(
        "credentials.Credential",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_sweeps",
        verbose_name=_("credential"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=SweepState.choices, default=SweepState.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("Blank for the scheduled daily sweep."),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    total = models.PositiveIntegerField(_("credentials to check"), default=0)
    checked = models.PositiveIntegerField(_("credentials checked"), default=0)
    changes = models.PositiveIntegerField(_("changes found"), default=0)
    progressed_at = models.DateTimeField(
        _("last progress at"),
        null=True,
        blank=True,
        help_text=_("When the sweep was planned or a chunk of it last committed."),
    )
    requeues = models.PositiveSmallIntegerField(
        _("re-queues"),
        default=0,
        help_text=_("How often the reaper re-queued the sweep's unfinished work after a stall."),
    )
    failure_reason = models.TextField(_("failure reason"), blank=True)

    class Meta:
        # Tables and constraint names kept from when these models lived in `credentials`.
        db_table = "credentials_statussweep"
        ordering = ["-requested_at"]
        verbose_name = _("status sweep")
        verbose_name_plural = _("status sweeps")
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope=SweepScope.REGISTER) & Q(provider__isnull=True))
                | (Q(scope=SweepScope.PROVIDER) & Q(provider__isnull=False))
                | (Q(scope=SweepScope.CREDENTIAL) & Q(credential__isnull=False)),
                name="credentials_statussweep_scope_matches_target",
            ),
            models.CheckConstraint(
                condition=Q(checked__lte=F("total")),
                name="credentials_statussweep_checked_within_total",
            ),
            models.CheckConstraint(
                condition=Q(state__in=SweepState.values),
                name="credentials_statussweep_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} sweep #{self.pk}: {self.checked}/{self.total}"


class StatusCheck(models.Model):
    """One run of the accreditation-status check for one credential."""

    # No index of their own: `statuscheck_recent` leads with the credential and
    # `credentials_statuscheck_once_per_sweep` with the sweep, and a sweep writes a row per
    # credential, so every index more is a million more entries to write a day.
    credential = models.ForeignKey(
        "credentials.Credential",
        on_delete=models.PROTECT,
        related_name="status_checks",
        verbose_name=_("credential"),
        db_index=False,
    )
    sweep = models.ForeignKey(
        StatusSweep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checks",
        verbose_name=_("sweep"),
        db_index=False,
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
        db_table = "credentials_statuscheck"
        ordering = ["-checked_at"]
        verbose_name = _("status check")
        verbose_name_plural = _("status checks")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=CheckOutcome.values),
                name="credentials_statuscheck_outcome_valid",
            ),
            # A redelivered task must not record the same credential twice in one sweep.
            models.UniqueConstraint(
                fields=["sweep", "credential", "source"],
                condition=Q(sweep__isnull=False),
                name="credentials_statuscheck_once_per_sweep",
            ),
        ]
        indexes = [models.Index(fields=["credential", "-checked_at"], name="statuscheck_recent")]

    def __str__(self) -> str:
        return (
            f"{self.credential.registration_number} @ {self.checked_at:%Y-%m-%d %H:%M}: "
            f"{self.get_outcome_display()}"
        )


class StatusSweepChunk(models.Model):
    """One chunk of a sweep's planned work, so PostgreSQL (not the broker) knows what is left.

    The chunk task's message only carries the ids; if the broker loses it, the reaper finds the
    chunk unfinished here and queues it again.
    """

    sweep = models.ForeignKey(
        StatusSweep, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("sweep")
    )
    number = models.PositiveIntegerField(_("number"))
    # Sorted, as the chunk task sorts them.
    credential_ids = ArrayField(models.BigIntegerField(), verbose_name=_("credential ids"))
    # The ends of the sorted ids: a committing chunk finds its row without reading the arrays.
    first_id = models.BigIntegerField(_("first credential id"))
    last_id = models.BigIntegerField(_("last credential id"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["sweep", "number"]
        verbose_name = _("status sweep chunk")
        verbose_name_plural = _("status sweep chunks")
        constraints = [
            models.UniqueConstraint(fields=["sweep", "number"], name="statussweepchunk_once"),
            models.CheckConstraint(
                condition=Q(first_id__lte=F("last_id")), name="statussweepchunk_ids_ordered"
            ),
        ]
        indexes = [
            models.Index(
                fields=["sweep", "first_id"],
                condition=Q(finished_at__isnull=True),
                name="statussweepchunk_unfinished",
            )
        ]

    def __str__(self) -> str:
        return f"Sweep #{self.sweep_id} chunk {self.number}"


class AlertSentManager(models.Manager["AlertSent"]):
    def claim(self, check_ids: Iterable[int]) -> set[int]:
        """Mark the alerts sent (in the transaction that sends); return the ids new here."""
        return sent_marks_claim(self.model, about="status_check", ids=check_ids)


class AlertSent(models.Model):
    """A status check whose alert e-mail went out, so a redelivered task never resends it.

    In PostgreSQL rather than Redis: a flushed or restarted Redis must not make a retried
    alert task mail a provider twice.
    """

    status_check = models.OneToOneField(
        StatusCheck,
        on_delete=models.PROTECT,
        related_name="alert_sent",
        verbose_name=_("status check"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, editable=False)

    objects = AlertSentManager()

    class Meta:
        verbose_name = _("sent alert")
        verbose_name_plural = _("sent alerts")

    def __str__(self) -> str:
        return f"{self.status_check_id} ({self.sent_at:%Y-%m-%d %H:%M})"
