"""/api/v1/webhooks/: subscribers manage their subscriptions and read the delivery log."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config.types import AuthenticatedRequest
from providers.models import Provider
from providers.roles import is_registry_admin
from qualifications.models import Framework

from ..choices import EventKind
from ..feed import cursor_encode
from ..models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from .services import (
    message_id,
    subscriptions_for,
    webhook_subscription_create,
    webhook_subscription_pause,
    webhook_subscription_replay,
    webhook_subscription_resume,
)


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(
        slug_field="slug", queryset=Provider.objects.all(), required=False, allow_null=True
    )
    framework = serializers.SlugRelatedField(
        slug_field="code", queryset=Framework.objects.all(), required=False, allow_null=True
    )
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=EventKind.choices), required=False
    )
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        required=False,
        help_text="Registry administrators register a subscriber by username.",
    )
    dispatched_through = serializers.SerializerMethodField()

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "name",
            "target_url",
            "provider",
            "framework",
            "kinds",
            "owner",
            "state",
            "consecutive_failures",
            "paused_at",
            "pause_reason",
            "dispatched_through",
            "created_at",
        ]
        read_only_fields = [
            "state",
            "consecutive_failures",
            "paused_at",
            "pause_reason",
            "created_at",
        ]

    def get_dispatched_through(self, subscription: WebhookSubscription) -> str:
        """The feed cursor up to which events have their deliveries."""
        return cursor_encode(subscription.dispatched_through)


class NewWebhookSubscriptionSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Shown once: verify each delivery's signature with it."
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]


class PauseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ReplaySerializer(serializers.Serializer):
    after = serializers.CharField(
        allow_blank=True,
        max_length=64,
        help_text="A feed cursor; blank replays from the feed's start.",
    )


class ReplayResultSerializer(serializers.Serializer):
    deliveries = serializers.IntegerField()
    through = serializers.CharField(help_text="Replay again after this cursor for more.")


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "started_at", "duration_ms", "status_code", "error", "succeeded"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    webhook_id = serializers.SerializerMethodField()
    cursor = serializers.SerializerMethodField()
    kind = serializers.CharField(source="event.kind")
    registration_number = serializers.CharField(source="event.registration_number")
    attempt_log = WebhookAttemptSerializer(many=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook_id",
            "cursor",
            "kind",
            "registration_number",
            "state",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "last_status_code",
            "last_error",
            "replays",
            "attempt_log",
        ]

    def get_webhook_id(self, delivery: WebhookDelivery) -> str:
        return message_id(delivery)

    def get_cursor(self, delivery: WebhookDelivery) -> str:
        return cursor_encode(delivery.event_id)


class WebhookSubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Your webhook subscriptions (registry administrators: everyone's).

    A provider's administrator subscribes to their provider's records; a registry
    administrator registers aggregators and employers (``owner``). The signing secret is in
    the creation response only.
    """

    request: AuthenticatedRequest
    permission_classes = [IsAuthenticated]
    serializer_class = WebhookSubscriptionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookSubscription.objects.none()
        return subscriptions_for(self.request.user)

    @extend_schema(responses={201: NewWebhookSubscriptionSerializer})
    def create(self, request, *args, **kwargs):
        # A body that is not an object is the serializer's to refuse, with its message.
        names_owner = isinstance(request.data, dict) and "owner" in request.data
        if names_owner and not is_registry_admin(request.user):
            # Refused before the name is looked up: no one learns which user names exist.
            raise PermissionDenied(_("Only a registry administrator registers other subscribers."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        created = webhook_subscription_create(
            actor=request.user,
            name=data["name"],
            target_url=data["target_url"],
            provider=data.get("provider"),
            framework=data.get("framework"),
            kinds=data.get("kinds") or [],
            owner=data.get("owner"),
        )
        subscription = created.subscription
        body = NewWebhookSubscriptionSerializer(subscription).data
        body["secret"] = created.secret
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=PauseSerializer, responses=WebhookSubscriptionSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        subscription = self.get_object()  # whose it is, before what the body says
        serializer = PauseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = webhook_subscription_pause(
            actor=request.user,
            subscription=subscription,
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(WebhookSubscriptionSerializer(subscription).data)

    @extend_schema(request=None, responses=WebhookSubscriptionSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        subscription = webhook_subscription_resume(
            actor=request.user, subscription=self.get_object()
        )
        return Response(WebhookSubscriptionSerializer(subscription).data)

    @extend_schema(request=ReplaySerializer, responses=ReplayResultSerializer)
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        subscription = self.get_object()  # whose it is, before what the body says
        serializer = ReplaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        replay = webhook_subscription_replay(
            actor=request.user,
            subscription=subscription,
            after=serializer.validated_data["after"],
        )
        return Response({"deliveries": replay.deliveries, "through": cursor_encode(replay.through)})

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The delivery log, newest event first, each with its attempts."""
        deliveries = (
            self.get_object()
            .deliveries.select_related("event")
            .prefetch_related("attempt_log")
            .order_by("-event_id")
        )
        page = self.paginate_queryset(deliveries)
        data = WebhookDeliverySerializer(page, many=True).data
        return self.get_paginated_response(data)
