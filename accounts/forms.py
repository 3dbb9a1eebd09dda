from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """A 6-digit code from an authenticator app."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
