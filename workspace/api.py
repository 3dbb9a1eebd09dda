"""Provider workspace API: draft, edit, submit and move one's own providers' records."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config.types import AuthenticatedRequest
from credentials.access import credentials_for_workspace
from credentials.choices import CredentialStatus, QualityMark
from credentials.completeness import credential_completeness
from credentials.models import ChangeRequest, Credential, CredentialVersion
from credentials.selectors import credential_by_number
from credentials.services import (
    EDITABLE_FIELDS,
    credential_create,
    credential_request_change,
    credential_request_change_check,
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
    """A change awaiting a registry administrator; ``fields`` names what it would change."""

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "changes",
            "reason",
            "state",
            "requested_at",
            "decided_at",
            "decision_note",
        ]

    def to_representation(self, change_request: ChangeRequest) -> dict:
        # "fields" cannot be a declared field: it would hide Serializer.fields.
        data = super().to_representation(change_request)
        return {"fields": sorted(change_request.changes), **data}


@extend_schema_field(OpenApiTypes.STR)
class SuccessorNumberField(serializers.Field):
    """A record's next version, by registration number; read as that record."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("The registration number of the record replacing it."))
        super().__init__(required=False, **kwargs)

    def to_internal_value(self, data: object) -> Credential:
        if not isinstance(data, str) or not data.strip() or len(data) > 40:
            raise serializers.ValidationError(
                _("Give a registration number (at most 40 characters).")
            )
        successor = credential_by_number(data.strip())
        if successor is None:
            raise serializers.ValidationError(
                _("No record has the registration number “%(number)s”.") % {"number": data.strip()}
            )
        return successor

    def to_representation(self, value: Credential) -> str:
        return value.registration_number


class RegistryRequestSerializer(serializers.Serializer):
    """What a provider may ask the registry to change: validity and quality marks, and a
    move into teach-out or to superseded by its next version."""

    valid_from = serializers.DateField(required=False)
    valid_to = serializers.DateField(required=False)
    quality_marks = serializers.ListField(
        child=serializers.ChoiceField(choices=QualityMark.choices), required=False
    )
    status = serializers.ChoiceField(
        choices=[CredentialStatus.TEACH_OUT, CredentialStatus.SUPERSEDED], required=False
    )
    teach_out_ends_on = serializers.DateField(required=False)
    superseded_by = SuccessorNumberField()
    reason = serializers.CharField(max_length=2000)

    def to_internal_value(self, data):
        # Anything else named here is not asked this way: say so rather than ignore it.
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        if unknown:
            raise serializers.ValidationError(
                {
                    name: _(
                        "Ask here only for valid_from, valid_to, quality_marks, status "
                        "(teach_out or superseded), teach_out_ends_on or superseded_by; other "
                        "changes are made by editing the record."
                    )
                    for name in unknown
                }
            )
        return super().to_internal_value(data)


class ReviewedUpdateSerializer(serializers.Serializer):
    """The answer to an edit of a registered record that went to review (202)."""

    detail = serializers.CharField()
    change_request = ChangeRequestSerializer()
    credential = serializers.DictField()


class WorkspaceCredentialSerializer(serializers.ModelSerializer):
    """A record as its authors see it; writes go through the lifecycle services."""

    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all())
    completeness = serializers.SerializerMethodField()
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_("Why the record changes; kept with the version or change request."),
    )

    class Meta:
        model = Credential
        fields = ["id", *EDITABLE_FIELDS, "status", "status_changed_at", "completeness", "reason"]
        read_only_fields = ["status", "status_changed_at"]
        extra_kwargs = {"registration_number": {"required": False}}

    @extend_schema(responses=CompletenessSerializer)
    def get_completeness(self, credential: Credential) -> dict:
        return CompletenessSerializer(credential_completeness(credential=credential)).data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            # An update names the record's own provider or none; the service refuses a move.
            self.fields["provider"].required = False

    def validate_provider(self, provider: Provider) -> Provider:
        if self.instance is not None:
            return provider
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
    teach_out_ends_on = serializers.DateField(
        required=False, help_text=_("Into teach-out: the last day enrolled learners complete.")
    )
    superseded_by = SuccessorNumberField()


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
    # A malformed id is a missing record (404), never a failed database lookup.
    lookup_value_regex = "[0-9]+"
    filterset_fields = ["status", "provider"]

    def get_queryset(self):
        return credentials_for_workspace(self.request.user).order_by("-updated_at", "id")

    def perform_create(self, serializer):
        values = dict(serializer.validated_data)
        provider = values.pop("provider")
        values.pop("reason", None)
        serializer.instance = credential_create(
            actor=self.request.user, provider=provider, values=values
        )

    @extend_schema(
        responses={200: WorkspaceCredentialSerializer, 202: ReviewedUpdateSerializer},
        description=_(
            "Edit a record. On a registered record, substantive changes (title, level, size, "
            "outcomes, assessment, mode, languages, prerequisites) become a change request: the "
            "answer is 202 with the request. Registry-owned facts (validity, registration "
            "number, quality marks, external status) are refused with 400; ask for them with "
            "POST change-requests/."
        ),
    )
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        reason = values.pop("reason", "")
        result = credential_update(
            actor=request.user, credential=instance, values=values, reason=reason
        )
        credential = self.get_serializer(result.credential).data
        if result.change_request is None:
            return Response(credential)
        body = {
            "detail": gettext(
                "Sent for approval: %(fields)s apply once a registry administrator approves."
            )
            % {"fields": ", ".join(sorted(result.change_request.changes))},
            "change_request": ChangeRequestSerializer(result.change_request).data,
            "credential": credential,
        }
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        methods=["patch"],
        responses={200: WorkspaceCredentialSerializer, 202: ReviewedUpdateSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

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

    @extend_schema(methods=["get"], responses=ChangeRequestSerializer(many=True))
    @extend_schema(
        methods=["post"],
        request=RegistryRequestSerializer,
        responses={201: ChangeRequestSerializer},
        description=_(
            "Ask the registry to change a fact it owns: a validity extension or a quality mark. "
            "A registry administrator decides; the record is unchanged until then."
        ),
    )
    @action(detail=True, methods=["get", "post"], url_path="change-requests")
    def change_requests(self, request, pk=None):
        """Changes awaiting, or having had, a registry administrator's decision."""
        credential = self.get_object()
        if request.method == "GET":
            return Response(
                ChangeRequestSerializer(credential.change_requests.all(), many=True).data
            )
        credential_request_change_check(actor=request.user, credential=credential)
        body = RegistryRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        reason = values.pop("reason")
        change_request = credential_request_change(
            actor=request.user, credential=credential, values=values, reason=reason
        )
        return Response(
            ChangeRequestSerializer(change_request).data, status=status.HTTP_201_CREATED
        )
