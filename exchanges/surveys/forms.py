"""Forms of the survey engine: the answer form (one field per question, named by its key) that the exchanges
app shows to participants, and the builder's forms for staff.

The answer form only reads the shape of what was posted; the rules (required, conditions, each kind's
limits) are the service's, so that a draft can be saved half-done and the preview checks the same rules."""

from django import forms
from django.contrib.humanize.templatetags.humanize import ordinal
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from challenges.forms import DeadlineField

from .enums import CONDITION_KINDS, QuestionKind
from .models import TEXT_DRAFT_MAX_LENGTH, Question, Response, Survey
from .services import SurveyError, check_answers, save_answers, survey_questions


class RankingWidget(forms.MultiWidget):
    """One select per place: "1st choice", "2nd choice" … Works without JavaScript."""

    def __init__(self, places: int, choices) -> None:
        super().__init__([forms.Select(choices=choices) for _place in range(places)])

    def decompress(self, value):
        value = list(value or [])
        return value + [""] * (len(self.widgets) - len(value))


class RankingField(forms.MultiValueField):
    def __init__(self, *, choices, **kwargs) -> None:
        kwargs["required"] = False  # the service decides what is required
        options = [("", pgettext("ranking", "(none)")), *choices]
        fields = [forms.ChoiceField(choices=options, required=False) for _choice in choices]
        super().__init__(
            fields=fields,
            require_all_fields=False,
            widget=RankingWidget(len(choices), options),
            **kwargs,
        )

    def compress(self, data_list) -> list[str]:
        return [value for value in (data_list or []) if value]


def _choices(question: Question) -> list[tuple[str, str]]:
    return [(choice.value, choice.label) for choice in question.choices.all()]


class SurveyAnswerForm(forms.Form):
    """The survey's questions as fields named by their keys. Render it with templates/surveys/
    _answer_form.html; save it with ``save(user=…, submit=…)``."""

    def __init__(self, *, survey: Survey, initial_answers: dict | None = None, data=None, **kwargs) -> None:
        super().__init__(data=data, initial=dict(initial_answers or {}), **kwargs)
        self.survey = survey
        self.questions = survey_questions(survey)
        for question in self.questions:
            self.fields[question.key] = self._field_for(question)

    def _field_for(self, question: Question) -> forms.Field:
        common = {"label": question.text, "help_text": question.help_text, "required": False}
        if question.kind == QuestionKind.SINGLE:
            return forms.ChoiceField(choices=_choices(question), widget=forms.RadioSelect, **common)
        if question.kind == QuestionKind.MULTIPLE:
            return forms.MultipleChoiceField(
                choices=_choices(question), widget=forms.CheckboxSelectMultiple, **common
            )
        if question.kind == QuestionKind.RANKING:
            return RankingField(choices=_choices(question), **common)
        if question.kind == QuestionKind.SCALE:
            return forms.TypedChoiceField(
                choices=[(number, str(number)) for number in question.scale_values],
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                **common,
            )
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_DRAFT_MAX_LENGTH, strip=False, **common
        )

    @property
    def answers(self) -> dict:
        """What was posted that has the right shape, by question key (run is_valid() first)."""
        cleaned = getattr(self, "cleaned_data", {})
        return {key: cleaned[key] for key in self.fields if key in cleaned}

    def items(self) -> list[dict]:
        """What the template needs per question, in order."""
        rows = []
        for question in self.questions:
            bound = self[question.key]
            value = bound.value()
            item = {"question": question, "field": bound, "id": bound.auto_id, "kind": question.kind}
            if question.kind == QuestionKind.RANKING:
                chosen = value if isinstance(value, list) else RankingWidget(0, []).decompress(value)
                chosen = list(chosen) + [""] * (len(question.choices.all()) - len(chosen))
                item["places"] = [
                    {
                        "label": pgettext("ranking", "%(ordinal)s choice") % {"ordinal": ordinal(number)},
                        "name": f"{bound.html_name}_{number - 1}",
                        "id": f"{bound.auto_id}_{number - 1}",
                        "selected": str(chosen[number - 1] or ""),
                    }
                    for number in range(1, len(question.choices.all()) + 1)
                ]
                item["options"] = _choices(question)
            elif question.kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE}:
                selected = value if isinstance(value, list) else [value]
                selected = {str(item) for item in selected if item not in (None, "")}
                options = (
                    [(str(number), str(number)) for number in question.scale_values]
                    if question.kind == QuestionKind.SCALE
                    else _choices(question)
                )
                if question.kind == QuestionKind.SCALE:
                    ends = {0: question.scale_low_label, len(options) - 1: question.scale_high_label}
                    options = [
                        (option, f"{label} – {ends[i]}" if ends.get(i) else label)
                        for i, (option, label) in enumerate(options)
                    ]
                item["options"] = [
                    {
                        "value": option,
                        "label": label,
                        "checked": option in selected,
                        "id": f"{bound.auto_id}_{i}",
                    }
                    for i, (option, label) in enumerate(options)
                ]
            else:
                item["text"] = value or ""
            if question.show_if_id:
                shown_by = next((q for q in self.questions if q.pk == question.show_if_id), None)
                item["show_if_key"] = shown_by.key if shown_by else ""
                item["show_if_values"] = " ".join(question.show_if_values)
            rows.append(item)
        return rows

    def _add_service_errors(self, error: ValidationError) -> None:
        for key, messages in error.message_dict.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)

    def save(self, *, user, submit: bool) -> Response | None:
        """Save the answers (submit or keep as a draft). Returns the response, or None with the errors on
        the form; what was valid is saved as the draft even then."""
        self.is_valid()
        if self.errors:
            submit = False  # a shape error (e.g. a tampered option): keep the rest, show the error
        try:
            response = save_answers(survey=self.survey, user=user, data=self.answers, submit=submit)
        except ValidationError as error:
            self._add_service_errors(error)
            return None
        except SurveyError as error:
            self.add_error(None, str(error))
            return None
        return None if self.errors else response

    def check(self) -> bool:
        """The submit rules without saving anything (the builder's preview)."""
        if not self.is_valid():
            return False
        _cleaned, errors = check_answers(questions=self.questions, data=self.answers, submit=True)
        for key, message in errors.items():
            self.add_error(key, message)
        return not errors


# --- the builder --------------------------------------------------------------------------------------


# What "anonymous" promises, and what it does not (see models.Response).
ANONYMITY_HELP = _(
    "Answers are stored without names: staff see who has answered, but cannot link an answer back to a "
    "person through the portal. This is not anonymity from the people who run the database: with direct "
    "access to it, the order in which rows were written can match answers to the people who completed "
    "the survey."
)


class SurveyCreateForm(forms.Form):
    TEMPLATE_CHOICES = [
        ("pre_exchange", _("Pre-exchange survey (themes, learning wishes, roles, free time)")),
        ("reflection", _("Reflection after an exchange (differences, learnings, commitments)")),
        ("", _("Empty survey: I add the questions myself")),
    ]
    template = forms.ChoiceField(
        label=_("Start from"), choices=TEMPLATE_CHOICES, required=False, widget=forms.RadioSelect
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    is_anonymous = forms.BooleanField(
        label=_("Anonymous answers"),
        required=False,
        help_text=ANONYMITY_HELP,
    )


class SurveySettingsForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "intro", "is_anonymous", "opens_at", "closes_at"]
        # In the years 2000 to 2100: others are typos, and the first and last years Python holds overflow
        # when a time is moved between zones.
        field_classes = {"opens_at": DeadlineField, "closes_at": DeadlineField}
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 4}),
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }
        help_texts = {
            "is_anonymous": ANONYMITY_HELP,
            "opens_at": _("Optional. Answers are accepted from then, once the survey is open."),
            "closes_at": _("Optional. No answers are accepted after this time."),
        }

    def clean(self):
        cleaned = super().clean()
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            # At the field, before the model's own check says the same in the summary only.
            self.add_error("closes_at", _("The survey must close after it opens."))
        return cleaned

    def validate_unique(self) -> None:
        pass  # the service checks what matters, with its own messages


class ConditionField(forms.MultipleChoiceField):
    """Options of earlier questions, as "<question id>:<value>"; the service decides what is allowed, so
    that a condition on a later question gets its own clear message rather than "not a valid choice"."""

    def valid_value(self, value) -> bool:
        question_id, _sep, choice = str(value).partition(":")
        return question_id.isdigit() and bool(choice)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of question"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=500)
    key = forms.SlugField(
        label=_("Key"),
        max_length=60,
        required=False,
        help_text=_(
            "A short stable name used in exports and reports. Left empty, it is made from the question."
        ),
    )
    help_text = forms.CharField(label=_("Help text"), max_length=500, required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "For single choice, multiple choice and ranking questions: one option per line. To set the value "
            "stored for an option yourself, write “value | label”."
        ),
    )
    scale_min = forms.IntegerField(
        label=_("Scale from"), initial=1, min_value=0, max_value=10, required=False
    )
    scale_max = forms.IntegerField(label=_("Scale to"), initial=5, min_value=0, max_value=10, required=False)
    scale_low_label = forms.CharField(label=_("Label of the lowest value"), max_length=100, required=False)
    scale_high_label = forms.CharField(label=_("Label of the highest value"), max_length=100, required=False)
    condition = ConditionField(
        label=_("Show this question only when an earlier answer includes"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Leave empty to always show it. Choose options of one earlier single or multiple choice question "
            "(hold Ctrl, or Cmd on a Mac, to choose several)."
        ),
    )

    def __init__(self, *args, survey: Survey, question: Question | None = None, **kwargs) -> None:
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": question.kind,
                "text": question.text,
                "key": question.key,
                "help_text": question.help_text,
                "required": question.required,
                "choices": "\n".join(f"{c.value} | {c.label}" for c in question.choices.all()),
                "scale_min": question.scale_min,
                "scale_max": question.scale_max,
                "scale_low_label": question.scale_low_label,
                "scale_high_label": question.scale_high_label,
                "condition": [f"{question.show_if_id}:{value}" for value in question.show_if_values],
            }
        super().__init__(*args, **kwargs)
        self.survey, self.question = survey, question
        earlier = [
            candidate
            for candidate in survey.questions.order_by("position", "pk").prefetch_related("choices")
            if candidate.kind in CONDITION_KINDS
            and (question is None or (candidate.position, candidate.pk) < (question.position, question.pk))
        ]
        self.fields["condition"].choices = [
            (candidate.text, [(f"{candidate.pk}:{c.value}", c.label) for c in candidate.choices.all()])
            for candidate in earlier
        ]

    def clean_choices(self) -> list[tuple[str, str]]:
        parsed = []
        for line in self.cleaned_data.get("choices", "").splitlines():
            line = line.strip()
            if not line:
                continue
            value, sep, label = line.partition("|")
            value, label = (value.strip(), label.strip()) if sep else ("", line)
            if not value:
                value = slugify(label)[:60] or f"option-{len(parsed) + 1}"
            parsed.append((value, label))
        return parsed

    def clean_key(self) -> str:
        key = self.cleaned_data.get("key", "")
        if not key:
            key = slugify(self.cleaned_data.get("text", ""))[:40].strip("-") or "question"
            taken = set(self.survey.questions.values_list("key", flat=True))
            if self.question is not None:
                taken.discard(self.question.key)
            base, number = key, 2
            while key in taken:
                key, number = f"{base}-{number}", number + 1
        return key

    def clean(self):
        cleaned = super().clean()
        picked = cleaned.get("condition") or []
        question_ids = {value.partition(":")[0] for value in picked}
        if len(question_ids) > 1:
            self.add_error("condition", _("Choose options of one question only."))
        cleaned["show_if_id"] = int(next(iter(question_ids))) if len(question_ids) == 1 else None
        cleaned["show_if_values"] = [value.partition(":")[2] for value in picked]
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        show_if = None
        if data.get("show_if_id"):
            # Any question of the survey: the service explains why a later one cannot be used.
            show_if = self.survey.questions.filter(pk=data["show_if_id"]).first()
            if show_if is None:
                raise SurveyError(
                    _("The condition must be about a question of this survey."), field="condition"
                )
        return {
            "kind": data["kind"],
            "key": data["key"],
            "text": data["text"],
            "help_text": data.get("help_text", ""),
            "required": data.get("required", False),
            "choices": data.get("choices", []),
            "scale_min": data.get("scale_min") if data.get("scale_min") is not None else 1,
            "scale_max": data.get("scale_max") if data.get("scale_max") is not None else 5,
            "scale_low_label": data.get("scale_low_label", ""),
            "scale_high_label": data.get("scale_high_label", ""),
            "show_if": show_if,
            "show_if_values": data.get("show_if_values", []),
        }
