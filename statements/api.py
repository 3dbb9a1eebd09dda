"""The statements API: a record's statement, the status lists, and checking a statement."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.parsers import DepthLimitedJSONParser
from config.throttling import RegistryRateThrottle
from credentials.api.serializers import ProviderSummarySerializer
from credentials.models import Credential
from credentials.search.records import credential_record_queryset

from .choices import RESULT_MESSAGES, StatementResult
from .did import registry_did
from .keys import SigningKeyError, SigningKeyMissing
from .services import (
    MAX_STATEMENT_LENGTH,
    MEDIA_TYPE,
    StatementCheck,
    statement_issue,
    statement_verify,
    status_list_issue,
)
from .status_lists import PURPOSES

logger = logging.getLogger(__name__)


class NoSigningKey(APIException):
    status_code = 503
    default_code = "no_signing_key"


def _unavailable(error: SigningKeyError) -> NoSigningKey:
    """The reason when no key is configured; a key store that fails is logged, not shown."""
    if isinstance(error, SigningKeyMissing):
        return NoSigningKey(str(error))
    logger.error("The registry's signing keys cannot be read: %s", error)
    return NoSigningKey("The registry cannot sign statements now; its operators are told.")


def jwt_response(token: str) -> HttpResponse:
    response = HttpResponse(token, content_type=MEDIA_TYPE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


class CredentialStatementView(APIView):
    """A registered record's registry statement: a VC-JWT (`application/vc+jwt`) signed by
    the registry's current key, an Open Badges 3.0 credential with the record's Achievement,
    level, QA and validity, and its revocation and suspension status list entries."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            (200, MEDIA_TYPE): OpenApiResponse(OpenApiTypes.STR, description="Compact JWS"),
            404: OpenApiResponse(description="No such public record, or not registered"),
        }
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        credential = (
            credential_record_queryset()
            .prefetch_related(None)
            .prefetch_related("accreditations")
            .filter(pk=pk)
            .first()
        )
        if credential is None:
            raise Http404
        try:
            token = statement_issue(
                credential=credential,
                did=registry_did(request._request),
                absolute=request.build_absolute_uri,
            )
        except DjangoValidationError as error:
            # Not registered: there is nothing in force to state.
            raise Http404(error.messages[0]) from error
        except SigningKeyError as error:
            raise _unavailable(error) from error
        return jwt_response(token)


class StatusListView(APIView):
    """A Bitstring Status List credential (VC-JWT): bit *i* set means the statement whose
    `statusListIndex` is *i* in this list is revoked (or suspended), as of now."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={(200, MEDIA_TYPE): OpenApiResponse(OpenApiTypes.STR, description="VC-JWT")}
    )
    def get(self, request: Request, purpose: str, number: int) -> HttpResponse:
        if purpose not in PURPOSES:
            raise Http404
        try:
            token = status_list_issue(
                purpose=purpose,
                number=number,
                did=registry_did(request._request),
                absolute=request.build_absolute_uri,
            )
        except SigningKeyError as error:
            raise _unavailable(error) from error
        if token is None:
            raise Http404
        return jwt_response(token)


class VCJWTParser(BaseParser):
    """A statement posted as it is (`Content-Type: application/vc+jwt`)."""

    media_type = MEDIA_TYPE

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_STATEMENT_LENGTH + 1) if stream else b""
        return {"statement": raw.decode("utf-8", errors="replace")}


class StatementVerifyThrottle(RegistryRateThrottle):
    """Checking statements: each costs a signature check, so it has a limit of its own."""

    scope = "verify"


class StatementVerifyRequestSerializer(serializers.Serializer):
    statement = serializers.CharField(
        trim_whitespace=True,
        allow_blank=True,
        help_text="The compact JWS (header.payload.signature).",
    )


class StatementRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    registration_number = serializers.CharField()
    title_en = serializers.CharField()
    title_zh = serializers.CharField()
    provider = ProviderSummarySerializer()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    url = serializers.URLField()
    page_url = serializers.URLField()


class StatementVerificationSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=StatementResult.choices)
    result_display = serializers.CharField()
    message = serializers.CharField()
    key_id = serializers.CharField(help_text="The kid the statement names.")
    valid_from = serializers.DateTimeField(allow_null=True)
    valid_until = serializers.DateTimeField(allow_null=True)
    revoked = serializers.BooleanField(allow_null=True, help_text="Its revocation list bit.")
    suspended = serializers.BooleanField(allow_null=True, help_text="Its suspension list bit.")
    record = StatementRecordSerializer(allow_null=True)
    claims = serializers.JSONField(
        allow_null=True, help_text="The signed credential, once its signature holds."
    )


def _record(request: Request, credential: Credential | None) -> dict | None:
    if credential is None:
        return None
    return {
        "id": credential.pk,
        "registration_number": credential.registration_number,
        "title_en": credential.title_en,
        "title_zh": credential.title_zh,
        "provider": credential.provider,
        "status": credential.status,
        "get_status_display": credential.get_status_display(),
        "url": request.build_absolute_uri(
            reverse("api:credential-detail", kwargs={"pk": credential.pk})
        ),
        "page_url": request.build_absolute_uri(
            reverse("credentials:detail", kwargs={"pk": credential.pk})
        ),
    }


def verification_data(request: Request, check: StatementCheck) -> dict:
    return {
        "result": check.result,
        "result_display": str(StatementResult(check.result).label),
        "message": str(RESULT_MESSAGES[check.result]),
        "key_id": check.key_id,
        "valid_from": check.valid_from,
        "valid_until": check.valid_until,
        "revoked": check.revoked,
        "suspended": check.suspended,
        "record": _record(request, check.credential),
        "claims": check.claims,
    }


class StatementVerifyView(APIView):
    """Check a registry statement someone has shown you: valid, revoked, suspended, expired,
    tampered (signature and content disagree) or signed by an unknown key. Send JSON
    `{"statement": "<compact JWS>"}`, a form field, or the JWS itself as
    `application/vc+jwt`. Input that is no statement at all is a 400 with the reason."""

    permission_classes = [AllowAny]
    parser_classes = [DepthLimitedJSONParser, FormParser, MultiPartParser, VCJWTParser]
    throttle_classes = [StatementVerifyThrottle]

    @extend_schema(
        request=StatementVerifyRequestSerializer,
        responses={200: StatementVerificationSerializer},
    )
    def post(self, request: Request) -> Response:
        body = StatementVerifyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        check = statement_verify(
            token=body.validated_data["statement"], did=registry_did(request._request)
        )
        return Response(StatementVerificationSerializer(verification_data(request, check)).data)
