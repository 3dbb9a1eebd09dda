from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .health import healthz

handler500 = "config.unavailable.server_error_or_unavailable"

SWAGGER_UI_CDN = "https://cdn.jsdelivr.net"
SWAGGER_UI_POLICY = {
    "script-src": [SELF, UNSAFE_INLINE, SWAGGER_UI_CDN],
    "style-src": [SELF, UNSAFE_INLINE, SWAGGER_UI_CDN],
    "img-src": [SELF, "data:", SWAGGER_UI_CDN],
}

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(("config.api_urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        # Swagger UI writes inline scripts and styles and may load its assets from a CDN:
        # this page alone gets a looser policy.
        csp_replace(SWAGGER_UI_POLICY)(SpectacularSwaggerView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path("i18n/setlang/", set_language, name="set_language"),
]

# English pages keep unprefixed URLs; Traditional Chinese ones live under /zh-hant/, so a
# shared link opens in the language it was copied in.
urlpatterns += i18n_patterns(
    path("", include("credentials.urls")),
    path("workspace/", include("credentials.workspace.urls")),
    path("reviews/", include("qa_reviews.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include("accounts.urls")),
    prefix_default_language=False,
)
