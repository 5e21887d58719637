"""The dashboards' period filter and the programme settings forms."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation

from .models import FIRST_YEAR, LAST_YEAR, Programme
from .selectors import MAX_YEARS, Period


class PeriodForm(forms.Form):
    """?from=YYYY&to=YYYY. The fields are named after the query string ("from" is a Python keyword, so
    they are added in __init__)."""

    def __init__(self, *args, default: Period, **kwargs):
        kwargs.setdefault("initial", {"from": default.first, "to": default.last})
        super().__init__(*args, **kwargs)
        self.default = default
        self.fields["from"] = forms.IntegerField(
            label=_("From year"), min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False
        )
        self.fields["to"] = forms.IntegerField(
            label=_("To year"), min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False
        )
        self.fields["from"].widget.attrs.update({"inputmode": "numeric", "placeholder": str(default.first)})
        self.fields["to"].widget.attrs.update({"inputmode": "numeric", "placeholder": str(default.last)})

    def clean(self):
        data = super().clean()
        first, last = data.get("from"), data.get("to")
        if self.errors:
            return data
        # A missing end is the default's; a missing start makes a period as long as the default's.
        last = last if last is not None else self.default.last
        first = first if first is not None else last - (self.default.last - self.default.first)
        if first > last:
            raise ValidationError(_("The first year must not be after the last year."))
        if last - first + 1 > MAX_YEARS:
            raise ValidationError(_("Choose at most %(years)s years.") % {"years": MAX_YEARS})
        data["period"] = Period(max(first, FIRST_YEAR), last)
        return data

    @property
    def period(self) -> Period:
        """The chosen period, or the default when the input is missing or wrong."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period"]
        return self.default


def _buyers_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Buying organisations the programme follows"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.BUYER).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class ProgrammeSettingsForm(forms.Form):
    innovative_share_target = forms.DecimalField(
        label=_("Target for the innovative share (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text=_("The share of procurement, by count and by value, that should be innovative."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyers"] = _buyers_field()


class ProgrammeCreateForm(ProgrammeSettingsForm):
    organisation = forms.ModelChoiceField(
        label=_("Programme organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("Only programme organisations that have no dashboard yet are listed."),
    )
    field_order = ["organisation", "innovative_share_target", "buyers"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            kind=OrganisationKind.PROGRAMME, insight_programme__isnull=True
        ).order_by("name")
        self.order_fields(self.field_order)
        self.fields["innovative_share_target"].initial = Programme._meta.get_field(
            "innovative_share_target"
        ).default
