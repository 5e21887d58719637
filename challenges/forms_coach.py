"""Forms of the needs-not-solutions coach: a rule as staff edit it, the rule list's filters, and the
"try the coach" box."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .coach import InvalidPhrase, normalise_phrase
from .enums import CoachCategory, StatementLanguage
from .models import CoachRule

# The same cap as the live check: a longer text is refused with a message, not checked slowly.
MAX_TEXT_LENGTH = 20_000


class CoachRuleForm(forms.ModelForm):
    class Meta:
        model = CoachRule
        fields = ["language", "category", "phrase", "explanation", "suggestion"]
        widgets = {
            "explanation": forms.Textarea(attrs={"rows": 4}),
            "suggestion": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "phrase": _(
                "Matched as whole words, ignoring case: “app” does not flag “application” or “apps”. End "
                "with * to match any ending (sensor* flags sensors, sensorer, sensorbasert)."
            ),
            "explanation": _("Written in the rule's language, for the procurer who wrote the phrase."),
            "suggestion": _("Written in the rule's language; an example of the need restated helps most."),
        }

    def clean_phrase(self) -> str:
        try:
            return normalise_phrase(self.cleaned_data.get("phrase", ""))
        except InvalidPhrase as error:
            raise forms.ValidationError(str(error)) from error

    def validate_unique(self) -> None:
        # The service checks uniqueness ignoring case ("SAP" and "sap" are one rule to the coach) and
        # reports it on the phrase field; the model's case-sensitive check would only say less, later.
        pass


class CoachRuleFilterForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *StatementLanguage.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *CoachCategory.choices]
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Active and inactive")), ("active", _("Active")), ("inactive", _("Inactive"))],
    )
    q = forms.CharField(label=_("Words"), required=False, max_length=100)

    def clean_q(self) -> str:
        # Used in a LIKE filter only; without control characters (PostgreSQL refuses a NUL in a parameter).
        return "".join(character for character in self.cleaned_data["q"] if character.isprintable()).strip()


class CoachTryForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the text"), choices=StatementLanguage.choices)
    text = forms.CharField(
        label=_("Text to check"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(
            # The live coach (static/js/challenges/coach.js) checks it as it is typed, in the chosen language.
            attrs={"rows": 6, "data-coach": _("Text to check"), "data-coach-language": "#id_language"}
        ),
        help_text=_("For example a challenge's summary. Nothing is saved."),
    )
