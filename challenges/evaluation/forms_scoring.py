"""Forms of scoring and moderation: one score and one written justification per published criterion.
The fields are optional while a draft is saved; submitting asks the service, whose per-criterion refusals
come back onto these fields (`add_service_errors`)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CriteriaScoreForm(forms.Form):
    """score_<criterion id> and <text_name>_<criterion id> for every criterion, in the criteria's order."""

    text_name = "justification"
    score_label = _("Score for “%(criterion)s” (0 to %(scale)s)")
    text_label = _("Justification for “%(criterion)s”")

    def __init__(self, *args, criteria, scale: int, initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria, self.scale = criteria, scale
        initial_scores = initial_scores or {}
        for criterion in criteria:
            value, text = initial_scores.get(criterion.pk, (None, ""))
            names = {"criterion": criterion.name, "scale": scale}
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=self.score_label % names,
                required=False,
                min_value=0,
                max_value=scale,
                initial=value,
                error_messages={
                    "min_value": _("Give a score from 0 to %(scale)s.") % {"scale": scale},
                    "max_value": _("Give a score from 0 to %(scale)s.") % {"scale": scale},
                    "invalid": _("Give a whole number from 0 to %(scale)s.") % {"scale": scale},
                },
                widget=forms.NumberInput(attrs={"min": 0, "max": scale, "step": 1}),
            )
            self.fields[f"{self.text_name}_{criterion.pk}"] = forms.CharField(
                label=self.text_label % names,
                required=False,
                initial=text,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def rows(self):
        """[(criterion, score field, text field)] for the template."""
        return [
            (criterion, self[f"score_{criterion.pk}"], self[f"{self.text_name}_{criterion.pk}"])
            for criterion in self.criteria
        ]

    def values(self) -> dict[int, tuple[int | None, str]]:
        return {
            criterion.pk: (
                self.cleaned_data.get(f"score_{criterion.pk}"),
                self.cleaned_data.get(f"{self.text_name}_{criterion.pk}", ""),
            )
            for criterion in self.criteria
        }

    def add_service_errors(self, errors: dict[int, dict[str, str]]) -> None:
        for criterion_id, missing in errors.items():
            if "value" in missing:
                self.add_error(f"score_{criterion_id}", missing["value"])
            if "justification" in missing:
                self.add_error(f"{self.text_name}_{criterion_id}", missing["justification"])


class ScoreSheetForm(CriteriaScoreForm):
    SAVE, SUBMIT = "save", "submit"


class ConsensusForm(CriteriaScoreForm):
    text_name = "rationale"
    score_label = _("Consensus score for “%(criterion)s” (0 to %(scale)s)")
    text_label = _("Rationale for “%(criterion)s”")


class ReopenSheetForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the sheet is reopened"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit trail and shown to the evaluator."),
    )
