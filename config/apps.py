from django.apps import AppConfig


class RegistryConfig(AppConfig):
    """The project itself as an app, for commands that belong to no single app (``migrate``)."""

    name = "config"
    verbose_name = "Credential Registry"
