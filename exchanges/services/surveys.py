"""An event's two surveys, built from the survey engine's templates: the pre-exchange survey and the
reflection, which gets one 1-to-5 rating question per agenda session. The engine (exchanges.surveys) knows
nothing of events; these functions tie a survey to its event and decide who is asked."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.surveys import services as survey_services
from exchanges.surveys.enums import QuestionKind
from exchanges.surveys.selectors import pending_respondents
from portal.audit.services import record_audit
from portal.notifications.services import claim_reminders, notify

from .. import kinds
from ..models import AgendaSession, ExchangeEvent
from ..selectors import PRE, REFLECTION, SURVEY_SLOTS, confirmed_users, survey_of
from .events import ExchangeStateError

TEMPLATES = {PRE: "pre_exchange", REFLECTION: "reflection"}


def create_event_survey(*, event: ExchangeEvent, which: str, by, is_anonymous: bool = False):
    """Create the event's pre-exchange or reflection survey from its template. The reflection asks for a
    rating of each session on the agenda, so build it once the agenda is settled."""
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
        sessions = list(AgendaSession.objects.filter(event=event, proposed=False).order_by("starts_at"))
        if which == REFLECTION and not sessions:
            raise ExchangeStateError(
                _("Add the agenda first: the reflection asks for a rating of each session.")
            )
        survey = survey_services.create_survey_from_template(
            template=TEMPLATES[which], title=title[:200], by=by, is_anonymous=is_anonymous
        )
        if which == REFLECTION:
            for session in sessions:
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
        setattr(event, SURVEY_SLOTS[which], survey)
        event.save(update_fields=[SURVEY_SLOTS[which], "updated_at"])
        record_audit(
            actor=by, action=f"exchange.{which}_survey_created", target=event, data={"survey": survey.pk}
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
