"""Staff's writes: surveys (from a ready template or from scratch), their settings, opening and closing, and
the questions (add, change, delete, move), which can change only until someone submits answers. Each
function is one transaction and is audited; refusals raise SurveyError. No notifications: the app that uses
a survey (exchanges) decides whom to ask and remind."""

import re
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import record_audit

from ..enums import CHOICE_KINDS, CONDITION_KINDS, QuestionKind, SurveyKind, SurveyStatus
from ..models import Choice, Question, Survey
from ..presets import PRESETS
from .errors import SurveyError

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
MAX_CHOICES = 30
SCALE_LIMITS = (0, 10)


# --- surveys ------------------------------------------------------------------------------------------


def _checked_survey_fields(*, title: str, opens_at, closes_at) -> str:
    title = (title or "").strip()
    if not title:
        raise SurveyError(_("Give the survey a title."), field="title")
    if len(title) > 200:
        raise SurveyError(_("Keep the title under 200 characters."), field="title")
    if opens_at and closes_at and closes_at <= opens_at:
        raise SurveyError(_("The survey must close after it opens."), field="closes_at")
    return title


def create_survey(
    *,
    title: str,
    by,
    intro: str = "",
    kind: str = SurveyKind.CUSTOM,
    is_anonymous: bool = False,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Survey:
    """An empty survey in draft, for staff to add questions to."""
    title = _checked_survey_fields(title=title, opens_at=opens_at, closes_at=closes_at)
    if kind not in SurveyKind.values:
        raise SurveyError(_("Choose a kind of survey."), field="kind")
    with transaction.atomic():
        survey = Survey.objects.create(
            title=title,
            intro=(intro or "").strip(),
            kind=kind,
            is_anonymous=bool(is_anonymous),
            opens_at=opens_at,
            closes_at=closes_at,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        record_audit(actor=by, action="survey.created", target=survey, data={"kind": kind})
    return survey


def create_survey_from_template(*, template: str, title: str, by, is_anonymous: bool = False) -> Survey:
    """A draft survey with the questions of a ready template: "pre_exchange" or "reflection" (see presets
    for their stable question keys)."""
    preset = PRESETS.get(template)
    if preset is None:
        raise SurveyError(_("There is no survey template called “%(name)s”.") % {"name": template})
    with transaction.atomic():
        survey = create_survey(
            title=title, by=by, intro=str(preset.intro), kind=preset.kind, is_anonymous=is_anonymous
        )
        created: dict[str, Question] = {}
        for position, item in enumerate(preset.questions, start=1):
            question = Question.objects.create(
                survey=survey,
                position=position,
                key=item.key,
                kind=item.kind,
                text=str(item.text),
                help_text=str(item.help_text),
                required=item.required,
                scale_low_label=str(item.scale_low_label),
                scale_high_label=str(item.scale_high_label),
                show_if=created.get(item.show_if),
                show_if_values=list(item.show_if_values),
            )
            Choice.objects.bulk_create(
                Choice(question=question, position=index, value=value, label=str(label))
                for index, (value, label) in enumerate(item.choices, start=1)
            )
            created[item.key] = question
    return survey


def update_survey(
    *,
    survey: Survey,
    by,
    title: str,
    intro: str = "",
    is_anonymous: bool | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Survey:
    """Change the title, introduction, dates and anonymity. Anonymity is a promise to the respondents: it
    cannot change once anyone has started answering."""
    title = _checked_survey_fields(title=title, opens_at=opens_at, closes_at=closes_at)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if is_anonymous is not None and bool(is_anonymous) != survey.is_anonymous:
            if survey.responses.exists() or survey.completions.exists():
                raise SurveyError(
                    _("Whether the survey is anonymous cannot change once people have started answering."),
                    field="is_anonymous",
                )
            survey.is_anonymous = bool(is_anonymous)
        if survey.status == SurveyStatus.OPEN and closes_at and closes_at <= timezone.now():
            raise SurveyError(
                _("The closing time has passed: choose a later one, or close the survey."), field="closes_at"
            )
        survey.title, survey.intro = title, (intro or "").strip()
        survey.opens_at, survey.closes_at = opens_at, closes_at
        survey.save(update_fields=["title", "intro", "is_anonymous", "opens_at", "closes_at", "updated_at"])
        record_audit(actor=by, action="survey.updated", target=survey)
    return survey


def open_survey(*, survey: Survey, by) -> Survey:
    """Draft or closed → open. People can answer between its opening and closing times, if set."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status == SurveyStatus.OPEN:
            raise SurveyError(_("The survey is already open."))
        if not survey.questions.exists():
            raise SurveyError(_("Add at least one question before opening the survey."))
        if survey.closes_at and survey.closes_at <= timezone.now():
            raise SurveyError(_("The closing time has passed: choose a later one before opening the survey."))
        survey.status = SurveyStatus.OPEN
        survey.save(update_fields=["status", "updated_at"])
        record_audit(actor=by, action="survey.opened", target=survey)
    return survey


def close_survey(*, survey: Survey, by) -> Survey:
    """Open → closed: no more answers; drafts that were not submitted are not counted."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != SurveyStatus.OPEN:
            raise SurveyError(_("Only an open survey can be closed."))
        survey.status = SurveyStatus.CLOSED
        survey.save(update_fields=["status", "updated_at"])
        record_audit(actor=by, action="survey.closed", target=survey)
    return survey


# --- questions ----------------------------------------------------------------------------------------


def has_submissions(survey: Survey) -> bool:
    return survey.completions.exists() or survey.responses.submitted().exists()


def _refuse_if_answered(survey: Survey) -> None:
    if has_submissions(survey):
        raise SurveyError(_("The questions can no longer change: people have already submitted answers."))


def _checked_choices(kind: str, choices: Iterable) -> list[tuple[str, str]]:
    choices = [(str(value or "").strip(), str(label or "").strip()) for value, label in (choices or [])]
    if kind not in CHOICE_KINDS:
        if choices:
            raise SurveyError(_("Only choice and ranking questions have options."), field="choices")
        return []
    if len(choices) < 2:
        raise SurveyError(_("Give at least two options to choose from."), field="choices")
    if len(choices) > MAX_CHOICES:
        raise SurveyError(_("Give at most %(limit)s options.") % {"limit": MAX_CHOICES}, field="choices")
    seen: set[str] = set()
    for value, label in choices:
        if not label:
            raise SurveyError(_("Every option needs a label."), field="choices")
        if not value or len(value) > 60 or not SLUG_RE.match(value):
            raise SurveyError(
                _("The value “%(value)s” of an option may use only letters, digits, - and _.")
                % {"value": value},
                field="choices",
            )
        if value in seen:
            raise SurveyError(
                _("Two options have the value “%(value)s”.") % {"value": value}, field="choices"
            )
        seen.add(value)
    return choices


def _checked_question(
    *,
    survey: Survey,
    question: Question | None,
    kind: str,
    key: str,
    text: str,
    help_text: str,
    choices,
    scale_min: int,
    scale_max: int,
    show_if: Question | None,
    show_if_values,
) -> dict:
    if kind not in QuestionKind.values:
        raise SurveyError(_("Choose a kind of question."), field="kind")
    key = (key or "").strip()
    if not key:
        raise SurveyError(_("Give the question a key."), field="key")
    if len(key) > 60 or not SLUG_RE.match(key):
        raise SurveyError(_("The key may use only letters, digits, - and _ (at most 60)."), field="key")
    duplicates = Question.objects.filter(survey=survey, key=key)
    if question is not None:
        duplicates = duplicates.exclude(pk=question.pk)
    if duplicates.exists():
        raise SurveyError(
            _("Another question of this survey already has the key “%(key)s”.") % {"key": key}, field="key"
        )
    text = (text or "").strip()
    if not text:
        raise SurveyError(_("Write the question."), field="text")
    if len(text) > 500:
        raise SurveyError(_("Keep the question under 500 characters."), field="text")
    help_text = (help_text or "").strip()
    if len(help_text) > 500:
        raise SurveyError(_("Keep the help text under 500 characters."), field="help_text")
    choices = _checked_choices(kind, choices)
    if kind == QuestionKind.SCALE:
        try:
            scale_min, scale_max = int(scale_min), int(scale_max)
        except (TypeError, ValueError):
            raise SurveyError(_("The scale needs whole numbers."), field="scale_max") from None
        if not SCALE_LIMITS[0] <= scale_min < scale_max <= SCALE_LIMITS[1]:
            raise SurveyError(
                _("The scale must go up from a lower to a higher number, within 0 to 10."), field="scale_max"
            )
    else:
        scale_min, scale_max = 1, 5
    show_if_values = [str(value) for value in (show_if_values or [])]
    if show_if is None:
        if show_if_values:
            raise SurveyError(_("Say which question the condition is about."), field="show_if")
    else:
        if show_if.survey_id != survey.pk:
            raise SurveyError(_("The condition must be about a question of this survey."), field="show_if")
        if question is not None and (
            show_if.pk == question.pk or (show_if.position, show_if.pk) >= (question.position, question.pk)
        ):
            raise SurveyError(
                _("A question can depend only on an earlier question: move it below “%(text)s” first.")
                % {"text": show_if.text},
                field="show_if",
            )
        if show_if.kind not in CONDITION_KINDS:
            raise SurveyError(
                _("A condition can depend only on a single or multiple choice question."), field="show_if"
            )
        if not show_if_values:
            raise SurveyError(
                _("Choose the answers to “%(text)s” that show this question.") % {"text": show_if.text},
                field="show_if",
            )
        known = set(show_if.choices.values_list("value", flat=True))
        unknown = [value for value in show_if_values if value not in known]
        if unknown:
            raise SurveyError(
                _("“%(text)s” has no option “%(value)s”.") % {"text": show_if.text, "value": unknown[0]},
                field="show_if",
            )
    return {
        "kind": kind,
        "key": key,
        "text": text,
        "help_text": help_text,
        "choices": choices,
        "scale_min": scale_min,
        "scale_max": scale_max,
        "show_if": show_if,
        "show_if_values": list(dict.fromkeys(show_if_values)),
    }


def _replace_choices(question: Question, choices: list[tuple[str, str]]) -> None:
    question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(question=question, position=index, value=value, label=label)
        for index, (value, label) in enumerate(choices, start=1)
    )


def add_question(
    *,
    survey: Survey,
    kind: str,
    key: str,
    text: str,
    required: bool = False,
    choices: Iterable = (),
    help_text: str = "",
    scale_min: int = 1,
    scale_max: int = 5,
    scale_low_label: str = "",
    scale_high_label: str = "",
    show_if: Question | None = None,
    show_if_values: Iterable = (),
    by=None,
) -> Question:
    """A question at the end of the survey, while nobody has submitted answers. ``choices`` are
    (value, label) pairs for single, multiple choice and ranking questions."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        _refuse_if_answered(survey)
        values = _checked_question(
            survey=survey,
            question=None,
            kind=kind,
            key=key,
            text=text,
            help_text=help_text,
            choices=choices,
            scale_min=scale_min,
            scale_max=scale_max,
            show_if=show_if,
            show_if_values=show_if_values,
        )
        position = (survey.questions.aggregate(last=Max("position"))["last"] or 0) + 1
        choices = values.pop("choices")
        question = Question.objects.create(
            survey=survey,
            position=position,
            required=bool(required),
            scale_low_label=(scale_low_label or "").strip()[:100],
            scale_high_label=(scale_high_label or "").strip()[:100],
            **values,
        )
        _replace_choices(question, choices)
        record_audit(actor=by, action="survey.question_added", target=survey, data={"key": question.key})
    return question


def update_question(
    *,
    question: Question,
    kind: str,
    key: str,
    text: str,
    required: bool = False,
    choices: Iterable = (),
    help_text: str = "",
    scale_min: int = 1,
    scale_max: int = 5,
    scale_low_label: str = "",
    scale_high_label: str = "",
    show_if: Question | None = None,
    show_if_values: Iterable = (),
    by=None,
) -> Question:
    """Change a question while nobody has submitted answers. Drafts' answers to it are dropped if its kind
    changes; an option that a later question's condition uses cannot be removed."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=question.survey_id)
        question = Question.objects.select_for_update().get(pk=question.pk)
        _refuse_if_answered(survey)
        values = _checked_question(
            survey=survey,
            question=question,
            kind=kind,
            key=key,
            text=text,
            help_text=help_text,
            choices=choices,
            scale_min=scale_min,
            scale_max=scale_max,
            show_if=show_if,
            show_if_values=show_if_values,
        )
        choices = values.pop("choices")
        new_values = {value for value, _label in choices}
        for dependent in question.dependents.all():
            if values["kind"] not in CONDITION_KINDS:
                raise SurveyError(
                    _(
                        "“%(text)s” is shown only for some answers to this question, so it must stay a "
                        "single or multiple choice question."
                    )
                    % {"text": dependent.text},
                    field="kind",
                )
            missing = [value for value in dependent.show_if_values if value not in new_values]
            if missing:
                raise SurveyError(
                    _(
                        "“%(text)s” is shown only for the option “%(value)s”: keep it, or change that "
                        "question's condition first."
                    )
                    % {"text": dependent.text, "value": missing[0]},
                    field="choices",
                )
        if values["kind"] != question.kind:
            question.answers.all().delete()  # only drafts exist: nobody has submitted
        for name, value in values.items():
            setattr(question, name, value)
        question.required = bool(required)
        question.scale_low_label = (scale_low_label or "").strip()[:100]
        question.scale_high_label = (scale_high_label or "").strip()[:100]
        question.save()
        if [(c.value, c.label) for c in question.choices.all()] != choices:
            _replace_choices(question, choices)
        record_audit(actor=by, action="survey.question_changed", target=survey, data={"key": question.key})
    return question


def delete_question(*, question: Question, by=None) -> None:
    """Remove a question (and drafts' answers to it) while nobody has submitted answers. Refused while a
    later question's condition depends on it."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=question.survey_id)
        question = Question.objects.get(pk=question.pk)
        _refuse_if_answered(survey)
        dependent = question.dependents.first()
        if dependent is not None:
            raise SurveyError(
                _(
                    "“%(text)s” is shown only for some answers to this question: remove or change that "
                    "condition first."
                )
                % {"text": dependent.text}
            )
        key = question.key
        question.delete()
        record_audit(actor=by, action="survey.question_deleted", target=survey, data={"key": key})


def move_question(*, question: Question, direction: str, by=None) -> Question:
    """Swap a question with the one above ("up") or below ("down"). A question stays after the one its
    condition depends on."""
    if direction not in {"up", "down"}:
        raise SurveyError(_("Move a question up or down."))
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=question.survey_id)
        _refuse_if_answered(survey)
        questions = list(survey.questions.order_by("position", "pk"))
        index = next(i for i, item in enumerate(questions) if item.pk == question.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(questions):
            raise SurveyError(
                _("This is already the first question.")
                if direction == "up"
                else _("This is already the last question.")
            )
        upper, lower = (
            (questions[other], questions[index])
            if direction == "up"
            else (
                questions[index],
                questions[other],
            )
        )
        if lower.show_if_id == upper.pk:
            raise SurveyError(
                _("“%(later)s” depends on the answer to “%(earlier)s”, so it must come after it.")
                % {"later": lower.text, "earlier": upper.text}
            )
        questions[index], questions[other] = questions[other], questions[index]
        for position, item in enumerate(questions, start=1):
            item.position = position
        Question.objects.bulk_update(questions, ["position"])
        record_audit(
            actor=by,
            action="survey.question_moved",
            target=survey,
            data={"key": question.key, "to": direction},
        )
    return next(item for item in questions if item.pk == question.pk)
