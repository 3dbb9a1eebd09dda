"""Forms for the reviewer and registry pages; the services hold the rules, forms the shapes."""

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from credentials.models import Credential
from credentials.selectors import credential_by_number
from providers.roles import REVIEWERS_GROUP

from .choices import DecisionOutcome, JudgementOutcome, ReviewType
from .models import Decision, Judgement, Review
from .services import ConditionDraft


class DateInput(forms.DateInput):
    input_type = "date"


def reviewer_choices() -> QuerySet:
    """Active members of the reviewers group, by name."""
    return (
        get_user_model()
        .objects.filter(groups__name=REVIEWERS_GROUP, is_active=True)
        .order_by("username")
    )


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name()
        return f"{name} ({user.get_username()})" if name else user.get_username()


class ReviewerMultipleChoiceField(forms.ModelMultipleChoiceField):
    # The same label; only the parameter's name differs from Django's `obj`.
    label_from_instance = ReviewerChoiceField.label_from_instance  # type: ignore[assignment]


class ReviewOpenForm(forms.Form):
    registration_number = forms.CharField(
        label=_("Registration number"),
        max_length=60,
        help_text=_("Of a submitted record, or of a registered one for a later review."),
    )
    review_type = forms.ChoiceField(label=_("Type of review"), choices=ReviewType.choices)
    target_working_days = forms.IntegerField(
        label=_("Target (working days)"),
        min_value=1,
        max_value=250,
        required=False,
        help_text=_("Required for fast-track; sets the due date when none is given."),
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=DateInput,
        help_text=_("Leave blank to work it out from the target or the type."),
    )
    reviewers = ReviewerMultipleChoiceField(
        label=_("Reviewers"),
        queryset=reviewer_choices(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = reviewer_choices()  # type: ignore[attr-defined]  # a ModelChoiceField
        self.credential: Credential | None = None

    def clean_registration_number(self) -> str:
        number = self.cleaned_data["registration_number"].replace("\x00", "").strip()
        credential = credential_by_number(number)
        if credential is None:
            raise forms.ValidationError(_("No record has this registration number."))
        self.credential = credential
        return number


class AssignForm(forms.Form):
    reviewer = ReviewerChoiceField(label=_("Reviewer"), queryset=reviewer_choices())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewer_choices()  # type: ignore[attr-defined]  # a ModelChoiceField


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=2000)


class JudgementForm(forms.Form):
    """One reviewer's judgement of one standard; with ``supersedes`` it is a correction."""

    standard = forms.IntegerField(widget=forms.HiddenInput)
    supersedes = forms.ModelChoiceField(
        queryset=Judgement.objects.none(), required=False, widget=forms.HiddenInput
    )
    outcome = forms.ChoiceField(
        label=_("Judgement"), choices=JudgementOutcome.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )
    evidence_url = forms.URLField(
        label=_("Evidence link"), required=False, max_length=500, assume_scheme="https"
    )
    evidence_file = forms.FileField(label=_("Evidence file"), required=False)

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        self.fields["supersedes"].queryset = Judgement.objects.filter(review=review)  # type: ignore[attr-defined]  # a ModelChoiceField

    def clean_standard(self):
        standard = self.review.standard_set.standards.filter(
            pk=self.cleaned_data["standard"]
        ).first()
        if standard is None:
            raise forms.ValidationError(_("This standard is not in the review's standard set."))
        return standard


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
        help_text=_("The provider reads this."),
    )
    internal_notes = forms.CharField(
        label=_("Internal notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=20_000,
        help_text=_("Only registry staff and this review's reviewers see these."),
    )
    valid_from = forms.DateField(label=_("Validity granted from"), required=False, widget=DateInput)
    valid_to = forms.DateField(label=_("Validity granted to"), required=False, widget=DateInput)
    supersedes = forms.ModelChoiceField(
        queryset=Decision.objects.none(), required=False, widget=forms.HiddenInput
    )
    carry_conditions = forms.BooleanField(
        label=_("Carry the corrected decision's conditions"),
        required=False,
        help_text=_(
            "For an approval with conditions: its conditions continue as they stand; list only "
            "new ones below. Otherwise its open conditions are closed as superseded."
        ),
    )

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supersedes"].queryset = Decision.objects.filter(review=review)  # type: ignore[attr-defined]  # a ModelChoiceField
        if not review.decisions.exists():
            # A first decision has nothing to carry.
            del self.fields["carry_conditions"]


class ConditionForm(forms.Form):
    text = forms.CharField(
        label=_("Condition"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)

    def clean(self) -> dict:
        data = cast(dict[str, Any], super().clean())
        if data.get("text", "").strip() and not data.get("due_date"):
            self.add_error("due_date", _("A condition needs a due date."))
        if data.get("due_date") and not data.get("text", "").strip():
            self.add_error("text", _("Say what the provider must do."))
        return data


ConditionFormSet = forms.formset_factory(ConditionForm, extra=3, max_num=20)


def condition_drafts(formset: forms.BaseFormSet) -> list[ConditionDraft]:
    """The filled-in rows of a valid condition formset."""
    return [
        ConditionDraft(text=form.cleaned_data["text"], due_date=form.cleaned_data["due_date"])
        for form in formset.forms
        if form.cleaned_data.get("text", "").strip()
    ]
