from django.contrib import admin

from .models import ApiToken, Provider, ProviderMembership

TIMESTAMPS = ("created_at", "updated_at")


class ProviderMembershipInline(admin.TabularInline):
    model = ProviderMembership
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = (
        "name_en",
        "name_zh",
        "short_name",
        "provider_type",
        "jurisdiction",
        "status",
        "self_accrediting",
        "ukprn",
        "ofqual_recognition_number",
    )
    list_filter = ("status", "provider_type", "jurisdiction", "self_accrediting")
    search_fields = (
        "name_en",
        "name_zh",
        "short_name",
        "slug",
        "=ukprn",
        "=ofqual_recognition_number",
    )
    ordering = ("name_en",)
    prepopulated_fields = {"slug": ("name_en",)}
    readonly_fields = TIMESTAMPS
    inlines = (ProviderMembershipInline,)


@admin.register(ProviderMembership)
class ProviderMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "provider", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "provider")
    search_fields = ("user__username", "user__email", "provider__name_en", "provider__name_zh")
    ordering = ("provider__name_en", "user__username")
    autocomplete_fields = ("provider", "user")
    readonly_fields = TIMESTAMPS


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners; staff may only see and revoke them."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("user",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request):
        return False
