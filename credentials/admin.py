from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from .choices import (
    ChangeRequestState,
    CredentialStatus,
    QualityMark,
)
from .forms import LinesArrayField
from .models import (
    AccreditationRecord,
    ChangeRequest,
    Credential,
    CredentialStatusChange,
    CredentialVersion,
    Pathway,
    PathwayComponent,
    RecognitionAgreement,
    SearchTerm,
)
from .numbers import registration_key
from .services import (
    EDITABLE_FIELDS,
    change_request_decide,
    credential_create,
    credential_transition,
    credential_update,
)

TIMESTAMPS = ("created_at", "updated_at")


class ViewOnlyMixin:
    """History written by services: the admin shows it and never edits it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CredentialForm(forms.ModelForm):
    quality_marks = forms.MultipleChoiceField(
        label=_("quality marks"),
        choices=QualityMark.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    status_reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_(
            "Recorded in the history. Needed to change what the registry owns (validity, "
            "registration number, quality marks, external status) and to override the lifecycle."
        ),
    )
    override_lifecycle = forms.BooleanField(
        label=_("override the lifecycle"),
        required=False,
        help_text=_(
            "Make a status move the lifecycle does not allow, e.g. to repair the register. "
            "Recorded as an override with your name and the reason."
        ),
    )

    # Rules across fields and records are the services'; the admin reports their refusals.
    def validate_constraints(self):
        return None


class QualityMarkFilter(admin.SimpleListFilter):
    title = _("quality mark")
    parameter_name = "quality_mark"

    def lookups(self, request, model_admin):
        return QualityMark.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(quality_marks__contains=[self.value()])
        return queryset


class AccreditationRecordInline(ViewOnlyMixin, admin.TabularInline):
    model = AccreditationRecord
    fields = (
        "accreditor",
        "reference",
        "valid_from",
        "valid_to",
        "status",
        "source",
        "last_checked_at",
    )
    readonly_fields = fields
    extra = 0


class CredentialStatusChangeInline(ViewOnlyMixin, admin.TabularInline):
    model = CredentialStatusChange
    fields = ("changed_at", "from_status", "to_status", "source", "changed_by", "reason")
    readonly_fields = fields
    ordering = ("-changed_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    form = CredentialForm
    list_display = (
        "registration_number",
        "title_en",
        "title_zh",
        "kind",
        "level",
        "provider",
        "status",
        "valid_to",
    )
    list_filter = ("status", "kind", "level__framework", QualityMarkFilter)
    list_select_related = ("provider", "level__framework")
    search_fields = ("registration_number", "title_en", "title_zh")
    search_help_text = _("Registration number (any separators), or English or Chinese title.")
    # The registration key has a unique index, so paging a million rows stays cheap.
    ordering = ("registration_key",)
    show_full_result_count = False
    autocomplete_fields = ("provider", "awarding_body", "level", "area_of_study", "superseded_by")
    readonly_fields = (
        "registration_key",
        "status_changed_at",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    )
    fieldsets = (
        (
            _("Identity"),
            {
                "fields": (
                    ("registration_number", "registration_key"),
                    "kind",
                    "title_en",
                    "title_zh",
                    "qualification_type",
                    "provider",
                    "awarding_body",
                    "area_of_study",
                    "summary_en",
                    "summary_zh",
                )
            },
        ),
        (
            _("Level and size"),
            {
                "fields": (
                    "level",
                    ("credits", "ects_credits"),
                    ("notional_hours", "guided_learning_hours"),
                )
            },
        ),
        (
            _("EU standard elements"),
            {
                "fields": (
                    "learning_outcomes_en",
                    "learning_outcomes_zh",
                    "assessment_type",
                    "supervision",
                    "mode_of_delivery",
                    "quality_assurance_type",
                    "prerequisites",
                    "languages",
                    "stackable",
                    "further_information_url",
                )
            },
        ),
        (_("Fees and quality marks"), {"fields": (("fee", "fee_currency"), "quality_marks")}),
        (
            _("Validity and status"),
            {
                "fields": (
                    ("valid_from", "valid_to"),
                    "status",
                    "teach_out_ends_on",
                    "superseded_by",
                    "status_reason",
                    "override_lifecycle",
                    "status_changed_at",
                )
            },
        ),
        (_("External register"), {"fields": ("external_register", "external_status")}),
        (
            _("Audit"),
            {
                "classes": ("collapse",),
                "fields": (("created_at", "created_by"), ("updated_at", "updated_by")),
            },
        ),
    )
    inlines = (AccreditationRecordInline, CredentialStatusChangeInline)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("learning_outcomes_en", "learning_outcomes_zh"):
            kwargs.update(form_class=LinesArrayField, help_text=_("One outcome a line."))
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        """Also match the registration key, so separators and case do not matter."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        key = registration_key(search_term)
        if key:
            results |= queryset.filter(registration_key=key)
        return results, may_have_duplicates

    def has_delete_permission(self, request, obj=None):
        # Register facts stay: withdrawal is a status change.
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A refusal by the services is shown as a message; the admin's transaction rolls
        back everything the save began."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, PermissionDenied) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, text, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        """Save through the same services as the workspace and the API, then move the status
        through the lifecycle (or a recorded override)."""
        data = form.cleaned_data
        reason = data["status_reason"]
        if change:
            values = {name: data[name] for name in form.changed_data if name in EDITABLE_FIELDS}
            result = credential_update(
                actor=request.user, credential=obj, values=values, reason=reason
            )
            credential = result.credential
            if result.change_request is not None:
                self.message_user(
                    request,
                    _("The changes to %(fields)s were sent for approval as a change request.")
                    % {"fields": ", ".join(sorted(result.change_request.changes))},
                    messages.WARNING,
                )
        else:
            values = {name: data[name] for name in EDITABLE_FIELDS if name in data}
            credential = credential_create(
                actor=request.user, provider=data["provider"], values=values
            )
        moves = data["status"] != credential.status
        superseding = moves and data["status"] == CredentialStatus.SUPERSEDED
        if "superseded_by" in form.changed_data and not superseding:
            raise ValidationError(
                {"superseded_by": _("The successor is named with a move to superseded.")}
            )
        if moves:
            credential_transition(
                actor=request.user,
                credential=credential,
                to_status=data["status"],
                reason=reason,
                force=data["override_lifecycle"],
                superseded_by=data.get("superseded_by") if superseding else None,
            )
        obj.pk = credential.pk
        obj.refresh_from_db()


@admin.register(AccreditationRecord)
class AccreditationRecordAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Written by QA decisions and status checks, the services that own them."""

    list_display = (
        "credential",
        "accreditor",
        "reference",
        "status",
        "valid_from",
        "valid_to",
        "source",
        "last_checked_at",
    )
    list_filter = ("status", "source")
    list_select_related = ("credential",)
    search_fields = ("accreditor", "reference", "credential__registration_number")
    ordering = ("valid_to",)
    show_full_result_count = False
    autocomplete_fields = ("credential",)
    readonly_fields = ("last_checked_at", *TIMESTAMPS)


@admin.register(CredentialStatusChange)
class CredentialStatusChangeAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("credential", "from_status", "to_status", "source", "changed_by", "changed_at")
    list_filter = ("to_status", "source")
    list_select_related = ("credential", "changed_by")
    search_fields = ("credential__registration_number", "reason")
    ordering = ("-changed_at",)
    show_full_result_count = False


class PathwayComponentInline(admin.TabularInline):
    model = PathwayComponent
    fields = ("credential", "credits_counted", "is_required")
    autocomplete_fields = ("credential",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("credential")


@admin.register(Pathway)
class PathwayAdmin(admin.ModelAdmin):
    list_display = ("name_en", "name_zh", "award", "credits_required")
    list_select_related = ("award",)
    search_fields = ("name_en", "name_zh", "award__registration_number", "award__title_en")
    ordering = ("name_en",)
    autocomplete_fields = ("award",)
    readonly_fields = TIMESTAMPS
    inlines = (PathwayComponentInline,)


@admin.register(PathwayComponent)
class PathwayComponentAdmin(admin.ModelAdmin):
    list_display = ("pathway", "credential", "credits_counted", "is_required")
    list_filter = ("is_required",)
    list_select_related = ("pathway", "credential")
    search_fields = ("pathway__name_en", "credential__registration_number", "credential__title_en")
    ordering = ("pathway__name_en", "credential__title_en")
    autocomplete_fields = ("pathway", "credential")


@admin.register(RecognitionAgreement)
class RecognitionAgreementAdmin(admin.ModelAdmin):
    list_display = (
        "recognising_provider",
        "credential",
        "target_credential",
        "credits_recognised",
        "valid_from",
        "valid_to",
    )
    list_select_related = ("recognising_provider", "credential", "target_credential")
    search_fields = (
        "recognising_provider__name_en",
        "recognising_provider__name_zh",
        "credential__registration_number",
        "credential__title_en",
    )
    ordering = ("recognising_provider__name_en", "-valid_from")
    autocomplete_fields = ("recognising_provider", "credential", "target_credential")
    readonly_fields = TIMESTAMPS


@admin.register(SearchTerm)
class SearchTermAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """The "did you mean" vocabulary: rebuilt from the register, never edited by hand."""

    list_display = ("word", "frequency")
    search_fields = ("word",)
    ordering = ("-frequency", "word")
    readonly_fields = ("word", "frequency")


@admin.register(CredentialVersion)
class CredentialVersionAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("credential", "number", "actor", "source", "created_at")
    list_filter = ("source",)
    list_select_related = ("credential", "actor")
    search_fields = ("credential__registration_number", "credential__title_en")
    ordering = ("-created_at",)
    show_full_result_count = False
    readonly_fields = (
        "credential",
        "number",
        "actor",
        "source",
        "reason",
        "changes",
        "snapshot",
        "created_at",
    )


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    """Reviewed changes and providers' requests (validity, quality marks), decided through
    the service."""

    list_display = ("credential", "state", "requested_by", "requested_at", "decided_by")
    list_filter = ("state",)
    list_select_related = ("credential", "requested_by", "decided_by")
    search_fields = ("credential__registration_number", "credential__title_en")
    ordering = ("-requested_at",)
    readonly_fields = (
        "credential",
        "changes",
        "reason",
        "state",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "decision_note",
    )
    actions = ("approve", "reject")

    # Deciding is a registry administrator's act; the service checks it again.
    def has_decide_permission(self, request) -> bool:
        return request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, *, approve: bool) -> None:
        for change_request in queryset.filter(state=ChangeRequestState.PENDING):
            try:
                change_request_decide(
                    actor=request.user, change_request=change_request, approve=approve
                )
            except ValidationError as error:
                self.message_user(
                    request, f"{change_request}: {'; '.join(error.messages)}", messages.ERROR
                )

    @admin.action(description=_("Approve and apply the selected changes"), permissions=["decide"])
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Reject the selected changes"), permissions=["decide"])
    def reject(self, request, queryset):
        self._decide(request, queryset, approve=False)
