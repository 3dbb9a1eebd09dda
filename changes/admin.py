"""The feed and webhooks in the admin: events and the delivery log read-only; subscriptions
paused and resumed through their services (subscribers are registered through the API)."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credentials.admin import ViewOnlyMixin

from .models import ChangeEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription
from .webhooks.services import webhook_subscription_pause, webhook_subscription_resume


@admin.register(ChangeEvent)
class ChangeEventAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "recorded_at", "kind", "registration_number", "provider", "framework")
    list_filter = ("kind", "framework")
    search_fields = ("registration_number",)
    list_select_related = ("provider", "framework")
    raw_id_fields = ("credential", "provider")
    show_full_result_count = False


class WebhookAttemptInline(ViewOnlyMixin, admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    fields = ("number", "started_at", "duration_ms", "status_code", "error", "succeeded")
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "subscription", "event", "state", "attempts", "last_status_code")
    list_filter = ("state",)
    list_select_related = ("subscription", "event")
    raw_id_fields = ("subscription", "event")
    inlines = (WebhookAttemptInline,)
    show_full_result_count = False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "owner", "target_url", "provider", "state", "consecutive_failures")
    list_filter = ("state",)
    search_fields = ("name", "target_url", "owner__username")
    list_select_related = ("owner", "provider")
    exclude = ("secret",)
    actions = ("pause", "resume")

    @admin.action(description=_("Pause the selected subscriptions"))
    def pause(self, request, queryset):
        for subscription in queryset:
            webhook_subscription_pause(
                actor=request.user,
                subscription=subscription,
                reason=gettext("Paused in the admin."),
            )
        messages.success(request, _("Paused."))

    @admin.action(description=_("Resume the selected subscriptions"))
    def resume(self, request, queryset):
        for subscription in queryset:
            webhook_subscription_resume(actor=request.user, subscription=subscription)
        messages.success(request, _("Resumed."))
