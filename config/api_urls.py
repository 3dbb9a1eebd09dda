from django.urls import path
from rest_framework.routers import DefaultRouter

from credentials.api.sweeps import StatusSweepViewSet
from credentials.api.views import CredentialVerifyView, CredentialViewSet
from credentials.api.workspace import WorkspaceCredentialViewSet
from providers.api.tokens import ApiTokenViewSet
from providers.api.views import ProviderViewSet
from qualifications.api.views import FrameworkViewSet, LevelViewSet

router = DefaultRouter()
router.register("providers", ProviderViewSet, basename="provider")
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("levels", LevelViewSet, basename="level")
router.register("credentials", CredentialViewSet, basename="credential")
router.register("status-sweeps", StatusSweepViewSet, basename="status-sweep")
router.register(
    "workspace/credentials", WorkspaceCredentialViewSet, basename="workspace-credential"
)
router.register("tokens", ApiTokenViewSet, basename="api-token")

urlpatterns = [
    *router.urls,
    # Registration numbers carry slashes (603/2476/0, 24/000123/L4), hence `path:`.
    path("verify/<path:registration_number>/", CredentialVerifyView.as_view(), name="verify"),
]
