from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = _("Registry statements")

    def ready(self) -> None:
        # The deploy check that production has a signing key.
        from . import checks  # noqa: F401
