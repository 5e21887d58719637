"""The case-study form: what a person writes. It validates and keeps what was typed; the services in
challenges/casestudies/services.py do the writing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from challenges.forms import CPVCodesField, cpv_picker_attrs
from challenges.models import CPVCode, Theme

from .models import CaseStudy
from .services import EDITABLE_FIELDS, RELATED_FIELDS


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class CaseStudyForm(forms.ModelForm):
    cpv_codes = CPVCodesField(
        label=_("CPV codes"),
        help_text=_("The Common Procurement Vocabulary codes of what you bought, separated by commas."),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"), queryset=Theme.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = CaseStudy
        fields = [*EDITABLE_FIELDS, *RELATED_FIELDS]
        widgets = {
            "need": _textarea(6),
            "market_engagement": _textarea(4),
            "result": _textarea(4),
            "outcome_against_indicators": _textarea(6),
            "lessons": _textarea(6),
            "would_do_differently": _textarea(4),
            "contacts": _textarea(3),
        }
        help_texts = {
            "route": _("The procurement route you chose, as other cities would look it up."),
            "result": _("What you bought, or what you learnt if nothing was bought."),
            "would_do_differently": _("The advice you would give a city starting the same journey."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["route"].choices = [("", _("Not stated")), *self.fields["route"].choices[1:]]
        self.fields["capability"].choices = [
            ("", _("None in particular")),
            *self.fields["capability"].choices[1:],
        ]
        # The challenge editor's CPV picker (static/js/challenges/cpv-picker.js); without it, typed codes.
        initial_codes = [code for code in self.initial.get("cpv_codes") or [] if isinstance(code, CPVCode)]
        self.fields["cpv_codes"].widget.attrs.update(cpv_picker_attrs(initial_codes))

    def _post_clean(self):
        # The service writes; the model's own validation (the challenge link, the source) is its business.
        pass

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
