from django.contrib import admin

from credentials.admin import ViewOnlyMixin

from .models import StatusListEntry


@admin.register(StatusListEntry)
class StatusListEntryAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Which record holds which status list index: allocated by statements, never edited."""

    list_display = ("index", "credential", "allocated_at")
    list_select_related = ("credential",)
    search_fields = ("credential__registration_number", "credential__title_en")
    ordering = ("-index",)
    show_full_result_count = False
    raw_id_fields = ("credential",)
