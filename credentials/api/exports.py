"""Interoperable exports: one credential as JSON-LD (Open Badges 3.0, CTDL), and the whole
register as the registry's own CSV, streamed."""

from django.core.validators import slug_re
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponseBase, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.renderers import FastJSONRenderer
from config.types import RequestUser
from providers.roles import is_registry_admin, provider_ids

from ..access import can_read_unpublished
from ..choices import PUBLIC_STATUSES
from ..interop.ctdl import credential_ctdl
from ..interop.daily_export import DailyExport, daily_export_latest
from ..interop.file_download import file_download
from ..interop.openbadges import CHINESE, ENGLISH, credential_achievement
from ..interop.registry_csv import registry_csv_chunks
from ..models import Credential


class JSONLDRenderer(FastJSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class RegistryCSVRenderer(BaseRenderer):
    """Names text/csv for the schema; the view streams its own bytes."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else str(data).encode()


class FirstRenderer(BaseContentNegotiation):
    """A JSON-LD document is JSON-LD whatever the client asks for."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _credential_for(user: RequestUser, pk: int) -> Credential:
    """A public entry, or an unpublished one its provider, reviewers or staff may read."""
    credential = (
        Credential.objects.select_related(
            "provider", "awarding_body", "level__framework", "area_of_study"
        )
        .prefetch_related("accreditations")
        .defer("search_document")
        .filter(pk=pk)
        .first()
    )
    if credential is None:
        raise Http404
    if credential.status not in PUBLIC_STATUSES and not can_read_unpublished(user, credential):
        raise Http404
    return credential


class CredentialOpenBadgesView(APIView):
    """A credential as an Open Badges 3.0 Achievement (JSON-LD)."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONLDRenderer]
    content_negotiation_class = FirstRenderer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "lang",
                str,
                enum=[ENGLISH, CHINESE],
                description="Language of the achievement; Chinese where the entry has it.",
            )
        ],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="JSON-LD Achievement")},
    )
    def get(self, request: Request, pk: int) -> Response:
        credential = _credential_for(request.user, pk)
        asked = request.query_params.get("lang", "").casefold()
        language = CHINESE if asked == CHINESE.casefold() else ENGLISH
        return Response(
            credential_achievement(
                credential, absolute=request.build_absolute_uri, language=language
            )
        )


class CredentialCtdlView(APIView):
    """A credential as a CTDL credential (JSON-LD) for the Credential Engine Registry."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONLDRenderer]
    content_negotiation_class = FirstRenderer

    @extend_schema(
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="JSON-LD credential")}
    )
    def get(self, request: Request, pk: int) -> Response:
        credential = _credential_for(request.user, pk)
        return Response(credential_ctdl(credential, absolute=request.build_absolute_uri))


def _provider_slug(text: str) -> str:
    """A provider slug as given, checked before it reaches the streamed query.

    The rows are read while the response streams, after the status line is sent: a value
    PostgreSQL refuses (a NUL byte) would break the download halfway instead of answering.
    """
    if text and not slug_re.fullmatch(text):
        raise ValidationError(
            {"provider": [_("Give a provider's slug: letters, digits, hyphens, underscores.")]}
        )
    return text


def _exportable(user: RequestUser) -> QuerySet[Credential]:
    """The public register, plus a member's own providers' unpublished records; staff get all."""
    if is_registry_admin(user):
        return Credential.objects.all()
    return Credential.objects.filter(
        Q(status__in=PUBLIC_STATUSES) | Q(provider_id__in=provider_ids(user))
    )


class RegisterExportView(APIView):
    """The whole register in the registry's own CSV, in id order, which ``import_register
    --format registry-csv`` reads back unchanged; ``?provider=<slug>`` for one provider."""

    permission_classes = [AllowAny]
    throttle_scope = "export"
    renderer_classes = [RegistryCSVRenderer]
    content_negotiation_class = FirstRenderer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "provider", str, description="Only this provider's entries (its slug)."
            )
        ],
        responses={200: OpenApiResponse(OpenApiTypes.STR, description="Registry CSV")},
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        credentials = _exportable(request.user)
        provider = _provider_slug(request.query_params.get("provider", ""))
        if provider:
            credentials = credentials.filter(provider__slug=provider)
        response = StreamingHttpResponse(
            registry_csv_chunks(credentials),
            content_type="text/csv; charset=utf-8",
        )
        filename = f"register-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


DAILY_EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def no_daily_export_message() -> str:
    return _(
        "No daily export of the register has been built yet; it is built every night. "
        "Until then, download the register live from the search API with "
        "?status=all&format=csv."
    )


class DailyExportSerializer(serializers.Serializer):
    format = serializers.CharField(source="extension")
    date = serializers.DateField(source="day")
    filename = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")
    built_at = serializers.DateTimeField(source="modified")
    url = serializers.SerializerMethodField()

    def get_url(self, export: DailyExport) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:export-daily-file", kwargs={"extension": export.extension})
        )


class DailyExportView(APIView):
    """The daily export of the whole public register: which files are built, of what date.

    Each file holds what ``/api/v1/credentials/?status=all&format=csv`` (or ``json``)
    streams, as the register stood on that day; it is built every night.
    """

    permission_classes = [AllowAny]

    @extend_schema(responses=DailyExportSerializer(many=True))
    def get(self, request: Request) -> Response:
        latest = daily_export_latest()
        if not latest:
            raise NotFound(no_daily_export_message())
        files = [latest[extension] for extension in DAILY_EXPORT_TYPES if extension in latest]
        return Response(DailyExportSerializer(files, many=True, context={"request": request}).data)


class DailyExportFileView(APIView):
    """Today's (or the newest) daily export file, named with its date; ``Range`` resumes a
    download, ``If-None-Match`` / ``If-Modified-Since`` answer 304 until the next build."""

    permission_classes = [AllowAny]
    renderer_classes = [FastJSONRenderer]
    # Errors are JSON whatever the client accepts; the file is sent as it is.
    content_negotiation_class = FirstRenderer

    @extend_schema(
        responses={
            200: OpenApiResponse(OpenApiTypes.BINARY, description="The export file"),
            206: OpenApiResponse(OpenApiTypes.BINARY, description="The range asked for"),
            404: OpenApiResponse(description="None built yet"),
        }
    )
    def get(self, request: Request, extension: str) -> HttpResponseBase:
        export = daily_export_latest().get(extension)
        if export is None:
            raise NotFound(no_daily_export_message())
        return file_download(
            request._request,
            export.path,
            content_type=DAILY_EXPORT_TYPES[extension],
            etag=export.etag,
            modified=export.modified,
        )
