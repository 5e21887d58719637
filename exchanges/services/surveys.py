"""An event's two surveys, built from the survey engine's templates: the pre-exchange survey and the
reflection, which gets one 1-to-5 rating question per agenda session. The engine (exchanges.surveys) knows
nothing of events; these functions tie a survey to its event and decide who is asked."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.surveys import services as survey_services
from exchanges.surveys.enums import QuestionKind, SurveyKind
from exchanges.surveys.models import Survey
from exchanges.surveys.selectors import pending_respondents
from portal.audit.services import record_audit
from portal.notifications.services import claim_reminders, notify

from .. import kinds
from ..models import AgendaSession, ExchangeEvent
from ..selectors import PRE, REFLECTION, SURVEY_SLOTS, confirmed_users, survey_of
from .events import ExchangeStateError

TEMPLATES = {PRE: "pre_exchange", REFLECTION: "reflection"}
# The kind of survey each slot takes; a custom survey (built from scratch) fits either.
SLOT_KINDS = {PRE: SurveyKind.PRE_EXCHANGE, REFLECTION: SurveyKind.REFLECTION}


def _add_session_ratings(*, survey, sessions, by) -> None:
    """One optional 1-to-5 rating question per session (key session-<pk>), unless the survey has it."""
    existing = set(survey.questions.values_list("key", flat=True))
    for session in sessions:
        if session.rating_key in existing:
            continue
        survey_services.add_question(
            survey=survey,
            kind=QuestionKind.SCALE,
            key=session.rating_key,
            text=_("How useful was “%(title)s”?") % {"title": session.title},
            required=False,
            scale_low_label=_("Not useful"),
            scale_high_label=_("Very useful"),
            by=by,
        )


def create_event_survey(
    *, event: ExchangeEvent, which: str, by, is_anonymous: bool = False, from_template: bool = True
):
    """Create the event's pre-exchange or reflection survey, from its template or empty (staff then add
    the questions in the survey builder). The reflection asks for a rating of each session on the agenda,
    so the template version needs the agenda first; an empty reflection gets the ratings of the sessions
    there are."""
    if which not in SURVEY_SLOTS:
        raise ValueError(which)
    with transaction.atomic():
        event = ExchangeEvent.objects.select_for_update().get(pk=event.pk)
        if survey_of(event, which) is not None:
            raise ExchangeStateError(_("This exchange already has that survey."))
        if which == PRE:
            title = _("Before the exchange: %(title)s") % {"title": event.title}
        else:
            title = _("Reflection: %(title)s") % {"title": event.title}
        sessions = list(AgendaSession.objects.filter(event=event).published().order_by("starts_at"))
        if from_template and which == REFLECTION and not sessions:
            raise ExchangeStateError(
                _("Publish the agenda first: the reflection asks for a rating of each published session.")
            )
        if from_template:
            survey = survey_services.create_survey_from_template(
                template=TEMPLATES[which], title=title[:200], by=by, is_anonymous=is_anonymous
            )
        else:
            survey = survey_services.create_survey(
                title=title[:200], by=by, kind=SLOT_KINDS[which], is_anonymous=is_anonymous
            )
        if which == REFLECTION:
            _add_session_ratings(survey=survey, sessions=sessions, by=by)
        setattr(event, SURVEY_SLOTS[which], survey)
        event.save(update_fields=[SURVEY_SLOTS[which], "updated_at"])
        record_audit(
            actor=by,
            action=f"exchange.{which}_survey_created",
            target=event,
            data={"survey": survey.pk, "from_template": from_template},
        )
    return survey


def attach_event_survey(*, event: ExchangeEvent, which: str, survey: Survey, by):
    """Make a survey built in the survey builder the event's pre-exchange or reflection survey, so that
    the event's confirmed participants can answer it. Only a survey of that kind (or a custom one) that
    belongs to no other exchange and that nobody has answered yet. A reflection survey gets the rating
    questions of the agenda's sessions it does not have."""
    if which not in SURVEY_SLOTS:
        raise ValueError(which)
    with transaction.atomic():
        event = ExchangeEvent.objects.select_for_update().get(pk=event.pk)
        if survey_of(event, which) is not None:
            raise ExchangeStateError(_("This exchange already has that survey."))
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.kind not in {SLOT_KINDS[which], SurveyKind.CUSTOM}:
            raise ExchangeStateError(
                _("Choose a pre-exchange survey or a custom one.")
                if which == PRE
                else _("Choose a reflection survey or a custom one.")
            )
        if (
            ExchangeEvent.objects.filter(pre_survey=survey).exists()
            or ExchangeEvent.objects.filter(reflection_survey=survey).exists()
        ):
            raise ExchangeStateError(_("That survey already belongs to an exchange."))
        if survey.responses.exists() or survey.completions.exists():
            raise ExchangeStateError(
                _("People have already answered that survey: choose one nobody has answered.")
            )
        if which == REFLECTION:
            sessions = list(AgendaSession.objects.filter(event=event).published().order_by("starts_at"))
            _add_session_ratings(survey=survey, sessions=sessions, by=by)
        setattr(event, SURVEY_SLOTS[which], survey)
        event.save(update_fields=[SURVEY_SLOTS[which], "updated_at"])
        record_audit(
            actor=by, action=f"exchange.{which}_survey_attached", target=event, data={"survey": survey.pk}
        )
    return survey


def _fresh_survey(event: ExchangeEvent, which: str):
    event = ExchangeEvent.objects.select_related("pre_survey", "reflection_survey").get(pk=event.pk)
    return survey_of(event, which)


def open_event_survey(*, event: ExchangeEvent, which: str, by):
    survey = _fresh_survey(event, which)
    if survey is None:
        raise ExchangeStateError(_("Create the survey first."))
    return survey_services.open_survey(survey=survey, by=by)


def close_event_survey(*, event: ExchangeEvent, which: str, by):
    survey = _fresh_survey(event, which)
    if survey is None:
        raise ExchangeStateError(_("Create the survey first."))
    return survey_services.close_survey(survey=survey, by=by)


def pending_participants(*, event: ExchangeEvent, which: str) -> list:
    """Confirmed participants who have not submitted the survey."""
    survey = survey_of(event, which)
    if survey is None:
        return []
    return list(pending_respondents(survey=survey, users=confirmed_users(event=event)))


def survey_url(event: ExchangeEvent, which: str) -> str:
    from django.urls import reverse

    return reverse("exchanges:event-survey", kwargs={"pk": event.pk, "which": which})


def remind_pending(*, event: ExchangeEvent, which: str, by) -> int:
    """Staff's "remind them": mail the participants who have not answered. At most once a day per person
    (a second click the same day reaches nobody twice)."""
    survey = survey_of(event, which)
    if survey is None or not survey.is_accepting_answers:
        raise ExchangeStateError(_("The survey is not open for answers."))
    with transaction.atomic():
        pending = pending_participants(event=event, which=which)
        key = f"exchange:{event.pk}:{which}:manual:{timezone.localdate().isoformat()}"
        recipients = claim_reminders(users=pending, key=key)
        if recipients:
            notify(
                recipients=recipients,
                kind=kinds.SURVEY_REMINDER,
                context={"event": event, "survey": survey},
                target=event,
                url=survey_url(event, which),
            )
        record_audit(
            actor=by,
            action="exchange.survey_reminded",
            target=event,
            data={"which": which, "sent": len(recipients)},
        )
    return len(recipients)
