from django import forms
from django.utils.translation import gettext_lazy as _


class SubmitForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("We have checked the proposal and submit it as our answer to this challenge."),
        error_messages={"required": _("Tick the box to confirm that you want to submit the proposal.")},
    )


class WithdrawForm(forms.Form):
    """Nothing to fill in: it carries the error summary of a refused withdrawal."""
