from django.contrib import admin

from .models import (
    Condition,
    Decision,
    Judgement,
    Review,
    ReviewAssignment,
    ReviewStandard,
    ReviewStandardSet,
)

TIMESTAMPS = ("created_at", "updated_at")


class AppendOnlyMixin:
    """The database refuses UPDATE and DELETE on these rows; a correction is a new row."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewStandardInline(admin.TabularInline):
    model = ReviewStandard
    fields = ("ordinal", "code", "title_en", "title_zh")
    extra = 0


@admin.register(ReviewStandardSet)
class ReviewStandardSetAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "effective_from")
    search_fields = ("name",)
    ordering = ("name", "-version")
    readonly_fields = TIMESTAMPS
    inlines = (ReviewStandardInline,)


@admin.register(ReviewStandard)
class ReviewStandardAdmin(admin.ModelAdmin):
    list_display = ("__str__", "code", "title_zh", "standard_set")
    list_filter = ("standard_set",)
    list_select_related = ("standard_set",)
    search_fields = ("code", "title_en", "title_zh", "standard_set__name")
    ordering = ("standard_set__name", "-standard_set__version", "ordinal")


class ReviewAssignmentInline(admin.TabularInline):
    model = ReviewAssignment
    fields = ("reviewer", "assigned_by", "assigned_at", "no_conflict_declared_at")
    readonly_fields = ("assigned_at",)
    autocomplete_fields = ("reviewer", "assigned_by")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reviewer", "assigned_by")


class JudgementInline(AppendOnlyMixin, admin.TabularInline):
    model = Judgement
    fields = (
        "standard",
        "reviewer",
        "outcome",
        "comment",
        "evidence_url",
        "evidence_file",
        "supersedes",
        "recorded_at",
    )
    readonly_fields = ("recorded_at",)
    autocomplete_fields = ("standard", "reviewer", "supersedes")
    extra = 0

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("standard", "reviewer", "supersedes__standard")
        )


class DecisionInline(AppendOnlyMixin, admin.StackedInline):
    model = Decision
    fields = (
        "outcome",
        "rationale",
        "internal_notes",
        ("valid_from", "valid_to"),
        "decided_by",
        "supersedes",
        "decided_at",
    )
    readonly_fields = ("decided_at",)
    autocomplete_fields = ("decided_by", "supersedes")
    extra = 0

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("decided_by", "supersedes__review__credential")
        )


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("credential", "review_type", "stage", "due_date", "standard_set", "opened_by")
    list_filter = ("stage", "review_type", "standard_set")
    list_select_related = ("credential", "standard_set", "opened_by")
    search_fields = (
        "credential__registration_number",
        "credential__title_en",
        "credential__title_zh",
    )
    ordering = ("due_date",)
    autocomplete_fields = ("credential", "opened_by")
    readonly_fields = TIMESTAMPS
    inlines = (ReviewAssignmentInline, JudgementInline, DecisionInline)


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(admin.ModelAdmin):
    list_display = ("review", "reviewer", "assigned_by", "assigned_at", "no_conflict_declared_at")
    list_select_related = ("review__credential", "reviewer", "assigned_by")
    search_fields = (
        "reviewer__username",
        "reviewer__email",
        "review__credential__registration_number",
    )
    ordering = ("-assigned_at",)
    autocomplete_fields = ("review", "reviewer", "assigned_by")
    readonly_fields = ("assigned_at",)


@admin.register(Judgement)
class JudgementAdmin(AppendOnlyMixin, admin.ModelAdmin):
    list_display = ("review", "standard", "outcome", "reviewer", "recorded_at", "supersedes")
    list_filter = ("outcome",)
    list_select_related = ("review__credential", "standard", "reviewer", "supersedes__standard")
    search_fields = ("review__credential__registration_number", "standard__title_en", "comment")
    ordering = ("-recorded_at",)
    autocomplete_fields = ("review", "standard", "reviewer", "supersedes")
    readonly_fields = ("recorded_at",)


class ConditionInline(admin.TabularInline):
    model = Condition
    fields = ("text", "due_date", "state", "met_confirmed_by", "met_confirmed_at")
    autocomplete_fields = ("met_confirmed_by",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("met_confirmed_by")


@admin.register(Decision)
class DecisionAdmin(AppendOnlyMixin, admin.ModelAdmin):
    list_display = ("review", "outcome", "valid_from", "valid_to", "decided_by", "decided_at")
    list_filter = ("outcome",)
    list_select_related = ("review__credential", "decided_by")
    search_fields = ("review__credential__registration_number", "rationale")
    ordering = ("-decided_at",)
    autocomplete_fields = ("review", "decided_by", "supersedes")
    readonly_fields = ("decided_at",)
    inlines = (ConditionInline,)


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "decision", "due_date", "state", "met_confirmed_by")
    list_filter = ("state",)
    list_select_related = ("decision__review__credential", "met_confirmed_by")
    search_fields = ("text", "decision__review__credential__registration_number")
    ordering = ("due_date",)
    autocomplete_fields = ("decision", "met_confirmed_by")
    readonly_fields = TIMESTAMPS
