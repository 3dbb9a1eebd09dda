"""Bulk import over the API: upload a register file, then follow the job's progress and report.

Provider administrators import into the providers they administer and see those jobs;
registry administrators see and start any. Anyone else is refused, and another provider's
job is simply not found.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from providers.choices import MembershipRole
from providers.models import Provider
from providers.roles import is_registry_admin, provider_ids

from .choices import ImportFormat
from .models import ImportJob
from .services import max_upload_bytes
from .starting import import_start


def _administered(user: AbstractBaseUser | AnonymousUser) -> set[int]:
    return provider_ids(user, roles=(MembershipRole.ADMIN,))


class CanImport(permissions.BasePermission):
    """Registry administrators, and administrators of at least one provider."""

    message = _("Only registry administrators and provider administrators may import.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        # A job is looked up among the caller's own providers' jobs, so anyone else's is 404.
        return bool(user and user.is_authenticated) and (
            view.action == "retrieve" or is_registry_admin(user) or bool(_administered(user))
        )


class ImportJobSerializer(serializers.ModelSerializer):
    """A job: what was asked, how far it has got, and what it found."""

    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    requested_by = serializers.StringRelatedField()
    progress = serializers.SerializerMethodField(help_text=_("Share of rows done, 0 to 1."))

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "format",
            "filename",
            "provider",
            "requested_by",
            "dry_run",
            "skip_bad_rows",
            "state",
            "rows_total",
            "rows_done",
            "progress",
            "created_count",
            "updated_count",
            "unchanged_count",
            "skipped_count",
            "error_count",
            "warning_count",
            "report",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, job: ImportJob) -> float:
        return round(job.rows_done / job.rows_total, 4) if job.rows_total else 0.0


class ImportUploadSerializer(serializers.Serializer):
    """An upload: the file, its format, and where its rows go."""

    file = serializers.FileField(help_text=_("A UTF-8 CSV file."))
    format = serializers.ChoiceField(choices=ImportFormat.choices)
    provider = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Provider.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Provider slug; required for provider administrators."),
    )
    dry_run = serializers.BooleanField(default=False)
    skip_bad_rows = serializers.BooleanField(default=False)

    def validate_file(self, upload: UploadedFile) -> UploadedFile:
        if upload.size > max_upload_bytes():
            raise serializers.ValidationError(
                _("The file is larger than %(limit)d MB.")
                % {"limit": max_upload_bytes() // (1024 * 1024)}
            )
        return upload


class ImportJobViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Upload a register file for import (queued for a worker) and follow its progress."""

    serializer_class = ImportJobSerializer
    permission_classes = [permissions.IsAuthenticated, CanImport]
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["state", "format"]

    def get_queryset(self) -> QuerySet[ImportJob]:
        jobs = ImportJob.objects.defer("content").select_related("provider", "requested_by")
        if is_registry_admin(self.request.user):
            return jobs
        return jobs.filter(provider_id__in=_administered(self.request.user))

    @extend_schema(request=ImportUploadSerializer, responses={202: ImportJobSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        job = import_start(
            actor=request.user,
            format=data["format"],
            content=data["file"].read(),
            filename=data["file"].name,
            provider=data.get("provider"),
            dry_run=data["dry_run"],
            skip_bad_rows=data["skip_bad_rows"],
        )
        location = request.build_absolute_uri(
            reverse("api:import-job-detail", kwargs={"pk": job.pk})
        )
        return Response(
            ImportJobSerializer(job, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": location},
        )
