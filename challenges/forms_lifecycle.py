"""Forms of the lifecycle and clarification pages. They check what was typed; the services decide what
the challenge's state and the clock allow, and their refusals come back as form errors."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import ScoringScale
from .forms import DeadlineField
from .models import Challenge
from .services.lifecycle import AMENDABLE_FIELDS, CRITERIA_AMENDMENT_MIN_DAYS
from .services.qa import QUESTION_MAX_LENGTH

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DeadlineInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class ConfirmForm(forms.Form):
    """A form with nothing to fill in (submit for review): it carries the error summary."""


class ReviewForm(forms.Form):
    APPROVE, RETURN = "approve", "return"

    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            (APPROVE, _("Approve and publish")),
            (RETURN, _("Return to the authors with comments")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Required when you return the challenge: say what must change."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.RETURN and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say what must change before the challenge can be published."))
        return cleaned


class AmendmentForm(forms.ModelForm):
    """The public text of an open challenge, and what changed and why. Criteria, weights and the scoring
    scale are not here: they are frozen at publication."""

    amendment_summary = forms.CharField(
        label=_("What changed and why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown with the date at the top of the challenge's amendments."),
    )

    class Meta:
        model = Challenge
        fields = list(AMENDABLE_FIELDS)
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in AMENDABLE_FIELDS}


class CriteriaAmendmentForm(forms.Form):
    """The published criteria (name, description, weight of each), the scoring scale, the new deadline for
    proposals (the submission period reopens) and what changed and why. Typed and shown in the challenge's
    time zone: build it inside timezone.override(challenge.deadline_zone)."""

    scoring_scale = forms.TypedChoiceField(
        label=_("Scoring scale"), choices=ScoringScale.choices, coerce=int, widget=forms.RadioSelect
    )
    submission_deadline = DeadlineField(
        label=_("New deadline for proposals"),
        widget=DeadlineInput(),
        help_text=_("Changing the criteria reopens the submission period: at least %(days)s days from now.")
        % {"days": CRITERIA_AMENDMENT_MIN_DAYS},
    )
    amendment_summary = forms.CharField(
        label=_("What changed and why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published with the amendment and sent to followers and everyone with a proposal."),
    )

    ROW = ("name", "description", "weight")

    def __init__(self, *args, challenge: Challenge, **kwargs):
        self.challenge = challenge
        self.criteria = list(challenge.criteria.order_by("position", "pk"))
        kwargs.setdefault(
            "initial",
            {
                "scoring_scale": challenge.scoring_scale,
                **{f"criterion_{c.pk}_{name}": getattr(c, name) for c in self.criteria for name in self.ROW},
            },
        )
        super().__init__(*args, **kwargs)
        criterion_fields = {}
        for number, criterion in enumerate(self.criteria, start=1):
            prefix = f"criterion_{criterion.pk}_"
            criterion_fields[prefix + "name"] = forms.CharField(
                label=_("Criterion %(number)s") % {"number": number}, max_length=200
            )
            criterion_fields[prefix + "description"] = forms.CharField(
                label=_("What evaluators look for (criterion %(number)s)") % {"number": number},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            criterion_fields[prefix + "weight"] = forms.IntegerField(
                label=_("Weight of criterion %(number)s (%%)") % {"number": number},
                min_value=1,
                max_value=100,
            )
        # The criteria first, in their published order, then the scale, the deadline and the summary.
        self.fields = {**criterion_fields, **self.fields}

    def clean_submission_deadline(self):
        deadline = self.cleaned_data["submission_deadline"]
        earliest = timezone.now() + timedelta(days=CRITERIA_AMENDMENT_MIN_DAYS)
        if deadline < earliest:
            raise forms.ValidationError(
                _("Choose a deadline at least %(days)s days from now: suppliers need time to rework.")
                % {"days": CRITERIA_AMENDMENT_MIN_DAYS}
            )
        if self.challenge.submission_deadline and deadline < self.challenge.submission_deadline:
            raise forms.ValidationError(_("The new deadline must not be before the current one."))
        return deadline

    def clean(self):
        cleaned = super().clean()
        weight_names = [f"criterion_{c.pk}_weight" for c in self.criteria]
        weights = [cleaned.get(name) for name in weight_names]
        if None not in weights and sum(weights) != 100:
            message = _("The weights add up to %(total)s; they must add up to 100.") % {"total": sum(weights)}
            for name in weight_names:
                self.add_error(name, message)
        return cleaned

    def criteria_rows(self) -> list[dict]:
        return [
            {"id": c.pk, **{name: self.cleaned_data[f"criterion_{c.pk}_{name}"] for name in self.ROW}}
            for c in self.criteria
        ]


class DeadlineForm(forms.Form):
    submission_deadline = DeadlineField(label=_("New deadline for proposals"), widget=DeadlineInput())
    questions_deadline = DeadlineField(
        label=_("New deadline for questions"),
        required=False,
        widget=DeadlineInput(),
        help_text=_("Leave it empty to keep the current one."),
    )
    summary = forms.CharField(
        label=_("Why the deadline moves"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown with the amendment. Optional."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the challenge is cancelled"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Followers are told, and for a published challenge the reason is shown on its page."),
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Only the buyer sees who asked. If they publish the answer, everyone sees the question "
            "without your name or organisation."
        ),
    )


class AnswerForm(forms.Form):
    PUBLIC, PRIVATE = "public", "private"

    visibility = forms.ChoiceField(
        label=_("Who sees the answer"),
        choices=[
            (PUBLIC, _("Everyone: publish the question and the answer")),
            (PRIVATE, _("Only the organisation that asked")),
        ],
        initial=PUBLIC,
        widget=forms.RadioSelect,
        help_text=_(
            "Answers that matter to every supplier should be published, so all compete on equal terms."
        ),
    )
    public_question = forms.CharField(
        label=_("The question as published"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Remove anything that identifies who asked. The asker's name and organisation are never shown."
        ),
    )
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 6}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("visibility") == self.PUBLIC and not cleaned.get("public_question", "").strip():
            self.add_error("public_question", _("Write the question as it will be published."))
        return cleaned

    @property
    def publish(self) -> bool:
        return self.cleaned_data["visibility"] == self.PUBLIC


class AmendmentDocumentForm(forms.Form):
    """A new document for an open challenge, published as an amendment."""

    title = forms.CharField(label=_("Title of the document"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word, Excel, OpenDocument, PNG, JPEG, plain text or CSV, up to 10 MB."),
    )
    amendment_summary = forms.CharField(
        label=_("What changed and why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published with the amendment and sent to everyone following the challenge."),
    )
