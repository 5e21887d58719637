"""The agenda: sessions added and edited by staff (never overlapping, always inside the event), the draft
proposed by the pre-exchange survey, and publication."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.audit.services import record_audit
from portal.notifications.services import claim_reminders, notify

from .. import kinds
from ..agenda_proposal import schedule
from ..enums import EventStatus, SessionKind
from ..models import AgendaSession, ExchangeEvent, Registration
from .events import ExchangeStateError

SESSION_FIELDS = ("kind", "title", "description", "starts_at", "ends_at", "place", "speaker_names")
LOCKED_STATUSES = {EventStatus.COMPLETED, EventStatus.REFLECTED}


def _local(moment, zone) -> str:
    return date_format(moment.astimezone(zone), "j M H:i")


def check_session(
    *, event: ExchangeEvent, starts_at, ends_at, exclude_pk=None, speakers=(), challenges=()
) -> None:
    """Field errors for a session that ends before it starts, falls outside the event or overlaps another."""
    errors: dict[str, list[str]] = {}
    if starts_at and ends_at and ends_at <= starts_at:
        errors.setdefault("ends_at", []).append(_("The session must end after it starts."))
    if starts_at and (starts_at < event.starts_at or starts_at >= event.ends_at):
        errors.setdefault("starts_at", []).append(
            _("The session must start during the exchange (%(start)s to %(end)s).")
            % {"start": _local(event.starts_at, event.zone), "end": _local(event.ends_at, event.zone)}
        )
    if ends_at and (ends_at > event.ends_at or ends_at <= event.starts_at):
        errors.setdefault("ends_at", []).append(
            _("The session must end by the end of the exchange (%(end)s).")
            % {"end": _local(event.ends_at, event.zone)}
        )
    if starts_at and ends_at and ends_at > starts_at and not errors:
        clash = (
            AgendaSession.objects.filter(event=event, starts_at__lt=ends_at, ends_at__gt=starts_at)
            .exclude(pk=exclude_pk)
            .order_by("starts_at")
            .first()
        )
        if clash is not None:
            errors.setdefault("starts_at", []).append(
                _(
                    "This overlaps with “%(title)s” (%(start)s to %(end)s). "
                    "Choose another time or change that session first."
                )
                % {
                    "title": clash.title,
                    "start": _local(clash.starts_at, event.zone),
                    "end": _local(clash.ends_at, event.zone),
                }
            )
    if any(registration.event_id != event.pk or not registration.is_live for registration in speakers):
        errors.setdefault("speakers", []).append(_("Speakers must be registered for this exchange."))
    if any(not challenge.is_public for challenge in challenges):
        errors.setdefault("challenges", []).append(_("Only published challenges can be linked."))
    if errors:
        raise ValidationError(errors)


def _lock_event(event: ExchangeEvent) -> ExchangeEvent:
    event = ExchangeEvent.objects.select_for_update().get(pk=event.pk)
    if event.status in LOCKED_STATUSES:
        raise ExchangeStateError(_("The agenda of a completed exchange can no longer be changed."))
    return event


def add_session(*, event: ExchangeEvent, by, speakers=(), challenges=(), **values) -> AgendaSession:
    unknown = set(values) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown session fields: {sorted(unknown)}")
    speakers, challenges = list(speakers), list(challenges)
    with transaction.atomic():
        event = _lock_event(event)
        check_session(
            event=event,
            starts_at=values.get("starts_at"),
            ends_at=values.get("ends_at"),
            speakers=speakers,
            challenges=challenges,
        )
        session = AgendaSession.objects.create(event=event, **values)
        session.speakers.set(speakers)
        session.challenges.set(challenges)
        record_audit(actor=by, action="exchange.session_added", target=event, data={"session": session.pk})
    return session


def update_session(*, session: AgendaSession, by, speakers=None, challenges=None, **values) -> AgendaSession:
    """Change a session; a proposed session that staff edit becomes a confirmed part of the agenda."""
    unknown = set(values) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown session fields: {sorted(unknown)}")
    with transaction.atomic():
        event = _lock_event(session.event)
        session = AgendaSession.objects.select_for_update().get(pk=session.pk)
        for name, value in values.items():
            setattr(session, name, value)
        check_session(
            event=event,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            exclude_pk=session.pk,
            speakers=list(speakers or []),
            challenges=list(challenges or []),
        )
        session.proposed = False
        session.save()
        if speakers is not None:
            session.speakers.set(speakers)
        if challenges is not None:
            session.challenges.set(challenges)
        record_audit(actor=by, action="exchange.session_updated", target=event, data={"session": session.pk})
    return session


def delete_session(*, session: AgendaSession, by) -> None:
    with transaction.atomic():
        event = _lock_event(session.event)
        record_audit(
            actor=by,
            action="exchange.session_deleted",
            target=event,
            data={"session": session.pk, "title": session.title},
        )
        AgendaSession.objects.filter(pk=session.pk).delete()


def generate_draft_agenda(*, event: ExchangeEvent, by) -> list[AgendaSession]:
    """Replace the proposed sessions with a new proposal from the pre-exchange survey's submitted answers,
    placed around the sessions staff have fixed. Returns the new proposed sessions; proposals that found
    no free time are left out (the results page still lists them)."""
    from ..selectors import survey_input_for_event

    with transaction.atomic():
        event = _lock_event(event)
        if event.pre_survey_id is None:
            raise ExchangeStateError(
                _("Create the pre-exchange survey first: the draft agenda comes from it.")
            )
        data = survey_input_for_event(event=event)
        if not data.respondents:
            raise ExchangeStateError(_("Nobody has answered the pre-exchange survey yet."))
        from ..agenda_proposal import propose_sessions

        AgendaSession.objects.filter(event=event, proposed=True).delete()
        busy = list(AgendaSession.objects.filter(event=event).values_list("starts_at", "ends_at"))
        proposals = schedule(
            propose_sessions(data),
            event_start=event.starts_at,
            event_end=event.ends_at,
            zone=event.zone,
            busy=busy,
        )
        created = []
        for proposal in proposals:
            if proposal.starts_at is None:
                continue
            session = AgendaSession.objects.create(
                event=event,
                kind=proposal.kind,
                title=proposal.title[:200],
                description=proposal.description,
                starts_at=proposal.starts_at,
                ends_at=proposal.ends_at,
                place=event.venue if proposal.kind != SessionKind.FREE_TIME else "",
                proposed=True,
            )
            session.speakers.set(proposal.speakers)
            created.append(session)
        record_audit(
            actor=by, action="exchange.agenda_generated", target=event, data={"sessions": len(created)}
        )
    return created


def publish_agenda(*, event: ExchangeEvent, by) -> ExchangeEvent:
    """Publish the agenda (proposed sessions still in it are confirmed as they are) and tell everyone with
    a confirmed place, once (the reminder schedule tells those who register later)."""
    with transaction.atomic():
        event = _lock_event(event)
        if not AgendaSession.objects.filter(event=event).exists():
            raise ExchangeStateError(_("Add at least one session before publishing the agenda."))
        AgendaSession.objects.filter(event=event, proposed=True).update(
            proposed=False, updated_at=timezone.now()
        )
        first_time = event.agenda_published_at is None
        event.agenda_published_at = timezone.now()
        event.save(update_fields=["agenda_published_at", "updated_at"])
        record_audit(actor=by, action="exchange.agenda_published", target=event)
        if first_time:
            notify_agenda_published(event=event)
    return event


def notify_agenda_published(*, event: ExchangeEvent) -> int:
    users = [r.user for r in Registration.objects.confirmed().filter(event=event).select_related("user")]
    recipients = claim_reminders(users=users, key=agenda_key(event))
    if recipients:
        notify(
            recipients=recipients,
            kind=kinds.AGENDA_PUBLISHED,
            context={"event": event},
            target=event,
            url=reverse("exchanges:event-agenda", kwargs={"pk": event.pk}),
        )
    return len(recipients)


def agenda_key(event: ExchangeEvent) -> str:
    return f"exchange:{event.pk}:agenda-published"
