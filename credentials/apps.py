from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = _("Register")

    def ready(self) -> None:
        # Signal handlers: cached search counts go stale when the register changes (search),
        # and beat starting catches up a missed daily export (beat; only beat sends it).
        from . import beat  # noqa: F401
        from .search import signals  # noqa: F401
