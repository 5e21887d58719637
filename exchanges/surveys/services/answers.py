"""People's writes: answers saved as a draft and submitted once, by the rules of each question kind, the
required questions and the conditions. Anonymous surveys are made unlinkable on submit (see save_answers)."""

from collections.abc import Mapping
from datetime import UTC, datetime, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import record_audit

from ..enums import QuestionKind
from ..models import (
    TEXT_ANSWER_MAX_LENGTH,
    TEXT_DRAFT_MAX_LENGTH,
    Answer,
    Completion,
    Question,
    Response,
    Survey,
)
from .errors import SurveyError

# --- answers ------------------------------------------------------------------------------------------


def _is_empty(value) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _as_list(value) -> list:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _clean_value(question: Question, value, choice_values: set[str], *, submit: bool):
    """The answer in its stored shape, or raise ValueError with the message for the person."""
    kind = question.kind
    if kind == QuestionKind.TEXT:
        if not isinstance(value, str):
            raise ValueError(_("Write your answer as text."))
        limit = TEXT_ANSWER_MAX_LENGTH if submit else TEXT_DRAFT_MAX_LENGTH
        if len(value) > limit:
            raise ValueError(
                _("Keep your answer under %(limit)s characters (it has %(count)s).")
                % {"limit": limit, "count": len(value)}
            )
        return value
    if kind == QuestionKind.SINGLE:
        if isinstance(value, (list, tuple)) and len(value) == 1:
            value = value[0]
        if not isinstance(value, str) or value not in choice_values:
            raise ValueError(_("Choose one of the options."))
        return value
    if kind in {QuestionKind.MULTIPLE, QuestionKind.RANKING} and not submit:
        # A draft keeps the options that are valid, once each, in the order given.
        values = [str(item) for item in _as_list(value) if not _is_empty(item)]
        return list(dict.fromkeys(item for item in values if item in choice_values))
    if kind == QuestionKind.MULTIPLE:
        values = [str(item) for item in _as_list(value) if not _is_empty(item)]
        if any(item not in choice_values for item in values):
            raise ValueError(_("Choose only among the options."))
        return list(dict.fromkeys(values))
    if kind == QuestionKind.RANKING:
        values = [str(item) for item in _as_list(value) if not _is_empty(item)]
        if any(item not in choice_values for item in values):
            raise ValueError(_("Rank only the options given."))
        if len(set(values)) != len(values):
            raise ValueError(_("Rank each option only once."))
        return values
    if kind == QuestionKind.SCALE:
        if isinstance(value, bool):
            raise ValueError(_("Choose a number on the scale."))
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValueError(_("Choose a number on the scale.")) from None
        if not question.scale_min <= number <= question.scale_max:
            raise ValueError(
                _("Choose a number from %(low)s to %(high)s.")
                % {"low": question.scale_min, "high": question.scale_max}
            )
        return number
    raise ValueError(_("This question cannot be answered."))


def _contains_any(answer, values: list[str]) -> bool:
    chosen = set(answer) if isinstance(answer, list) else {answer}
    return bool(chosen & set(values))


def check_answers(*, questions: list[Question], data: Mapping, submit: bool) -> tuple[dict, dict]:
    """Answers by question key in their stored shape, and error messages by key. Pure: `questions` come in
    order with their choices prefetched.

    Draft (submit=False): every answer that is valid so far is kept, shown or not (so changing an earlier
    answer back never loses what was typed); nothing is required. Submit: only the questions shown by the
    answers (a condition holds when the earlier answer contains one of its values) are kept and checked;
    required ones must be answered; the answers to hidden questions are discarded."""
    cleaned: dict = {}
    errors: dict = {}
    shown_answers: dict[int, object] = {}  # answers of the questions shown, by question id
    for question in questions:
        raw = data.get(question.key)
        visible = question.show_if_id is None or (
            question.show_if_id in shown_answers
            and _contains_any(shown_answers[question.show_if_id], question.show_if_values)
        )
        if submit and not visible:
            continue
        if _is_empty(raw):
            if submit and question.required:
                errors[question.key] = _("Answer this question.")
            continue
        try:
            value = _clean_value(
                question, raw, {choice.value for choice in question.choices.all()}, submit=submit
            )
        except ValueError as error:
            errors[question.key] = str(error)
            continue
        if submit and question.kind == QuestionKind.TEXT:
            value = value.strip()
        if _is_empty(value):
            continue
        cleaned[question.key] = value
        if visible:
            shown_answers[question.pk] = value
    return cleaned, errors


def survey_questions(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("position", "pk").prefetch_related("choices"))


def _write_answers(response: Response, questions: list[Question], values: dict) -> None:
    response.answers.all().delete()
    Answer.objects.bulk_create(
        Answer(response=response, question=question, value=values[question.key])
        for question in questions
        if question.key in values
    )


def _today_midnight_utc() -> datetime:
    # The date only: an anonymous response must not be matched to a completion by its time.
    return datetime.combine(timezone.now().astimezone(UTC).date(), time.min, tzinfo=UTC)


def save_answers(*, survey: Survey, user, data: Mapping, submit: bool) -> Response:
    """Save a person's answers. ``data``: Python values by question key (a str for single choice and text,
    a list for multiple choice and ranking, an int for a scale; a missing key is unanswered), as
    SurveyAnswerForm.answers gives them from a posted form.

    Draft: keeps every answer that is valid so far, and returns the draft. Submit: enforces the rules of
    each kind, the required questions and the conditions; if anything is wrong the valid answers are still
    saved as the draft (nothing typed is lost) and ValidationError is raised with a message per key.
    Otherwise the response is submitted and a Completion records that the person has answered; one
    submission per person, never changed afterwards.

    Anonymous surveys: the draft (which names its author while they write) is replaced by a new response
    without respondent, with a random key, the date only, and copies of the answers under new random keys;
    the audit entry names the survey, not the response. The response and the Completion are written in one
    transaction, so someone with direct access to the database can still pair them (see models.Response);
    through the portal nobody can."""
    if not getattr(user, "is_authenticated", False):
        raise SurveyError(_("Sign in to answer the survey."))
    questions = survey_questions(survey)
    draft_values, _ignored = check_answers(questions=questions, data=data, submit=False)
    final_values, errors = check_answers(questions=questions, data=data, submit=True) if submit else ({}, {})
    with transaction.atomic():
        survey = Survey.objects.get(pk=survey.pk)
        if not survey.is_accepting_answers:
            raise SurveyError(_("This survey is not open for answers."))
        if Completion.objects.filter(survey=survey, user=user).exists():
            raise SurveyError(_("You have already submitted your answers to this survey."))
        try:
            with transaction.atomic():
                draft, _created = Response.objects.get_or_create(survey=survey, respondent=user)
        except IntegrityError:  # the same person's other tab created it a moment ago
            draft = Response.objects.get(survey=survey, respondent=user)
        draft = Response.objects.select_for_update().get(pk=draft.pk)
        if draft.is_submitted:
            raise SurveyError(_("You have already submitted your answers to this survey."))
        now = timezone.now()
        if not submit or errors:
            _write_answers(draft, questions, draft_values)
            draft.updated_at = now
            draft.save(update_fields=["updated_at"])
            response = draft
        else:
            try:
                with transaction.atomic():
                    Completion.objects.create(survey=survey, user=user, completed_at=now)
            except IntegrityError:
                raise SurveyError(_("You have already submitted your answers to this survey.")) from None
            if survey.is_anonymous:
                day = _today_midnight_utc()
                response = Response.objects.create(
                    survey=survey, respondent=None, submitted_at=day, created_at=day, updated_at=day
                )
                _write_answers(response, questions, final_values)
                draft.delete()
                record_audit(actor=user, action="survey.submitted", target=survey)
            else:
                _write_answers(draft, questions, final_values)
                draft.submitted_at = draft.updated_at = now
                draft.save(update_fields=["submitted_at", "updated_at"])
                response = draft
                record_audit(
                    actor=user, action="survey.submitted", target=survey, data={"response": str(draft.pk)}
                )
    if errors:
        raise ValidationError({key: [message] for key, message in errors.items()})
    return response
