"""External registers behind one interface; which adapter serves which register is a setting."""

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    ExternalStatus,
    RegisterAdapter,
    RegisterAnswer,
    RegisterRecord,
    SourceUnavailable,
)

__all__ = [
    "ExternalStatus",
    "RegisterAdapter",
    "RegisterAnswer",
    "RegisterRecord",
    "SourceUnavailable",
    "get_adapter",
    "register_config",
]


def register_config(source: str) -> dict[str, Any] | None:
    """The settings entry for a register, or None if it is unknown or has no URL set."""
    config = settings.STATUS_CHECK_REGISTERS.get(source)
    if not config or not (config.get("BASE_URL") or config.get("URL")):
        return None
    return config


def get_adapter(source: str, **options: Any) -> RegisterAdapter | None:
    """A fresh adapter for a configured register; the caller closes it (it is a context manager)."""
    config = register_config(source)
    if config is None:
        return None
    adapter_class = import_string(config["ADAPTER"])
    return adapter_class(source=source, config=config, **options)
