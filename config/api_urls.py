from django.urls import path, re_path
from rest_framework.permissions import AllowAny
from rest_framework.routers import APIRootView, DefaultRouter

from changes.api import ChangeFeedView
from changes.webhooks.api import WebhookSubscriptionViewSet
from credentials.api.exports import (
    CredentialCtdlView,
    CredentialOpenBadgesView,
    DailyExportFileView,
    DailyExportView,
    RegisterExportView,
)
from credentials.api.views import CredentialVerifyView, CredentialViewSet
from imports.api import ImportJobViewSet
from providers.api.tokens import ApiTokenViewSet
from providers.api.views import ProviderViewSet
from qa_reviews.api.views import ConditionViewSet, ReviewStandardSetViewSet, ReviewViewSet
from qualifications.api.views import FrameworkViewSet, LevelViewSet
from statements.api import CredentialStatementView, StatementVerifyView, StatusListView
from status_checks.api import StatusSweepViewSet
from workspace.api import WorkspaceCredentialViewSet


class PublicAPIRootView(APIRootView):
    """The list of endpoints is public, like the register it leads to."""

    permission_classes = [AllowAny]


router = DefaultRouter()
router.APIRootView = PublicAPIRootView
router.register("providers", ProviderViewSet, basename="provider")
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("levels", LevelViewSet, basename="level")
router.register("credentials", CredentialViewSet, basename="credential")
router.register("status-sweeps", StatusSweepViewSet, basename="status-sweep")
router.register(
    "workspace/credentials", WorkspaceCredentialViewSet, basename="workspace-credential"
)
router.register("tokens", ApiTokenViewSet, basename="api-token")
router.register("imports", ImportJobViewSet, basename="import-job")
router.register("reviews", ReviewViewSet, basename="review")
router.register("review-conditions", ConditionViewSet, basename="review-condition")
router.register("review-standard-sets", ReviewStandardSetViewSet, basename="review-standard-set")
router.register("webhooks", WebhookSubscriptionViewSet, basename="webhook")

urlpatterns = [
    *router.urls,
    # Registration numbers carry slashes (603/2476/0, 24/000123/L4), hence `path:`.
    path("verify/<path:registration_number>/", CredentialVerifyView.as_view(), name="verify"),
    path("changes/", ChangeFeedView.as_view(), name="changes"),
]

# Interoperable exports (credentials.interop): JSON-LD per credential, the register as CSV.
urlpatterns += [
    path(
        "credentials/<int:pk>/openbadges/",
        CredentialOpenBadgesView.as_view(),
        name="credential-openbadges",
    ),
    path("credentials/<int:pk>/ctdl/", CredentialCtdlView.as_view(), name="credential-ctdl"),
    path("exports/register.csv", RegisterExportView.as_view(), name="export-register"),
    path("exports/daily/", DailyExportView.as_view(), name="export-daily"),
    re_path(
        r"^exports/daily/register\.(?P<extension>csv|json)$",
        DailyExportFileView.as_view(),
        name="export-daily-file",
    ),
]

# Registry statements (statements): a record's signed VC-JWT, the status lists, checking one.
urlpatterns += [
    path(
        "credentials/<int:pk>/statement.jwt",
        CredentialStatementView.as_view(),
        name="credential-statement",
    ),
    path("status-lists/<str:purpose>/<int:number>", StatusListView.as_view(), name="status-list"),
    path("statements/verify/", StatementVerifyView.as_view(), name="statement-verify"),
]
