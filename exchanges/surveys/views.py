"""Programme staff's pages for surveys: the list, a new survey (from a template or empty), the question
builder, the settings, opening and closing, a preview that checks answers without saving them, the results
and a CSV export. Everyone else gets a 404 (signed-out people the sign-in page): the pages do not exist
for them. Participants answer in the app that uses the survey (exchanges), with SurveyAnswerForm."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.downloads import csv_cell, csv_response

from .enums import QuestionKind
from .forms import QuestionForm, SurveyAnswerForm, SurveyCreateForm, SurveySettingsForm
from .models import Question, Survey
from .selectors import (
    questions_for_builder,
    responses_for_export,
    submitted_count,
    survey_results,
    surveys_for_staff,
)
from .services import (
    SurveyError,
    add_question,
    close_survey,
    create_survey,
    create_survey_from_template,
    delete_question,
    has_submissions,
    move_question,
    open_survey,
    update_question,
    update_survey,
)

SURVEYS_PER_PAGE = 25
# The service's field names where the builder's form calls them differently.
QUESTION_FIELD_NAMES = {"show_if": "condition"}


def _require_staff(request: HttpRequest) -> None:
    if not request.user.has_perm("surveys.manage_surveys"):
        raise Http404


def _survey(request: HttpRequest, pk: int) -> Survey:
    _require_staff(request)
    return get_object_or_404(surveys_for_staff(user=request.user), pk=pk)


def _question(survey: Survey, question_pk: int) -> Question:
    return get_object_or_404(
        Question.objects.filter(survey=survey).prefetch_related("choices"), pk=question_pk
    )


def _field_error(form, error: SurveyError, names: dict | None = None) -> None:
    field = (names or {}).get(error.field, error.field)
    form.add_error(field if field in form.fields else None, str(error))


@login_required
@require_safe
def survey_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    page = Paginator(surveys_for_staff(user=request.user), SURVEYS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "surveys/survey_list.html", {"page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = SurveyCreateForm(request.POST if request.method == "POST" else None, initial={"template": ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["template"]:
                survey = create_survey_from_template(
                    template=data["template"],
                    title=data["title"],
                    by=request.user,
                    is_anonymous=data["is_anonymous"],
                )
            else:
                survey = create_survey(
                    title=data["title"], by=request.user, is_anonymous=data["is_anonymous"]
                )
        except SurveyError as error:
            _field_error(form, error)
        else:
            messages.success(request, _("The survey has been created as a draft."))
            return redirect(survey)
    return render(request, "surveys/survey_create.html", {"form": form})


@login_required
@require_safe
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    questions = questions_for_builder(survey=survey)
    labels = {(q.pk, c.value): c.label for q in questions for c in q.choices.all()}
    for question in questions:
        question.condition_labels = [labels.get((question.show_if_id, v), v) for v in question.show_if_values]
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "questions": questions,
            "locked": has_submissions(survey),
            "submitted": submitted_count(survey=survey),
            "drafts": survey.responses.drafts().count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_update(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    form = SurveySettingsForm(
        request.POST if request.method == "POST" else None, instance=Survey.objects.get(pk=survey.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_survey(survey=survey, by=request.user, **form.cleaned_data)
        except SurveyError as error:
            _field_error(form, error)
        else:
            messages.success(request, _("The survey's settings have been saved."))
            return redirect(survey)
    return render(request, "surveys/survey_settings.html", {"survey": survey, "form": form})


@login_required
@require_POST
def survey_open(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    try:
        open_survey(survey=survey, by=request.user)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The survey is open for answers."))
    return redirect(survey)


@login_required
@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    try:
        close_survey(survey=survey, by=request.user)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The survey is closed."))
    return redirect(survey)


@login_required
@require_http_methods(["GET", "POST"])
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in QuestionKind.values else None
    form = QuestionForm(request.POST if request.method == "POST" else None, survey=survey, initial=initial)
    locked = has_submissions(survey)
    if request.method == "POST" and form.is_valid():
        try:
            question = add_question(survey=survey, by=request.user, **form.service_arguments())
        except SurveyError as error:
            _field_error(form, error, QUESTION_FIELD_NAMES)
        else:
            messages.success(request, _("The question “%(text)s” has been added.") % {"text": question.text})
            return redirect(f"{survey.get_absolute_url()}#question-{question.pk}")
    return render(request, "surveys/question_form.html", {"survey": survey, "form": form, "locked": locked})


@login_required
@require_http_methods(["GET", "POST"])
def question_update(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    question = _question(survey, question_pk)
    form = QuestionForm(request.POST if request.method == "POST" else None, survey=survey, question=question)
    locked = has_submissions(survey)
    if request.method == "POST" and form.is_valid():
        try:
            update_question(question=question, by=request.user, **form.service_arguments())
        except SurveyError as error:
            _field_error(form, error, QUESTION_FIELD_NAMES)
        else:
            messages.success(request, _("The question has been saved."))
            return redirect(f"{survey.get_absolute_url()}#question-{question.pk}")
    return render(
        request,
        "surveys/question_form.html",
        {"survey": survey, "question": question, "form": form, "locked": locked},
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    question = _question(survey, question_pk)
    if request.method == "POST":
        try:
            delete_question(question=question, by=request.user)
        except SurveyError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("The question “%(text)s” has been deleted.") % {"text": question.text}
            )
        return redirect(survey)
    return render(request, "surveys/question_delete.html", {"survey": survey, "question": question})


@login_required
@require_POST
def question_move(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    question = _question(survey, question_pk)
    try:
        move_question(question=question, direction=request.POST.get("direction", ""), by=request.user)
    except SurveyError as error:
        messages.error(request, str(error))
    return redirect(f"{survey.get_absolute_url()}#question-{question.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def survey_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The answer form as respondents see it. Posting checks the answers by the submit rules; nothing is
    saved."""
    survey = _survey(request, pk)
    form = SurveyAnswerForm(survey=survey, data=request.POST if request.method == "POST" else None)
    accepted = request.method == "POST" and form.check()
    return render(
        request, "surveys/survey_preview.html", {"survey": survey, "form": form, "accepted": accepted}
    )


@login_required
@require_safe
def survey_results_page(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    return render(
        request, "surveys/survey_results.html", {"survey": survey, "results": survey_results(survey=survey)}
    )


def _cell(value) -> str:
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    return csv_cell(value)


@login_required
@require_safe
def survey_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Submitted responses, one row each, a column per question key. Anonymous surveys: no identities,
    and the date only."""
    survey = _survey(request, pk)
    questions = list(survey.questions.order_by("position", "pk"))
    filename = f"survey-{survey.pk}-{slugify(survey.title)[:40] or 'responses'}.csv"
    response, writer = csv_response(filename=filename)
    identity = [] if survey.is_anonymous else [_("Name"), _("Email")]
    writer.writerow([_("Response"), *identity, _("Submitted"), *[question.key for question in questions]])
    for row in responses_for_export(survey=survey):
        answers = {answer.question_id: answer.value for answer in row.answers.all()}
        if survey.is_anonymous:
            people, submitted = [], row.submitted_at.date().isoformat()
        else:
            person = row.respondent
            people = [person.full_name if person else "", person.email if person else ""]
            submitted = timezone.localtime(row.submitted_at).isoformat(timespec="minutes")
        writer.writerow(
            [str(row.pk), *map(_cell, people), submitted, *[_cell(answers.get(q.pk)) for q in questions]]
        )
    return response
