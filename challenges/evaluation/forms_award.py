"""Forms of the award: the decision with its rationale, public summary, standstill and winners (one row per
submitted bid, with the contract value and a note to the bidder). They check what was typed; the service
decides what the evaluation's state allows, and its refusals come back as errors at the fields."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .enums import AwardDecision
from .models import Award
from .selectors.award import Standing
from .services.award import MAX_STANDSTILL_DAYS


class AwardForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (AwardDecision.AWARD, _("Award the contract to the bidder(s) chosen below")),
            (AwardDecision.NO_AWARD, _("No award")),
        ],
        widget=forms.RadioSelect,
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Every bidder reads it with their feedback, and it is in the evaluation report. It is not "
            "published."
        ),
    )
    public_summary = forms.CharField(
        label=_("Public summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=Award._meta.get_field("public_summary").help_text,
    )
    standstill_days = forms.IntegerField(
        label=_("Standstill period (days)"),
        help_text=_("The decision becomes final when it ends; bidders may challenge it until then."),
    )

    def __init__(self, *args, standings: list[Standing], **kwargs):
        super().__init__(*args, **kwargs)
        self.minimum = settings.AWARD_MIN_STANDSTILL_DAYS
        self.standings = standings
        standstill = self.fields["standstill_days"]
        standstill.initial = self.minimum
        standstill.min_value, standstill.max_value = self.minimum, MAX_STANDSTILL_DAYS
        standstill.widget.attrs.update({"min": self.minimum, "max": MAX_STANDSTILL_DAYS})
        standstill.validators.append(self._within_limits)
        for standing in standings:
            pk = standing.proposal.pk
            self.fields[f"award_{pk}"] = forms.BooleanField(
                label=_("Award to %(supplier)s") % {"supplier": standing.proposal.supplier}, required=False
            )
            self.fields[f"value_{pk}"] = forms.DecimalField(
                label=_("Contract value for %(supplier)s") % {"supplier": standing.proposal.supplier},
                required=False,
                min_value=Decimal("0"),
                max_digits=14,
                decimal_places=2,
            )
            self.fields[f"note_{pk}"] = forms.CharField(
                label=_("Note to %(supplier)s") % {"supplier": standing.proposal.supplier},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Optional; only this bidder reads it, with their scores."),
            )

    def _within_limits(self, value):
        # Set after the field was built, min_value and max_value add no validators of their own: these are
        # the field's messages.
        if value is not None and value < self.minimum:
            raise forms.ValidationError(
                _("The standstill period must be at least %(days)s days.") % {"days": self.minimum},
                code="min_value",
            )
        if value is not None and value > MAX_STANDSTILL_DAYS:
            raise forms.ValidationError(
                _("The standstill period can be at most %(days)s days.") % {"days": MAX_STANDSTILL_DAYS},
                code="max_value",
            )

    def rows(self):
        """Each bid's standing with its three fields, for the template."""
        return [
            {
                "standing": standing,
                "award": self[f"award_{standing.proposal.pk}"],
                "value": self[f"value_{standing.proposal.pk}"],
                "note": self[f"note_{standing.proposal.pk}"],
            }
            for standing in self.standings
        ]

    def clean(self):
        cleaned = super().clean()
        chosen = [s.proposal.pk for s in self.standings if cleaned.get(f"award_{s.proposal.pk}")]
        decision = cleaned.get("decision")
        if decision == AwardDecision.AWARD and not chosen:
            self.add_error("decision", _("Choose at least one bidder to award the contract to."))
        if decision == AwardDecision.NO_AWARD and chosen:
            self.add_error("decision", _("With no award, no bidder can be chosen."))
        if decision == AwardDecision.AWARD:
            for pk in chosen:
                if cleaned.get(f"value_{pk}") is None and f"value_{pk}" not in self.errors:
                    self.add_error(f"value_{pk}", _("Give the contract value of this award."))
        return cleaned

    def awarded(self) -> dict[int, Decimal]:
        return {
            s.proposal.pk: self.cleaned_data[f"value_{s.proposal.pk}"]
            for s in self.standings
            if self.cleaned_data.get(f"award_{s.proposal.pk}")
        }

    def notes(self) -> dict[int, str]:
        return {s.proposal.pk: self.cleaned_data.get(f"note_{s.proposal.pk}", "") for s in self.standings}
