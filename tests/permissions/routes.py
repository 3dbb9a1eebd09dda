"""Every URL route the project serves, found by walking the resolver, and the methods it takes."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

WRITE_METHODS = ("post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    name: str | None
    pattern: str
    callback: object

    @property
    def is_admin(self) -> bool:
        return self.pattern.startswith("admin/")

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    def api_methods(self) -> tuple[str, ...]:
        """The HTTP methods a DRF view answers: a viewset's mapped actions, or an APIView's
        handlers (OPTIONS and HEAD ride along with GET and are not listed)."""
        actions = getattr(self.callback, "actions", None)
        if actions is not None:
            return tuple(method for method in ("get", *WRITE_METHODS) if method in actions)
        view_class = getattr(self.callback, "view_class", None) or getattr(
            self.callback, "cls", None
        )
        if view_class is None:
            return ("get",)
        return tuple(method for method in ("get", *WRITE_METHODS) if hasattr(view_class, method))


def _walk(patterns, prefix: str, namespace: str | None) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield Route(name=name, pattern=prefix + str(entry.pattern), callback=entry.callback)


def all_routes() -> list[Route]:
    """Every route, the DRF router's format-suffix twins and the i18n pages included."""
    return list(_walk(get_resolver().url_patterns, "", None))


def named_routes() -> dict[str, Route]:
    """Routes outside the admin by name; a format-suffix twin shares its route's name and view."""
    found: dict[str, Route] = {}
    for route in all_routes():
        if not route.is_admin and route.name:
            found.setdefault(route.name, route)
    return found
