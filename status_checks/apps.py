from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatusChecksConfig(AppConfig):
    name = "status_checks"
    verbose_name = _("Status checks")
