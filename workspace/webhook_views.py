"""Webhook subscriptions in the workspace: subscribe, see the delivery log, pause, resume,
replay. Every action goes through changes.webhooks.services, like the API."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from changes.choices import EventKind
from changes.feed import cursor_encode
from changes.webhooks.services import (
    message_id,
    subscriptions_for,
    webhook_subscription_create,
    webhook_subscription_pause,
    webhook_subscription_replay,
    webhook_subscription_resume,
)
from config.forms import add_service_errors, message_service_errors
from config.types import AuthenticatedHttpRequest
from providers.choices import MembershipRole
from providers.models import Provider
from providers.roles import is_registry_admin, provider_ids
from qualifications.models import Framework

LOG_LENGTH = 50


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    target_url = forms.URLField(
        label=gettext_lazy("Target URL"), max_length=500, assume_scheme="https"
    )
    provider = forms.ModelChoiceField(
        label=gettext_lazy("Provider"), queryset=Provider.objects.none(), required=False
    )
    framework = forms.ModelChoiceField(
        label=gettext_lazy("Framework"),
        queryset=Framework.objects.all(),
        to_field_name="code",
        required=False,
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Kinds of change (none ticked: every kind)"),
        choices=EventKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Subscriber's user name (registry administrators)"),
        queryset=get_user_model().objects.all(),
        to_field_name="username",
        widget=forms.TextInput,
        required=False,
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        staff = is_registry_admin(user)
        providers = Provider.objects.all()
        if not staff:
            providers = providers.filter(pk__in=provider_ids(user, roles=(MembershipRole.ADMIN,)))
            del self.fields["owner"]
        field = self.fields["provider"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = providers


@login_required
def webhooks(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST if request.method == "POST" else None, user=request.user)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = webhook_subscription_create(
                    actor=request.user,
                    name=data["name"],
                    target_url=data["target_url"],
                    provider=data["provider"],
                    framework=data["framework"],
                    kinds=data["kinds"],
                    owner=data.get("owner"),
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_errors(form, error)
        if created is None:
            status = 400
        else:
            form = SubscriptionForm(user=request.user)
    return render(
        request,
        "workspace/webhooks.html",
        {
            "form": form,
            "created": created,
            "subscriptions": subscriptions_for(request.user),
        },
        status=status,
    )


@login_required
@require_GET
def webhook_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(subscriptions_for(request.user), pk=pk)
    deliveries = list(
        subscription.deliveries.select_related("event")
        .prefetch_related("attempt_log")
        .order_by("-event_id")[:LOG_LENGTH]
    )
    for delivery in deliveries:
        delivery.webhook_id = message_id(delivery)  # type: ignore[attr-defined]
        delivery.cursor = cursor_encode(delivery.event_id)  # type: ignore[attr-defined]
    return render(
        request,
        "workspace/webhook_detail.html",
        {
            "subscription": subscription,
            "deliveries": deliveries,
            "dispatched_through": cursor_encode(subscription.dispatched_through),
        },
    )


def _subscription_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    subscription = get_object_or_404(subscriptions_for(request.user), pk=pk)
    try:
        if action == "pause":
            webhook_subscription_pause(
                actor=request.user,
                subscription=subscription,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("Paused: changes wait until you resume."))
        elif action == "resume":
            webhook_subscription_resume(actor=request.user, subscription=subscription)
            messages.success(request, _("Resumed: the waiting changes are being sent."))
        else:
            replay = webhook_subscription_replay(
                actor=request.user, subscription=subscription, after=request.POST.get("after", "")
            )
            messages.success(
                request,
                _("%(n)s changes will be sent again, through cursor %(cursor)s.")
                % {"n": replay.deliveries, "cursor": cursor_encode(replay.through)},
            )
    except (ValidationError, PermissionDenied) as error:
        message_service_errors(request, error)
    return redirect("workspace:webhook", pk=subscription.pk)


@login_required
@require_POST
def webhook_pause(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _subscription_action(request, pk, "pause")


@login_required
@require_POST
def webhook_resume(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _subscription_action(request, pk, "resume")


@login_required
@require_POST
def webhook_replay(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _subscription_action(request, pk, "replay")
