from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_from_request, override
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from ..models import Credential
from ..search.exports import export_response
from ..search.records import (
    credential_is_current,
    credential_record_queryset,
    credential_verify,
    credit_conversion,
    level_equivalents,
)
from ..search.service import SearchError, SearchPage, credential_search
from ..succession import credential_succession, status_explanation
from .filtersets import CredentialFilterSet
from .results import RESULT_VALUES, result_items
from .serializers import (
    CredentialDetailSerializer,
    CredentialListSerializer,
    CredentialSearchResponseSerializer,
    VerificationSerializer,
)


class CSVExportRenderer(BaseRenderer):
    """Lets `?format=csv` through content negotiation; the export streams its own bytes."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else str(data).encode()


def _page_link(request: Request, number: int | None) -> str | None:
    if number is None:
        return None
    url = remove_query_param(request.build_absolute_uri(), "cursor")
    if number == 1:
        return remove_query_param(url, "page")
    return replace_query_param(url, "page", number)


def _cursor_link(request: Request, cursor: str) -> str:
    url = remove_query_param(request.build_absolute_uri(), "page")
    return replace_query_param(url, "cursor", cursor)


def _neighbour_links(request: Request, page: SearchPage) -> tuple[str | None, str | None]:
    """The next and previous links: by cursor where the page has one, else by number."""
    following: str | None
    preceding: str | None
    if page.keyset:
        following = _cursor_link(request, page.next_cursor) if page.next_cursor else None
    else:
        following = _page_link(request, page.number + 1 if page.has_next else None)
    if page.previous_cursor:
        preceding = _cursor_link(request, page.previous_cursor)
    else:
        preceding = _page_link(request, page.number - 1 if page.has_previous else None)
    return following, preceding


class CredentialViewSet(viewsets.ReadOnlyModelViewSet):
    """The public register: search with facets, full records and exports.

    Without `status`, only registered entries valid today are listed; `status=all` or a
    named status opens the archive, and an exact registration number always finds its
    entry. Add `format=csv` or `format=json` to download the whole result set.
    """

    filterset_class = CredentialFilterSet
    permission_classes = [AllowAny]
    # `?format=csv|json` on the list is an export (config.throttling).
    throttle_scope = "search"
    # api_settings imports the configured dotted paths, so these are classes.
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVExportRenderer]  # type: ignore[list-item]

    def get_queryset(self):
        return credential_record_queryset()

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # An unknown `format` on the list is a bad filter value (400 with a field message
        # from the FilterSet), not a missing page.
        try:
            return super().perform_content_negotiation(request, force=force)
        except (Http404, NotFound):
            if self.action != "list":
                raise
            return super().perform_content_negotiation(request, force=True)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CredentialDetailSerializer
        return CredentialListSerializer

    @extend_schema(responses=CredentialSearchResponseSerializer)
    def list(self, request: Request, *args, **kwargs) -> Response:
        # Page URLs carry their language; the API follows Accept-Language instead, for
        # labels and error messages alike.
        language = get_language_from_request(request._request)
        try:
            with override(language):
                search = credential_search(params=request.query_params, language=language)
        except SearchError as error:
            raise ValidationError(error.message_dict) from error
        if search.export_format:
            # Each record's API address is the list's address and its id: built once. An
            # export streams; DRF hands any HttpResponse back unchanged.
            with override(search.language):
                return export_response(  # type: ignore[return-value]
                    search, url_prefix=request.build_absolute_uri(reverse("api:credential-list"))
                )
        with override(search.language):
            page = search.page(values=RESULT_VALUES)
        if page.number > page.num_pages and not page.by_cursor:
            raise NotFound(_("There is no page %(page)d of these results.") % {"page": page.number})
        following, preceding = _neighbour_links(request, page)
        return Response(
            {
                "count": page.count,
                "count_capped": page.count_capped,
                "next": following,
                "previous": preceding,
                "results": result_items(page.rows, request=request, equivalences=page.equivalences),
                "facets": {
                    dimension: [option.__dict__ for option in options]
                    for dimension, options in page.facets.items()
                },
                "facets_capped": page.facets_capped,
                "suggestion": page.suggestion,
                "equivalence": [
                    {
                        "framework": item.framework,
                        "level": item.level,
                        "basis": item.basis,
                        "source": item.source,
                    }
                    for item in page.equivalences
                ],
            }
        )

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        credential = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        context = {
            **self.get_serializer_context(),
            "level_equivalents": level_equivalents(credential.level),
            "credit_conversion": credit_conversion(credential),
        }
        return Response(CredentialDetailSerializer(credential, context=context).data)


class CredentialVerifyView(APIView):
    """Is this a real registration, and is it current? For an employer checking a CV."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "registration_number",
                str,
                OpenApiParameter.PATH,
                description="With or without separators: 603/2476/0 and 60324760 are one.",
            )
        ],
        responses={200: VerificationSerializer, 404: OpenApiResponse(description="Not found")},
    )
    def get(self, request: Request, registration_number: str) -> Response:
        credential = credential_verify(registration_number=registration_number)
        if credential is None:
            raise NotFound(
                _(
                    "No credential with registration number “%(number)s” is on the register. "
                    "Check the number as printed on the certificate; separators and case "
                    "do not matter."
                )
                % {"number": registration_number[:60]}
            )
        # The API follows Accept-Language, as the search does: the explanation is read.
        with override(get_language_from_request(request._request)):
            return Response(VerificationSerializer(_verification(request, credential)).data)


def _version_link(request: Request, credential: Credential) -> dict:
    return {
        "registration_number": credential.registration_number,
        "title_en": credential.title_en,
        "title_zh": credential.title_zh,
        "status": credential.status,
        "verify_url": request.build_absolute_uri(
            reverse("api:verify", kwargs={"registration_number": credential.registration_number})
        ),
        "page_url": request.build_absolute_uri(
            reverse("credentials:detail", kwargs={"pk": credential.pk})
        ),
    }


def _verification(request: Request, credential: Credential) -> dict:
    level = credential.level
    succession = credential_succession(credential)
    successor = succession.successor
    return {
        "registration_number": credential.registration_number,
        "current": credential_is_current(credential),
        "status": credential.status,
        "status_display": credential.get_status_display(),
        "status_explanation": status_explanation(credential),
        "teach_out_ends_on": credential.teach_out_ends_on,
        "superseded_by": successor and _version_link(request, successor),
        "supersedes": [_version_link(request, earlier) for earlier in succession.predecessors],
        "valid_from": credential.valid_from,
        "valid_to": credential.valid_to,
        "title_en": credential.title_en,
        "title_zh": credential.title_zh,
        "provider": credential.provider,
        "framework": level.framework.code if level else None,
        "level": level.code if level else None,
        "url": request.build_absolute_uri(
            reverse("api:credential-detail", kwargs={"pk": credential.pk})
        ),
        "page_url": request.build_absolute_uri(
            reverse("credentials:detail", kwargs={"pk": credential.pk})
        ),
        "checked_on": timezone.localdate(),
    }
