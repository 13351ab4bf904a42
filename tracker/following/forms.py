from django import forms
from django.utils.translation import gettext_lazy as _


class FollowForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={
            "required": _("Give your email address."),
            "invalid": _("Give an email address such as name@example.org."),
        },
    )
