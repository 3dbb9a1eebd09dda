from django.contrib import admin

from .models import AreaOfStudy, CreditConvention, Framework, Level, LevelReference

TIMESTAMPS = ("created_at", "updated_at")


class LevelInline(admin.TabularInline):
    model = Level
    fields = ("code", "ordinal", "name_en", "name_zh")
    ordering = ("ordinal",)
    extra = 0


class LevelReferenceInline(admin.TabularInline):
    model = LevelReference
    fk_name = "from_level"
    fields = ("to_level", "basis", "source", "note")
    autocomplete_fields = ("to_level",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("to_level__framework")


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "jurisdiction", "hours_per_credit", "credit_name")
    list_filter = ("jurisdiction",)
    search_fields = ("code", "name_en", "name_zh")
    ordering = ("code",)
    readonly_fields = TIMESTAMPS
    inlines = (LevelInline,)


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ("__str__", "framework", "code", "ordinal", "name_zh")
    list_filter = ("framework",)
    list_select_related = ("framework",)
    search_fields = ("framework__code", "code", "name_en", "name_zh")
    ordering = ("framework__code", "ordinal")
    readonly_fields = TIMESTAMPS
    inlines = (LevelReferenceInline,)


@admin.register(LevelReference)
class LevelReferenceAdmin(admin.ModelAdmin):
    list_display = ("from_level", "to_level", "basis", "source")
    list_filter = ("basis", "from_level__framework")
    list_select_related = ("from_level__framework", "to_level__framework")
    search_fields = (
        "from_level__framework__code",
        "from_level__name_en",
        "to_level__framework__code",
        "to_level__name_en",
        "source",
    )
    ordering = ("from_level__framework__code", "from_level__ordinal")
    autocomplete_fields = ("from_level", "to_level")
    readonly_fields = TIMESTAMPS


@admin.register(CreditConvention)
class CreditConventionAdmin(admin.ModelAdmin):
    list_display = ("system", "hours_per_credit_min", "hours_per_credit_max", "note")
    search_fields = ("system", "note")
    ordering = ("system",)
    readonly_fields = TIMESTAMPS


@admin.register(AreaOfStudy)
class AreaOfStudyAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "scheme", "parent")
    list_filter = ("scheme",)
    list_select_related = ("parent",)
    search_fields = ("code", "name_en", "name_zh")
    ordering = ("scheme", "code")
    autocomplete_fields = ("parent",)
    readonly_fields = TIMESTAMPS
