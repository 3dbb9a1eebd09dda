"""Status sweeps over the API: registry administrators start one and watch its progress."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.types import AuthenticatedRequest
from credentials.models import Credential
from credentials.selectors import credential_by_number
from providers.models import Provider

from .choices import CheckOutcome
from .models import StatusCheck, StatusSweep
from .services import status_sweep_start


class StatusSweepSerializer(serializers.ModelSerializer):
    """A sweep and its progress; on create, what to sweep."""

    provider = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Provider.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Provider slug, for scope=provider."),
    )
    credential = serializers.CharField(
        source="credential.registration_number",
        required=False,
        allow_null=True,
        help_text=_("Registration number, for scope=credential."),
    )
    requested_by: serializers.StringRelatedField = serializers.StringRelatedField()
    progress = serializers.SerializerMethodField(help_text=_("Share checked, 0 to 1."))

    class Meta:
        model = StatusSweep
        fields = [
            "id",
            "scope",
            "provider",
            "credential",
            "state",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
            "total",
            "checked",
            "changes",
            "progress",
            "progressed_at",
            "requeues",
            "failure_reason",
        ]
        read_only_fields = [
            "state",
            "requested_at",
            "started_at",
            "finished_at",
            "total",
            "checked",
            "changes",
            "progressed_at",
            "requeues",
            "failure_reason",
        ]

    def get_progress(self, sweep: StatusSweep) -> float:
        return round(sweep.checked / sweep.total, 4) if sweep.total else 0.0

    def validate_credential(self, value: str | None) -> Credential | None:
        if not value:
            return None
        credential = credential_by_number(value)
        if credential is None:
            raise serializers.ValidationError(_("No credential has this registration number."))
        return credential

    def validate(self, attrs: dict) -> dict:
        """The service checks the scope against what it names (see ``status_sweep_start``)."""
        return {
            "scope": attrs["scope"],
            "provider": attrs.get("provider"),
            "credential": attrs.get("credential", {}).get("registration_number"),
        }


class StatusCheckSerializer(serializers.ModelSerializer):
    """One recorded check within a sweep."""

    registration_number = serializers.CharField(source="credential.registration_number")

    class Meta:
        model = StatusCheck
        fields = [
            "id",
            "registration_number",
            "checked_at",
            "source",
            "outcome",
            "previous_status",
            "new_status",
            "detail",
        ]


class StatusSweepViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Start a status sweep (whole register, one provider, one credential) and follow it."""

    # The permission classes refuse anonymous callers before any handler runs.
    request: AuthenticatedRequest
    queryset = StatusSweep.objects.select_related("provider", "credential", "requested_by")
    serializer_class = StatusSweepSerializer
    permission_classes = [permissions.IsAdminUser]
    filterset_fields = ["state", "scope"]

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = status_sweep_start(
            actor=self.request.user, **serializer.validated_data
        )

    @extend_schema(
        parameters=[OpenApiParameter("outcome", enum=CheckOutcome.values, required=False)],
        responses=StatusCheckSerializer(many=True),
    )
    @action(detail=True, serializer_class=StatusCheckSerializer, filter_backends=[])
    def checks(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """The sweep's check records; ``?outcome=changed`` lists the changes found."""
        sweep = self.get_object()
        checks = sweep.checks.select_related("credential").order_by("pk")
        outcome = request.query_params.get("outcome")
        if outcome in CheckOutcome.values:
            checks = checks.filter(outcome=outcome)
        page = self.paginate_queryset(checks)
        return self.get_paginated_response(StatusCheckSerializer(page, many=True).data)
