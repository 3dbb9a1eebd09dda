from django.contrib import admin

from credentials.admin import ViewOnlyMixin

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Imports are started by upload or the import_register command; here they are only shown."""

    list_display = (
        "__str__",
        "format",
        "provider",
        "requested_by",
        "state",
        "rows_done",
        "rows_total",
        "created_count",
        "updated_count",
        "error_count",
        "created_at",
    )
    list_filter = ("state", "format", "dry_run")
    list_select_related = ("provider", "requested_by")
    search_fields = ("filename", "provider__name_en", "provider__slug")
    ordering = ("-created_at",)

    def get_queryset(self, request):
        # The uploaded file can be megabytes; no page here shows it.
        return super().get_queryset(request).defer("content")
