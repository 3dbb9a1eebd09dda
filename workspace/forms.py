"""Forms for authoring register entries in the provider workspace."""

from typing import cast

from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.db.models import Field
from django.utils.translation import gettext_lazy as _

from credentials.choices import CredentialStatus, QualityMark
from credentials.forms import LinesArrayField
from credentials.lifecycle import REGISTRY_FIELDS
from credentials.models import Credential
from credentials.selectors import credential_by_number
from qualifications.models import Level


class LevelChoiceField(forms.ModelChoiceField):
    """Levels grouped under their framework, lowest first."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Level.objects.select_related("framework").order_by(
                "framework__code", "ordinal"
            ),
            **kwargs,
        )

    def label_from_instance(self, level: Level) -> str:
        return f"{level.framework.code} — {level.name_en}"


# Fields in the order the form shows them; English and Chinese sit side by side in the page.
CREDENTIAL_FORM_FIELDS = [
    "registration_number",
    "kind",
    "title_en",
    "title_zh",
    "qualification_type",
    "awarding_body",
    "level",
    "area_of_study",
    "credits",
    "notional_hours",
    "ects_credits",
    "guided_learning_hours",
    "summary_en",
    "summary_zh",
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
    "fee",
    "fee_currency",
    "quality_marks",
    "valid_from",
    "valid_to",
]


class CredentialForm(forms.ModelForm):
    """Field-level validation only; rules across fields and records live in the services."""

    level = LevelChoiceField(label=_("level"), required=False)
    learning_outcomes_en = LinesArrayField(
        forms.CharField(),
        label=_("learning outcomes (English)"),
        required=False,
        help_text=_("One outcome a line."),
    )
    learning_outcomes_zh = LinesArrayField(
        forms.CharField(),
        label=_("learning outcomes (Chinese)"),
        required=False,
        help_text=_("One outcome a line."),
    )
    languages = SimpleArrayField(
        forms.CharField(max_length=16),
        label=_("languages of instruction"),
        required=False,
        help_text=_("Comma-separated codes, e.g. en, zh-hant, yue."),
    )
    quality_marks = forms.MultipleChoiceField(
        label=_("quality marks"),
        choices=QualityMark.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Credential
        fields = CREDENTIAL_FORM_FIELDS
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
            "summary_en": forms.Textarea(attrs={"rows": 3}),
            "summary_zh": forms.Textarea(attrs={"rows": 3}),
            "prerequisites": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, registry_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_number"].required = False
        self.fields["registration_number"].help_text = _(
            "Leave blank for a provisional number; the registry assigns one on registration."
        )
        if not registry_admin:
            # Facts the registry owns are not the provider's to set; the record page shows
            # them and offers to ask the registry for a change.
            for name in REGISTRY_FIELDS & set(self.fields):
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        # A crafted post naming a registry-owned fact is refused, not silently dropped.
        for name in sorted((REGISTRY_FIELDS & set(self.data)) - set(self.fields)):
            self.add_error(
                None,
                _(
                    "%(field)s is set by the registry, not by a provider. Ask for a change "
                    "with “Ask the registry” on the record page."
                )
                % {
                    "field": str(
                        cast(Field, Credential._meta.get_field(name)).verbose_name
                    ).capitalize()
                },
            )
        return cleaned

    # Model constraints are checked by the services against the record as it will be saved.
    def validate_constraints(self):
        return None

    def _post_clean(self):
        return None

    def values(self) -> dict:
        """The cleaned values the services take, only those the user could change."""
        return {name: self.cleaned_data[name] for name in self.changed_data}


class SuccessorField(forms.CharField):
    """A record's next version, by its registration number (separators do not matter)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("superseded by (registration number)"))
        super().__init__(max_length=40, required=False, **kwargs)

    def clean(self, value):
        number = super().clean(value).strip()
        if not number:
            return None
        successor = credential_by_number(number)
        if successor is None:
            raise forms.ValidationError(
                _("No record has the registration number “%(number)s”."),
                params={"number": number},
            )
        return successor


class RegistryRequestForm(forms.Form):
    """A provider asks the registry for a validity change or a quality mark, or to put the
    record into teach-out or mark it superseded by its next version."""

    valid_from = forms.DateField(
        label=_("valid from"), required=False, widget=forms.DateInput({"type": "date"})
    )
    valid_to = forms.DateField(
        label=_("valid to"), required=False, widget=forms.DateInput({"type": "date"})
    )
    quality_marks = forms.MultipleChoiceField(
        label=_("quality marks"),
        choices=QualityMark.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    status = forms.ChoiceField(
        label=_("move to"),
        choices=[
            ("", _("(no change of status)")),
            (CredentialStatus.TEACH_OUT, CredentialStatus.TEACH_OUT.label),
            (CredentialStatus.SUPERSEDED, CredentialStatus.SUPERSEDED.label),
        ],
        required=False,
    )
    teach_out_ends_on = forms.DateField(
        label=_("teach-out ends on"), required=False, widget=forms.DateInput({"type": "date"})
    )
    superseded_by = SuccessorField()
    reason = forms.CharField(
        label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def values(self) -> dict:
        """Only what the provider changed from the record as it stands."""
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name != "reason" and self.cleaned_data[name] not in (None, "")
        }


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=CredentialStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    teach_out_ends_on = forms.DateField(label=_("teach-out ends on"), required=False)
    superseded_by = SuccessorField()


class PathwayForm(forms.Form):
    name_en = forms.CharField(label=_("name (English)"), max_length=300)
    name_zh = forms.CharField(label=_("name (Chinese)"), max_length=300, required=False)
    credits_required = forms.DecimalField(
        label=_("credits required"), min_value=0, max_digits=6, decimal_places=1
    )


class PathwayComponentForm(forms.Form):
    registration_number = forms.CharField(label=_("registration number"), max_length=40)
    credits_counted = forms.DecimalField(
        label=_("credits counted"), min_value=0, max_digits=6, decimal_places=1
    )
    is_required = forms.BooleanField(label=_("required"), required=False)


class RecognitionForm(forms.Form):
    registration_number = forms.CharField(
        label=_("registration number of the recognised credential"), max_length=40
    )
    credits_recognised = forms.DecimalField(
        label=_("credits recognised"), min_value=0, max_digits=6, decimal_places=1
    )
    valid_from = forms.DateField(label=_("valid from"), widget=forms.DateInput({"type": "date"}))
    valid_to = forms.DateField(
        label=_("valid to"), required=False, widget=forms.DateInput({"type": "date"})
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea({"rows": 2}))
