from django import forms
from django.utils.translation import gettext_lazy as _


class AddressForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        error_messages={
            "required": _("Enter the e-mail address to send the updates to."),
            "invalid": _("Enter an e-mail address such as name@example.org."),
            "max_length": _("An e-mail address has at most 254 characters."),
        },
    )


class FollowSearchForm(AddressForm):
    # The search's parameters, carried from the results page as a query string.
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)
