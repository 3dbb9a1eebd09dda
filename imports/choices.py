"""Choices of bulk imports: the file formats read, and how far a job got."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportFormat(models.TextChoices):
    OFQUAL = "ofqual", _("Ofqual register full export")
    DFE = "dfe", _("DfE approved qualifications list")
    HKQR = "hkqr", _("HKQR-style CSV")
    REGISTRY_CSV = "registry-csv", _("Registry CSV (this register's own export)")


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")
