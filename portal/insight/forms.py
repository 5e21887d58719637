"""Forms of the procurement volumes and the capability self-assessment. They check what was typed; the
services decide what the rules allow, and their refusals come back as form errors."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from challenges.casestudies.enums import Capability
from challenges.enums import Currency
from suppliers.forms_proposals import normalise_amount

from .capabilities import level_choices
from .services import MAX_PROCUREMENT_COUNT, assessment_years, volume_years

# Currencies by country, to suggest one for an organisation's first figures.
COUNTRY_CURRENCIES = {"NO": Currency.NOK, "SE": Currency.SEK, "DK": Currency.DKK, "GB": Currency.GBP}


class AmountField(forms.DecimalField):
    """A yearly total as people type it ("1 250 000", "1,250,000.50", "1.250.000,50", "1.250"): read as
    proposal prices are (suppliers.forms_proposals.normalise_amount), dots also separating thousands."""

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_amount(value, dot_thousands=True)
        return super().to_python(value)


class ProcurementVolumeForm(forms.Form):
    year = forms.IntegerField(label=_("Year"))
    procurement_count = forms.IntegerField(
        label=_("Number of procurements"),
        min_value=0,
        max_value=MAX_PROCUREMENT_COUNT,
        help_text=_("Every procurement the organisation concluded that year, innovative or not."),
    )
    procurement_value = AmountField(
        label=_("Total value of procurements"),
        min_value=Decimal("0"),
        max_digits=16,
        decimal_places=2,
        help_text=_("The sum of their contract values, without VAT."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first, last = volume_years()
        self.fields["year"].min_value, self.fields["year"].max_value = first, last
        self.fields["year"].widget.attrs.update({"min": first, "max": last})
        self.fields["year"].help_text = _(
            "A year between %(first)s and %(last)s. Giving a year already recorded replaces its figures."
        ) % {"first": first, "last": last}
        self.fields["procurement_value"].widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        first, last = volume_years()
        if not first <= year <= last:
            raise ValidationError(
                _("Give a year between %(first)s and %(last)s."),
                code="out_of_range",
                params={"first": first, "last": last},
            )
        return year


def default_currency(organisation, last_volume=None) -> str:
    """The currency of the organisation's latest figures, or else its country's."""
    if last_volume is not None:
        return last_volume.currency
    return COUNTRY_CURRENCIES.get(str(organisation.country), Currency.EUR)


class CapabilityAssessmentForm(forms.Form):
    """One radio group per capability (a fieldset with the capability as its legend), each level's
    description as its label; then notes."""

    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What lies behind the answers, and what you plan to do next. Visible to your colleagues."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        notes = self.fields.pop("notes")
        for key in Capability.values:
            self.fields[key] = forms.TypedChoiceField(
                label=Capability(key).label,
                choices=level_choices(key),
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose the level that describes your organisation best.")},
            )
        self.fields["notes"] = notes

    def levels(self) -> dict[str, int]:
        return {key: self.cleaned_data[key] for key in Capability.values}


def assessment_year_is_open(year: int) -> bool:
    first, last = assessment_years()
    return first <= year <= last
