from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from statements.views import did_json

from .health import healthz
from .observability.views import metrics

handler500 = "config.unavailable.server_error_or_unavailable"

# The API docs pages (Swagger UI, Redoc) run their own inline bootstrap script and styles,
# from this site's static files (drf-spectacular-sidecar); Redoc also starts a blob: worker.
SWAGGER_UI_POLICY = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "worker-src": [SELF, "blob:"],
}

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # The registry's did:web document, where did:web resolution looks for it.
    path(".well-known/did.json", did_json, name="did-document"),
    path("api/v1/", include(("config.api_urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        # Swagger UI writes inline scripts and styles: this page alone gets a looser policy.
        csp_replace(SWAGGER_UI_POLICY)(SpectacularSwaggerView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        csp_replace(SWAGGER_UI_POLICY)(
            SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html")
        ),
        name="api-redoc",
    ),
    path("metrics", metrics, name="metrics"),
    path("i18n/setlang/", set_language, name="set_language"),
]

# English pages keep unprefixed URLs; Traditional Chinese ones live under /zh-hant/, so a
# shared link opens in the language it was copied in.
urlpatterns += i18n_patterns(
    path("", include("credentials.urls")),
    path("", include("statements.urls")),
    path("", include("changes.urls")),
    path("follow/", include("follows.urls")),
    path("workspace/", include("workspace.urls")),
    path("reviews/", include("qa_reviews.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include("accounts.urls")),
    prefix_default_language=False,
)
