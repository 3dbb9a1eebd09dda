from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceBasis(models.TextChoices):
    OFFICIAL = "official", _("Official referencing report")
    INDICATIVE = "indicative", _("Indicative comparison")


class AreaScheme(models.TextChoices):
    HK_AREA = "hk_area", _("HK area of study and training")
    UK_SSA = "uk_ssa", _("UK sector subject area")
    HK_PROGRAMME = "hk_programme", _("HK programme study area")
