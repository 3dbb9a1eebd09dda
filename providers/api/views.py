from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from ..models import Provider
from .filtersets import ProviderFilterSet
from .serializers import ProviderSerializer


class ProviderViewSet(viewsets.ReadOnlyModelViewSet):
    """Institutions that offer or award credentials on the register."""

    queryset = Provider.objects.order_by("name_en")
    serializer_class = ProviderSerializer
    filterset_class = ProviderFilterSet
    permission_classes = [AllowAny]
