"""Forms of the proof-of-value stage: shortlisting a proposal, the results per outcome indicator, and the
go / no-go decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import TrialDecision
from .selectors.trials import OutcomeResult


class ShortlistForm(forms.Form):
    proposal = forms.IntegerField(widget=forms.HiddenInput)


class TrialResultsForm(forms.Form):
    """A measured value and a note per outcome of the challenge; outcomes left empty are not recorded."""

    def __init__(self, *args, outcome_results: list[OutcomeResult], **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome_results = outcome_results
        for number, row in enumerate(outcome_results, start=1):
            pk = row.outcome.pk
            self.fields[f"measured_{pk}"] = forms.CharField(
                label=_("Measured: %(indicator)s") % {"indicator": row.outcome.indicator},
                max_length=200,
                required=False,
                initial=row.result.measured if row.result else "",
                help_text=_("Target: %(target)s") % {"target": row.outcome.target},
            )
            self.fields[f"note_{pk}"] = forms.CharField(
                label=_("Note on outcome %(number)s") % {"number": number},
                required=False,
                initial=row.result.note if row.result else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        cleaned = super().clean()
        if self.outcome_results and not any(
            (cleaned.get(f"measured_{row.outcome.pk}") or "").strip() for row in self.outcome_results
        ):
            self.add_error(
                f"measured_{self.outcome_results[0].outcome.pk}",
                _("Record the measured value of at least one outcome indicator."),
            )
        return cleaned

    def results(self) -> list[tuple[int, str, str]]:
        return [
            (
                row.outcome.pk,
                self.cleaned_data[f"measured_{row.outcome.pk}"],
                self.cleaned_data[f"note_{row.outcome.pk}"],
            )
            for row in self.outcome_results
        ]


class TrialDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(TrialDecision.GO, _("Go")), (TrialDecision.NO_GO, _("No go"))],
        widget=forms.RadioSelect,
    )
    summary = forms.CharField(
        label=_("What the trial showed"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kept with the decision and in the evaluation's audit trail."),
    )
