from rest_framework.routers import DefaultRouter

from credentials.api.views import CredentialViewSet
from providers.api.views import ProviderViewSet
from qualifications.api.views import FrameworkViewSet, LevelViewSet

router = DefaultRouter()
router.register("providers", ProviderViewSet, basename="provider")
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("levels", LevelViewSet, basename="level")
router.register("credentials", CredentialViewSet, basename="credential")

urlpatterns = router.urls
