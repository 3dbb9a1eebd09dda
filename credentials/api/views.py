from rest_framework import viewsets

from ..selectors import credential_public_detail, credential_public_list
from .filtersets import CredentialFilterSet
from .serializers import CredentialDetailSerializer, CredentialListSerializer


class CredentialViewSet(viewsets.ReadOnlyModelViewSet):
    """The public register: registered credentials and archived ones kept for verification."""

    filterset_class = CredentialFilterSet
    ordering = ["title_en", "id"]

    def get_queryset(self):
        if self.action == "retrieve":
            return credential_public_detail()
        return credential_public_list().order_by("title_en", "id")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CredentialDetailSerializer
        return CredentialListSerializer
