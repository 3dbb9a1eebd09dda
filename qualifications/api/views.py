from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from ..selectors import framework_list, level_list
from .filtersets import LevelFilterSet
from .serializers import FrameworkSerializer, LevelSerializer


class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Qualifications frameworks (HKQF, RQF, EQF) with their levels and level references."""

    queryset = framework_list()
    serializer_class = FrameworkSerializer
    lookup_field = "code"
    pagination_class = None
    permission_classes = [AllowAny]


class LevelViewSet(viewsets.ReadOnlyModelViewSet):
    """Framework levels; filter by framework code."""

    queryset = level_list()
    serializer_class = LevelSerializer
    filterset_class = LevelFilterSet
    permission_classes = [AllowAny]
