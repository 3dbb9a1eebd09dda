"""An import job: one uploaded register file and what importing it did."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from config.db import TimeStampedModel

from .choices import ImportFormat, ImportState


class ImportJob(TimeStampedModel):
    """One uploaded register file and what importing it did, row by row.

    The file's bytes are kept in the database rather than in media storage, so a worker on
    another host can read them without a shared filesystem.
    """

    format = models.CharField(_("format"), max_length=16, choices=ImportFormat.choices)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content = models.BinaryField(_("file content"), editable=False)
    provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_jobs",
        verbose_name=_("provider"),
        help_text=_("Every row goes to this provider; blank to take it from the file."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("Blank for an import run from the command line."),
    )
    dry_run = models.BooleanField(
        _("dry run"), default=False, help_text=_("Check and count, then write nothing.")
    )
    skip_bad_rows = models.BooleanField(
        _("skip bad rows"),
        default=False,
        help_text=_("Import the good rows even when others have errors."),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ImportState.choices, default=ImportState.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped (bad rows)"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    report = models.JSONField(
        _("report"),
        default=dict,
        blank=True,
        help_text=_(
            "Problems as {row, column, message, severity}, and rows missing from the file."
        ),
    )
    attempts = models.PositiveSmallIntegerField(
        _("attempts"),
        default=0,
        help_text=_("Runs started; a run lost to a fault is started again up to a limit."),
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        # Table and constraint names kept from when this model lived in `credentials`.
        db_table = "credentials_importjob"
        ordering = ["-created_at"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=ImportFormat.values),
                name="credentials_importjob_format_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=ImportState.values),
                name="credentials_importjob_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(rows_done__lte=F("rows_total")),
                name="credentials_importjob_done_within_total",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "-created_at"], name="importjob_provider_recent")
        ]

    def __str__(self) -> str:
        name = self.filename or self.get_format_display()
        return f"Import #{self.pk} {name}: {self.get_state_display()}"

    @property
    def wrote_nothing(self) -> bool:
        """True when the file's rows were not applied: a dry run, or errors without skipping."""
        return self.dry_run or self.state == ImportState.FAILED
