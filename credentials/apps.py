from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = _("Register")

    def ready(self) -> None:
        # Cached search counts go stale when the register changes.
        from .search import signals  # noqa: F401
