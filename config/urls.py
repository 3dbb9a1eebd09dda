from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .health import healthz
from .observability.views import metrics

handler500 = "config.unavailable.server_error_or_unavailable"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(("config.api_urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html"),
        name="api-redoc",
    ),
    path("metrics", metrics, name="metrics"),
    path("i18n/setlang/", set_language, name="set_language"),
]

# English pages keep unprefixed URLs; Traditional Chinese ones live under /zh-hant/, so a
# shared link opens in the language it was copied in.
urlpatterns += i18n_patterns(
    path("", include("credentials.urls")),
    path("workspace/", include("workspace.urls")),
    path("reviews/", include("qa_reviews.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    prefix_default_language=False,
)
