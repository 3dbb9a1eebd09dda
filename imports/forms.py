"""The upload form of the import pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from providers.models import Provider

from .choices import ImportFormat


class ImportForm(forms.Form):
    format = forms.ChoiceField(label=_("format"), choices=ImportFormat.choices)
    file = forms.FileField(label=_("file"))
    provider = forms.ModelChoiceField(
        label=_("provider"),
        queryset=Provider.objects.none(),
        required=False,
        help_text=_("Every row goes to this provider; blank to take it from the file."),
    )
    dry_run = forms.BooleanField(label=_("dry run: check and count, write nothing"), required=False)
    skip_bad_rows = forms.BooleanField(
        label=_("import the good rows even when others have errors"), required=False
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]  # a ModelChoiceField
