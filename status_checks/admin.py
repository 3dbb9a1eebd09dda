"""Status checks in the admin: sweeps and checks (read-only), and "check now" on the
credential and provider pages.

The credential and provider admins belong to lower apps, which know nothing of status checks;
this app extends them by registering a subclass in their place.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from credentials.admin import CredentialAdmin, ViewOnlyMixin
from credentials.models import Credential
from providers.admin import ProviderAdmin
from providers.models import Provider

from .choices import SweepScope
from .models import AlertSent, StatusCheck, StatusSweep, StatusSweepChunk
from .services import status_sweep_start


class StatusCheckInline(ViewOnlyMixin, admin.TabularInline):
    model = StatusCheck
    fields = ("checked_at", "source", "outcome", "previous_status", "new_status", "detail")
    readonly_fields = fields
    classes = ("collapse",)


class CredentialWithChecksAdmin(CredentialAdmin):
    # django-stubs types ModelAdmin.actions per instance; the class's tuple is what is extended.
    actions = (*CredentialAdmin.actions, "check_status")  # type: ignore[misc]
    inlines = (*CredentialAdmin.inlines, StatusCheckInline)  # type: ignore[assignment]

    @admin.action(description=_("Check the status of the selected credentials now"))
    def check_status(self, request, queryset):
        for credential in queryset:
            status_sweep_start(
                scope=SweepScope.CREDENTIAL, credential=credential, actor=request.user
            )
        self.message_user(
            request,
            _("Status checks queued; follow them under Status sweeps."),
            messages.SUCCESS,
        )


class ProviderWithChecksAdmin(ProviderAdmin):
    actions = (*ProviderAdmin.actions, "check_status")  # type: ignore[misc]

    @admin.action(description=_("Check the status of the selected providers' credentials now"))
    def check_status(self, request, queryset):
        for provider in queryset:
            status_sweep_start(scope=SweepScope.PROVIDER, provider=provider, actor=request.user)
        self.message_user(
            request, _("Status sweeps queued; follow them under Status sweeps."), messages.SUCCESS
        )


admin.site.unregister(Credential)
admin.site.register(Credential, CredentialWithChecksAdmin)
admin.site.unregister(Provider)
admin.site.register(Provider, ProviderWithChecksAdmin)


@admin.register(StatusCheck)
class StatusCheckAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "credential",
        "checked_at",
        "outcome",
        "previous_status",
        "new_status",
        "source",
    )
    list_filter = ("outcome",)
    list_select_related = ("credential",)
    search_fields = ("credential__registration_number", "source")
    ordering = ("-checked_at",)
    show_full_result_count = False
    raw_id_fields = ("sweep",)


@admin.register(StatusSweep)
class StatusSweepAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "scope",
        "provider",
        "credential",
        "state",
        "requested_by",
        "requested_at",
        "finished_at",
        "changes",
    )
    list_filter = ("scope", "state")
    list_select_related = ("provider", "credential", "requested_by")
    ordering = ("-requested_at",)


@admin.register(StatusSweepChunk)
class StatusSweepChunkAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """What each sweep still has to check: the reaper re-queues the unfinished chunks."""

    list_display = ("__str__", "sweep", "number", "first_id", "last_id", "finished_at")
    list_filter = (("finished_at", admin.EmptyFieldListFilter),)
    raw_id_fields = ("sweep",)
    ordering = ("-sweep", "number")
    show_full_result_count = False


@admin.register(AlertSent)
class AlertSentAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Which checks' alerts went out: written by the alert task, so a retry never mails twice."""

    list_display = ("status_check", "sent_at")
    raw_id_fields = ("status_check",)
    ordering = ("-sent_at",)
    show_full_result_count = False
