"""An event's surveys in the event's context: participants answer (save and come back, then submit) while
the survey is open; staff create, open and close them, remind those who have not answered and read the
results, with the draft agenda the pre-exchange survey proposes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from exchanges.surveys.forms import SurveyAnswerForm
from exchanges.surveys.selectors import answers_of, draft_for, has_completed, survey_results
from exchanges.surveys.services import SurveyError

from ..agenda_proposal import propose_sessions, schedule
from ..forms import SurveyAttachForm, SurveyCreateForm
from ..models import AgendaSession
from ..selectors import PRE, SURVEY_SLOTS, attachable_surveys, survey_input_for_event, survey_of
from ..services.events import ExchangeStateError
from ..services.surveys import (
    attach_event_survey,
    close_event_survey,
    create_event_survey,
    open_event_survey,
    remind_pending,
)
from .common import event_for


def _which(which: str) -> str:
    if which not in SURVEY_SLOTS:
        raise Http404
    return which


@login_required
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    event = event_for(request, pk, "exchanges.answer_event_survey")
    survey = survey_of(event, _which(which))
    if survey is None:
        raise Http404
    context = {"event": event, "survey": survey, "which": which}
    if has_completed(survey=survey, user=request.user):
        return render(request, "exchanges/survey_done.html", context)
    if not survey.is_accepting_answers:
        return render(request, "exchanges/survey_closed.html", context)
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        form = SurveyAnswerForm(survey=survey, data=request.POST)
        if form.save(user=request.user, submit=submit) is not None:
            if submit:
                messages.success(request, _("Thank you: your answers are submitted."))
                return redirect(event)
            messages.success(
                request, _("Your answers are saved. Come back any time before the survey closes.")
            )
            return redirect("exchanges:event-survey", pk=event.pk, which=which)
    else:
        form = SurveyAnswerForm(
            survey=survey, initial_answers=answers_of(response=draft_for(survey=survey, user=request.user))
        )
    context["form"] = form
    return render(request, "exchanges/survey_answer.html", context)


@login_required
@require_POST
def survey_create(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    event = event_for(request, pk, "exchanges.manage_exchanges")
    form = SurveyCreateForm(request.POST)
    form.is_valid()
    from_template = request.POST.get("start") != "empty"
    try:
        survey = create_event_survey(
            event=event,
            which=_which(which),
            by=request.user,
            is_anonymous=form.cleaned_data.get("is_anonymous", False),
            from_template=from_template,
        )
    except (ExchangeStateError, SurveyError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        if not from_template:
            messages.success(request, _("The empty survey is created. Add its questions, then open it."))
            return redirect(survey)
        messages.success(
            request, _("The survey is created from its template. Check the questions, then open it.")
        )
    return redirect("exchanges:event-planning", pk=event.pk)


@login_required
@require_POST
def survey_attach(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    """Make a survey built in the survey builder the event's pre-exchange or reflection survey."""
    event = event_for(request, pk, "exchanges.manage_exchanges")
    which = _which(which)
    form = SurveyAttachForm(request.POST, queryset=attachable_surveys())
    if not form.is_valid():
        messages.error(request, _("Choose a survey that belongs to no exchange yet."))
        return redirect("exchanges:event-planning", pk=event.pk)
    try:
        survey = attach_event_survey(
            event=event, which=which, survey=form.cleaned_data["survey"], by=request.user
        )
    except (ExchangeStateError, SurveyError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            _(
                "“%(title)s” is now this exchange's survey. Open it when it is ready, "
                "and the participants can answer."
            )
            % {"title": survey.title},
        )
    return redirect("exchanges:event-planning", pk=event.pk)


@login_required
@require_POST
def survey_state(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    event = event_for(request, pk, "exchanges.manage_exchanges")
    action = request.POST.get("action")
    try:
        if action == "open":
            open_event_survey(event=event, which=_which(which), by=request.user)
            messages.success(request, _("The survey is open for answers."))
        elif action == "close":
            close_event_survey(event=event, which=_which(which), by=request.user)
            messages.success(request, _("The survey is closed."))
    except (ExchangeStateError, SurveyError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("exchanges:event-planning", pk=event.pk)


@login_required
@require_POST
def survey_remind(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    event = event_for(request, pk, "exchanges.manage_exchanges")
    try:
        sent = remind_pending(event=event, which=_which(which), by=request.user)
    except ExchangeStateError as error:
        messages.error(request, str(error))
    else:
        if sent:
            messages.success(request, _("Reminded %(count)s people who have not answered.") % {"count": sent})
        else:
            messages.info(
                request, _("Nobody to remind: everyone has answered or was already reminded today.")
            )
    return redirect("exchanges:event-planning", pk=event.pk)


@login_required
def survey_results_page(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    event = event_for(request, pk, "exchanges.manage_exchanges")
    survey = survey_of(event, _which(which))
    if survey is None:
        raise Http404
    proposal = []
    respondents = None
    if which == PRE:
        data = survey_input_for_event(event=event)
        respondents = data.respondents
        if data.respondents:
            busy = list(
                AgendaSession.objects.filter(event=event, proposed=False).values_list("starts_at", "ends_at")
            )
            proposal = schedule(
                propose_sessions(data),
                event_start=event.starts_at,
                event_end=event.ends_at,
                zone=event.zone,
                busy=busy,
            )
    with timezone.override(event.zone):
        return render(
            request,
            "exchanges/survey_results.html",
            {
                "event": event,
                "survey": survey,
                "which": which,
                "results": survey_results(survey=survey, respondents=respondents),
                "proposal": proposal,
            },
        )
