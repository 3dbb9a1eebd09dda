"""Django admin for reviews. Every write goes through qa_reviews.services, as on the pages.

Judgements and decisions are append-only (a database trigger refuses UPDATE and DELETE), so
the admin only adds them, through the same services the reviewers use; conditions are
confirmed met by an action, assignments made and withdrawn through the services.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credentials.admin import ViewOnlyMixin

from .models import (
    Condition,
    ConditionEvent,
    Decision,
    Judgement,
    Review,
    ReviewAssignment,
    ReviewStandard,
    ReviewStandardSet,
    SentNotice,
)
from .services import (
    ConditionDraft,
    condition_confirm_met,
    judgement_record,
    review_assign,
    review_decide,
    review_open,
    review_standard_set_new_version,
    review_unassign,
)

TIMESTAMPS = ("created_at", "updated_at")


def _as_validation_error(error: PermissionDenied) -> ValidationError:
    return ValidationError(str(error) or _("You may not do this."))


class ServiceErrorsMixin:
    """Show a service's refusal as a message instead of a server error; nothing is saved.

    The admin wraps each save in a transaction, so raising rolls every write back.
    """

    # Mixed into ModelAdmin subclasses, which define changeform_view and message_user.
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.get_full_path())


class AppendOnlyMixin:
    """The database refuses UPDATE and DELETE on these rows; a correction is a new row."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _standard_set_in_use(standard_set_id: int | None) -> bool:
    return bool(standard_set_id) and Review.objects.filter(standard_set_id=standard_set_id).exists()


class ReviewStandardInline(admin.TabularInline):
    model = ReviewStandard
    fields = ("ordinal", "code", "title_en", "title_zh", "guidance")
    extra = 0

    # Reviews keep the version they opened under, so a version in use is frozen.
    def has_add_permission(self, request, obj=None):
        return not (obj and _standard_set_in_use(obj.pk))

    def has_change_permission(self, request, obj=None):
        return not (obj and _standard_set_in_use(obj.pk))

    def has_delete_permission(self, request, obj=None):
        return not (obj and _standard_set_in_use(obj.pk))


class NewVersionForm(forms.Form):
    effective_from = forms.DateField(label=_("effective from"))


@admin.register(ReviewStandardSet)
class ReviewStandardSetAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    list_display = ("name", "version", "effective_from", "in_use")
    search_fields = ("name",)
    ordering = ("name", "-version")
    readonly_fields = TIMESTAMPS
    inlines = (ReviewStandardInline,)
    actions = ("new_version",)

    def get_queryset(self, request):
        used = Review.objects.filter(standard_set=OuterRef("pk"))
        return super().get_queryset(request).annotate(used=Exists(used))

    @admin.display(boolean=True, description=_("in use"), ordering="used")
    def in_use(self, obj: ReviewStandardSet) -> bool:
        return obj.used  # type: ignore[attr-defined]  # annotated by get_queryset

    @admin.action(description=_("Start a new version of the selected set (effective today)"))
    def new_version(self, request, queryset):
        for standard_set in queryset:
            try:
                created = review_standard_set_new_version(
                    actor=request.user,
                    standard_set=standard_set,
                    effective_from=timezone.localdate(),
                )
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, text, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Created %(set)s; edit its standards before reviews open under it.")
                    % {"set": created},
                    messages.SUCCESS,
                )


@admin.register(ReviewStandard)
class ReviewStandardAdmin(admin.ModelAdmin):
    list_display = ("__str__", "code", "title_zh", "standard_set")
    list_filter = ("standard_set",)
    list_select_related = ("standard_set",)
    search_fields = ("code", "title_en", "title_zh", "standard_set__name")
    ordering = ("standard_set__name", "-standard_set__version", "ordinal")

    def has_change_permission(self, request, obj=None):
        if obj is not None and _standard_set_in_use(obj.standard_set_id):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _standard_set_in_use(obj.standard_set_id):
            return False
        return super().has_delete_permission(request, obj)


class ReviewAssignmentInline(admin.TabularInline):
    """Existing assignments are shown; new ones go through review_assign (conflict checks)."""

    model = ReviewAssignment
    fields = ("reviewer", "assigned_by", "assigned_at", "no_conflict_declared_at")
    readonly_fields = ("assigned_by", "assigned_at", "no_conflict_declared_at")
    autocomplete_fields = ("reviewer",)
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reviewer", "assigned_by")


class JudgementInline(ViewOnlyMixin, admin.TabularInline):
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
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("standard", "reviewer", "supersedes__standard")
        )


class DecisionInline(ViewOnlyMixin, admin.StackedInline):
    model = Decision
    fields = (
        "outcome",
        "rationale",
        "internal_notes",
        ("valid_from", "valid_to"),
        "decided_by",
        "supersedes",
        "accreditation",
        "decided_at",
    )
    readonly_fields = (
        "outcome",
        "rationale",
        "internal_notes",
        "valid_from",
        "valid_to",
        "decided_by",
        "supersedes",
        "accreditation",
        "decided_at",
    )
    extra = 0

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("decided_by", "accreditation", "supersedes__review__credential")
        )


def _copy_onto(target, source) -> None:
    """Make the admin's unsaved object the row a service created, for the admin's redirect."""
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False


@admin.register(Review)
class ReviewAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    list_display = ("credential", "review_type", "stage", "due_date", "standard_set", "opened_by")
    list_filter = ("stage", "review_type", "standard_set")
    list_select_related = ("credential", "standard_set", "opened_by")
    search_fields = (
        "credential__registration_number",
        "credential__title_en",
        "credential__title_zh",
    )
    ordering = ("due_date",)
    autocomplete_fields = ("credential",)
    inlines = (ReviewAssignmentInline, JudgementInline, DecisionInline)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("credential", "review_type", "target_working_days", "due_date")
        return (
            "credential",
            "review_type",
            "standard_set",
            "stage",
            "cancel_reason",
            "target_working_days",
            "due_date",
            "opened_by",
            *TIMESTAMPS,
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # Stage moves with the workflow (declare, decide, cancel), never by hand.
        return (
            "credential",
            "review_type",
            "standard_set",
            "stage",
            "cancel_reason",
            "opened_by",
            *TIMESTAMPS,
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            # Filled in by review_open, which works the due date out when it is left blank.
            form.base_fields["due_date"].required = False
        return form

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        try:
            review = review_open(
                actor=request.user,
                credential=data["credential"],
                review_type=data["review_type"],
                due_date=data.get("due_date"),
                target_working_days=data.get("target_working_days"),
            )
        except PermissionDenied as error:
            raise _as_validation_error(error) from error
        _copy_onto(obj, review)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ReviewAssignment:
            super().save_formset(request, form, formset, change)
            return
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.extra_forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data.get("reviewer"):
                continue
            reviewer = inline_form.cleaned_data["reviewer"]
            try:
                assignment = review_assign(
                    actor=request.user, review=form.instance, reviewer=reviewer
                )
            except PermissionDenied as error:
                raise _as_validation_error(error) from error
            formset.new_objects.append(assignment)


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    list_display = ("review", "reviewer", "assigned_by", "assigned_at", "no_conflict_declared_at")
    list_select_related = ("review__credential", "reviewer", "assigned_by")
    search_fields = (
        "reviewer__username",
        "reviewer__email",
        "review__credential__registration_number",
    )
    ordering = ("-assigned_at",)
    autocomplete_fields = ("review", "reviewer")
    readonly_fields = ("assigned_by", "assigned_at", "no_conflict_declared_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("review", "reviewer")
        return ("review", "reviewer", "assigned_by", "assigned_at", "no_conflict_declared_at")

    def has_change_permission(self, request, obj=None):
        # The declaration is the reviewer's own act; an assignment is made or withdrawn.
        return False

    def save_model(self, request, obj, form, change):
        try:
            assignment = review_assign(
                actor=request.user,
                review=form.cleaned_data["review"],
                reviewer=form.cleaned_data["reviewer"],
            )
        except PermissionDenied as error:
            raise _as_validation_error(error) from error
        _copy_onto(obj, assignment)

    def delete_model(self, request, obj):
        review_unassign(actor=request.user, assignment=obj)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("review", "reviewer"):
            review_unassign(actor=request.user, assignment=assignment)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Judgement)
class JudgementAdmin(ServiceErrorsMixin, AppendOnlyMixin, admin.ModelAdmin):
    """Staff who are assigned to a review may record a judgement here, as on the review page."""

    list_display = ("review", "standard", "outcome", "reviewer", "recorded_at", "supersedes")
    list_filter = ("outcome",)
    list_select_related = ("review__credential", "standard", "reviewer", "supersedes__standard")
    search_fields = ("review__credential__registration_number", "standard__title_en", "comment")
    ordering = ("-recorded_at",)
    autocomplete_fields = ("review", "standard", "supersedes")
    readonly_fields = ("reviewer", "recorded_at")

    def get_fields(self, request, obj=None):
        fields = ("review", "standard", "outcome", "comment", "evidence_url", "evidence_file")
        if obj is None:
            return (*fields, "supersedes")
        return (*fields, "reviewer", "supersedes", "recorded_at")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            judgement = judgement_record(
                actor=request.user,
                review=data["review"],
                standard=data["standard"],
                outcome=data["outcome"],
                comment=data["comment"],
                evidence_url=data.get("evidence_url", ""),
                evidence_file=data.get("evidence_file") or None,
                supersedes=data.get("supersedes"),
            )
        except PermissionDenied as error:
            raise _as_validation_error(error) from error
        _copy_onto(obj, judgement)


class ConditionInline(admin.TabularInline):
    """Conditions are given with a new decision; later they are only confirmed met."""

    model = Condition
    fields = ("text", "due_date", "state", "met_confirmed_by", "met_confirmed_at")
    readonly_fields = ("state", "met_confirmed_by", "met_confirmed_at")
    extra = 0

    def has_add_permission(self, request, obj=None):
        return obj is None

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("met_confirmed_by")


@admin.register(Decision)
class DecisionAdmin(ServiceErrorsMixin, AppendOnlyMixin, admin.ModelAdmin):
    """A decision, or a correction naming the one it supersedes, recorded by review_decide."""

    list_display = ("review", "outcome", "valid_from", "valid_to", "decided_by", "decided_at")
    list_filter = ("outcome",)
    list_select_related = ("review__credential", "decided_by")
    search_fields = ("review__credential__registration_number", "rationale")
    ordering = ("-decided_at",)
    autocomplete_fields = ("review", "supersedes")
    readonly_fields = ("decided_by", "decided_at", "accreditation")
    inlines = (ConditionInline,)

    def get_fields(self, request, obj=None):
        fields = (
            "review",
            "outcome",
            "rationale",
            "internal_notes",
            ("valid_from", "valid_to"),
            "supersedes",
        )
        if obj is None:
            return fields
        return (*fields, "decided_by", "decided_at", "accreditation")

    def save_model(self, request, obj, form, change):
        # Written with its conditions in save_related, where the inline rows are at hand.
        pass

    def save_related(self, request, form, formsets, change):
        conditions = [
            ConditionDraft(text=row.cleaned_data["text"], due_date=row.cleaned_data["due_date"])
            for formset in formsets
            for row in formset.forms
            if row.has_changed() and row.cleaned_data and not row.cleaned_data.get("DELETE")
        ]
        data = form.cleaned_data
        try:
            decision = review_decide(
                actor=request.user,
                review=data["review"],
                outcome=data["outcome"],
                rationale=data["rationale"],
                internal_notes=data.get("internal_notes", ""),
                valid_from=data.get("valid_from"),
                valid_to=data.get("valid_to"),
                conditions=conditions,
                supersedes=data.get("supersedes"),
            )
        except PermissionDenied as error:
            raise _as_validation_error(error) from error
        _copy_onto(form.instance, decision)
        created = list(decision.conditions.all())
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = created, [], []


class ConditionEventInline(ViewOnlyMixin, admin.TabularInline):
    """The condition's history: written by the services, never edited (append-only)."""

    model = ConditionEvent
    fields = ("recorded_at", "kind", "from_state", "to_state", "actor", "note")
    readonly_fields = fields
    ordering = ("recorded_at", "pk")
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Condition)
class ConditionAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Conditions come with decisions; here registry staff confirm that one has been met."""

    list_display = ("__str__", "decision", "due_date", "state", "met_confirmed_by")
    list_filter = ("state",)
    list_select_related = ("decision__review__credential", "met_confirmed_by")
    search_fields = ("text", "decision__review__credential__registration_number")
    ordering = ("due_date",)
    readonly_fields = (
        "decision",
        "text",
        "due_date",
        "state",
        "met_confirmed_by",
        "met_confirmed_at",
        "reminded_at",
        *TIMESTAMPS,
    )
    actions = ("confirm_met",)
    inlines = (ConditionEventInline,)

    @admin.action(description=_("Confirm that the selected conditions are met"))
    def confirm_met(self, request, queryset):
        confirmed = 0
        for condition in queryset:
            try:
                condition_confirm_met(actor=request.user, condition=condition)
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, f"{condition}: {text}", messages.ERROR)
            else:
                confirmed += 1
        if confirmed:
            self.message_user(
                request,
                _("%(n)d condition(s) confirmed as met.") % {"n": confirmed},
                messages.SUCCESS,
            )


@admin.register(ConditionEvent)
class ConditionEventAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Every change to a condition, as the services recorded it: shown, never edited."""

    list_display = ("condition", "kind", "from_state", "to_state", "actor", "recorded_at")
    list_filter = ("kind", "to_state")
    list_select_related = ("condition", "actor")
    search_fields = (
        "condition__text",
        "condition__decision__review__credential__registration_number",
    )
    ordering = ("-recorded_at",)
    show_full_result_count = False


@admin.register(SentNotice)
class SentNoticeAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Which review e-mails went out: written by the mail tasks, so a retry never mails twice."""

    list_display = ("kind", "object_id", "sent_at")
    list_filter = ("kind",)
    ordering = ("-sent_at",)
    show_full_result_count = False
