"""Provider workspace API: draft, edit, submit and move one's own providers' records."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config.types import AuthenticatedRequest
from credentials.access import credentials_for_workspace
from credentials.choices import CredentialStatus
from credentials.completeness import credential_completeness
from credentials.models import ChangeRequest, Credential, CredentialVersion
from credentials.services import (
    EDITABLE_FIELDS,
    credential_create,
    credential_transition,
    credential_update,
)
from providers.models import Provider
from providers.roles import is_registry_admin, provider_ids


class CompletenessSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    can_submit = serializers.BooleanField()
    missing_mandatory = serializers.ListField(child=serializers.CharField())
    missing_optional = serializers.ListField(child=serializers.CharField())

    def to_representation(self, report):
        return {
            "score": report.score,
            "can_submit": report.can_submit,
            "missing_mandatory": [str(element.label) for element in report.missing_mandatory],
            "missing_optional": [str(element.label) for element in report.missing_optional],
        }


class CredentialVersionSerializer(serializers.ModelSerializer):
    actor: serializers.StringRelatedField = serializers.StringRelatedField()

    class Meta:
        model = CredentialVersion
        fields = ["number", "created_at", "actor", "source", "reason", "changes"]


class ChangeRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChangeRequest
        fields = ["id", "changes", "reason", "state", "requested_at", "decided_at"]


class WorkspaceCredentialSerializer(serializers.ModelSerializer):
    """A record as its authors see it; writes go through the lifecycle services."""

    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all())
    completeness = serializers.SerializerMethodField()

    class Meta:
        model = Credential
        fields = ["id", *EDITABLE_FIELDS, "status", "status_changed_at", "completeness"]
        read_only_fields = ["status", "status_changed_at"]
        extra_kwargs = {"registration_number": {"required": False}}

    @extend_schema(responses=CompletenessSerializer)
    def get_completeness(self, credential: Credential) -> dict:
        return CompletenessSerializer(credential_completeness(credential=credential)).data

    def validate_provider(self, provider: Provider) -> Provider:
        user = self.context["request"].user
        if not is_registry_admin(user) and provider.pk not in provider_ids(user):
            raise serializers.ValidationError(_("You may only create records for your providers."))
        return provider

    # Constraint checks run in the services, against the record as it will be saved.
    def get_validators(self) -> list:
        return []


class TransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=CredentialStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class WorkspaceCredentialViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in user's providers' records in every state (staff: all records)."""

    # The permission classes refuse anonymous callers before any handler runs.
    request: AuthenticatedRequest
    serializer_class = WorkspaceCredentialSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["status", "provider"]

    def get_queryset(self):
        return credentials_for_workspace(self.request.user).order_by("-updated_at", "id")

    def perform_create(self, serializer):
        values = dict(serializer.validated_data)
        provider = values.pop("provider")
        serializer.instance = credential_create(
            actor=self.request.user, provider=provider, values=values
        )

    def perform_update(self, serializer):
        values = dict(serializer.validated_data)
        result = credential_update(
            actor=self.request.user, credential=serializer.instance, values=values
        )
        serializer.instance = result.credential

    @extend_schema(request=TransitionSerializer, responses=WorkspaceCredentialSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the record along its lifecycle: submit, withdraw, suspend, ..."""
        credential = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        credential_transition(actor=request.user, credential=credential, **body.validated_data)
        credential.refresh_from_db()
        return Response(self.get_serializer(credential).data, status=status.HTTP_200_OK)

    @extend_schema(responses=CredentialVersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        """Every saved version with who changed what."""
        credential = self.get_object()
        versions = credential.versions.select_related("actor").order_by("-number")
        return Response(CredentialVersionSerializer(versions, many=True).data)

    @extend_schema(responses=ChangeRequestSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="change-requests")
    def change_requests(self, request, pk=None):
        """Title or level changes awaiting, or having had, review."""
        credential = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(ChangeRequestSerializer(credential.change_requests.all(), many=True).data)
