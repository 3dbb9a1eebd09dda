"""Follows in the admin, read-only: staff answer a follower's access or erasure request here
(search by address; the action ends the follows and erases the address, as unsubscribing
does). Follows are made only by their followers, through the confirmation e-mail."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from credentials.admin import ViewOnlyMixin

from .addresses import address_key
from .models import Follow, FollowDigest
from .services import follow_unsubscribe


@admin.register(Follow)
class FollowAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "state", "credential", "search_query", "language", "created_at")
    list_filter = ("state", "language")
    list_select_related = ("credential",)
    raw_id_fields = ("credential",)
    exclude = ("address_key",)
    search_help_text = _("An exact e-mail address.")
    search_fields = ("email",)
    actions = ("end_and_erase",)
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        return queryset.filter(address_key=address_key(search_term)), False

    @admin.action(description=_("End the selected follows and erase their addresses"))
    def end_and_erase(self, request, queryset):
        ended = sum(follow_unsubscribe(follow=follow) for follow in queryset)
        messages.success(request, _("%(n)s follows ended.") % {"n": ended})


@admin.register(FollowDigest)
class FollowDigestAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "state", "language", "created_at", "sent_at")
    list_filter = ("state",)
    exclude = ("address_key",)
    show_full_result_count = False
