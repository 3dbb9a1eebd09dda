from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_STATEMENT_LENGTH


class StatementForm(forms.Form):
    """A pasted registry statement."""

    statement = forms.CharField(
        label=_("Registry statement"),
        # One more than the limit, so that the service says why a long paste is refused.
        max_length=MAX_STATEMENT_LENGTH + 1,
        widget=forms.Textarea(
            attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off", "class": "mono"}
        ),
        help_text=_("The signed statement (a VC-JWT: three parts joined by dots)."),
        error_messages={"required": _("Paste a registry statement (a signed VC-JWT).")},
    )
