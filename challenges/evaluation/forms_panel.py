"""Forms of the panel pages: settings, appointing a member, inviting an expert, removing an evaluator,
and an evaluator's conflict declarations. They check what was typed; the services decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from challenges.forms import DeadlineField
from challenges.forms_lifecycle import DeadlineInput
from portal.accounts.models import Organisation, User

from .models import Panel


class PanelSettingsForm(forms.ModelForm):
    class Meta:
        model = Panel
        fields = ["scoring_deadline", "has_trial_stage"]
        field_classes = {"scoring_deadline": DeadlineField}
        widgets = {"scoring_deadline": DeadlineInput()}
        help_texts = {
            "scoring_deadline": _(
                "When every evaluator should have submitted their scores, in the challenge's time zone. "
                "Evaluators with unsubmitted sheets are reminded 3 days and 1 day before."
            ),
        }


class AppointForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Member of your organisation"),
        queryset=User.objects.none(),
        empty_label=_("Choose a member"),
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["user"].queryset = members
        self.fields["user"].label_from_instance = lambda user: f"{user.full_name} <{user.email}>"


class InviteExpertForm(forms.Form):
    email = forms.EmailField(
        label=_("Expert's email address"),
        help_text=_("They get a link to join the panel after signing in or signing up with this address."),
    )


class RemoveEvaluatorForm(forms.Form):
    reason = forms.CharField(
        label=_("Why they leave the panel"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the evaluation's audit trail."),
    )


class ConfirmForm(forms.Form):
    """Nothing to fill in (open the evaluation, accept an invitation): it carries the error summary."""


class DeclarationForm(forms.Form):
    """One yes/no question per bidding organisation not declared yet, with the reason when yes."""

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = organisations
        for organisation in organisations:
            self.fields[f"conflict_{organisation.pk}"] = forms.TypedChoiceField(
                label=_("Do you have a conflict of interest with %(organisation)s?")
                % {"organisation": organisation.name},
                choices=[("no", _("No")), ("yes", _("Yes"))],
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
            )
            self.fields[f"reason_{organisation.pk}"] = forms.CharField(
                label=_("Nature of the conflict with %(organisation)s") % {"organisation": organisation.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Required when you answer yes: e.g. a former employer, a relative, shares."),
            )

    def clean(self):
        cleaned = super().clean()
        for organisation in self.organisations:
            if (
                cleaned.get(f"conflict_{organisation.pk}")
                and not (cleaned.get(f"reason_{organisation.pk}") or "").strip()
            ):
                self.add_error(f"reason_{organisation.pk}", _("Say what the conflict of interest is."))
        return cleaned

    def answers(self) -> dict[int, tuple[bool, str]]:
        return {
            organisation.pk: (
                self.cleaned_data[f"conflict_{organisation.pk}"],
                self.cleaned_data[f"reason_{organisation.pk}"],
            )
            for organisation in self.organisations
        }
