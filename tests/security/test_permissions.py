"""The API fails closed: every endpoint needs a sign-in unless it declares itself public."""

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PUBLIC = {
    "api:api-root",
    "api:provider-list",
    "api:provider-detail",
    "api:framework-list",
    "api:framework-detail",
    "api:level-list",
    "api:level-detail",
    "api:credential-list",
    "api:credential-detail",
    "api:verify",
    "api:credential-openbadges",
    "api:credential-ctdl",
    "api:export-register",
    "api:export-daily",
    "api:export-daily-file",
    "api:credential-statement",
    "api:status-list",
    "api:statement-verify",
    "api:changes",
}


def _api_views():
    resolver = get_resolver()
    (api,) = [p for p in resolver.url_patterns if getattr(p, "namespace", None) == "api"]

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"api:{pattern.name}", pattern.callback

    return dict(walk(api.url_patterns))


def test_the_default_permission_is_is_authenticated():
    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == [
        "rest_framework.permissions.IsAuthenticated"
    ]


def test_exactly_the_public_endpoints_declare_allow_any():
    views = _api_views()
    allowing = {
        name for name, callback in views.items() if AllowAny in callback.cls.permission_classes
    }
    assert allowing == PUBLIC


def test_an_anonymous_request_to_a_private_endpoint_is_refused():
    response = APIClient().get("/api/v1/tokens/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}
