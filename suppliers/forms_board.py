"""Forms of the partner board. The services decide what the clock and the rules allow."""

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .models import PartnerPost
from .services.board import MESSAGE_MAX_LENGTH

POST_MAX_LENGTH = 3000


class PartnerPostForm(forms.ModelForm):
    class Meta:
        model = PartnerPost
        fields = ["brings", "seeks"]
        widgets = {
            "brings": forms.Textarea(attrs={"rows": 4, "maxlength": POST_MAX_LENGTH}),
            "seeks": forms.Textarea(attrs={"rows": 4, "maxlength": POST_MAX_LENGTH}),
        }
        help_texts = {
            "brings": _("Your skills, product or references that matter for this challenge."),
            "seeks": _("The partner you need: skills, sector, region."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("brings", "seeks"):
            self.fields[name].max_length = POST_MAX_LENGTH
            self.fields[name].validators.append(MaxLengthValidator(POST_MAX_LENGTH))


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The other organisation sees your organisation's name, not your name or address."),
    )
