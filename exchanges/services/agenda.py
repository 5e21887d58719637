"""The agenda: sessions added and edited by staff (never overlapping, always inside the event), the draft
proposed by the pre-exchange survey, and publication.

What the public sees is what staff published: a session is on the public agenda, in the event's calendar
file and in the personal feeds only while its `published` flag is on. Adding a session, generating the
draft or changing a session switches the flag off for that session; publish_agenda switches it on for the
whole agenda ("Publish the changes"). Deleting a session takes it off the public agenda at once."""

import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.audit.services import record_audit
from portal.notifications.services import claim_reminders, notify

from .. import kinds
from ..agenda_proposal import ProposedSession, schedule
from ..enums import EventStatus, SessionKind
from ..models import AgendaSession, ExchangeEvent, Registration
from .events import ExchangeStateError

SESSION_FIELDS = ("kind", "title", "description", "starts_at", "ends_at", "place", "speaker_names")
LOCKED_STATUSES = {EventStatus.COMPLETED, EventStatus.REFLECTED}


def _local(moment, zone) -> str:
    return date_format(moment.astimezone(zone), "j M H:i")


def check_session(
    *,
    event: ExchangeEvent,
    starts_at,
    ends_at,
    exclude_pk=None,
    speakers=(),
    challenges=(),
    case_studies=(),
) -> None:
    """Field errors for a session that ends before it starts, falls outside the event or overlaps another,
    or links what may not be linked."""
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
    if any(not case_study.is_published for case_study in case_studies):
        errors.setdefault("case_studies", []).append(_("Only published case studies can be linked."))
    if errors:
        raise ValidationError(errors)


def _lock_event(event: ExchangeEvent) -> ExchangeEvent:
    event = ExchangeEvent.objects.select_for_update().get(pk=event.pk)
    if event.status in LOCKED_STATUSES:
        raise ExchangeStateError(_("The agenda of a completed exchange can no longer be changed."))
    return event


def add_session(
    *,
    event: ExchangeEvent,
    by,
    speakers=(),
    challenges=(),
    case_studies=(),
    from_proposal: str = "",
    **values,
) -> AgendaSession:
    """Add a session; it reaches the public agenda when staff next publish it. `from_proposal`: the key of
    an unplaced proposal of the draft agenda that this session places (it leaves the list)."""
    unknown = set(values) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown session fields: {sorted(unknown)}")
    speakers, challenges, case_studies = list(speakers), list(challenges), list(case_studies)
    with transaction.atomic():
        event = _lock_event(event)
        check_session(
            event=event,
            starts_at=values.get("starts_at"),
            ends_at=values.get("ends_at"),
            speakers=speakers,
            challenges=challenges,
            case_studies=case_studies,
        )
        session = AgendaSession.objects.create(event=event, published=False, **values)
        session.speakers.set(speakers)
        session.challenges.set(challenges)
        session.case_studies.set(case_studies)
        if from_proposal:
            remaining = [item for item in event.unplaced_proposals if item.get("key") != from_proposal]
            if len(remaining) != len(event.unplaced_proposals):
                event.unplaced_proposals = remaining
                event.save(update_fields=["unplaced_proposals", "updated_at"])
        record_audit(actor=by, action="exchange.session_added", target=event, data={"session": session.pk})
    return session


def _link_ids(session: AgendaSession) -> dict[str, set[int]]:
    return {
        "speakers": set(session.speakers.values_list("pk", flat=True)),
        "challenges": set(session.challenges.values_list("pk", flat=True)),
        "case_studies": set(session.case_studies.values_list("pk", flat=True)),
    }


def update_session(
    *, session: AgendaSession, by, speakers=None, challenges=None, case_studies=None, **values
) -> AgendaSession:
    """Change a session. A proposed session that staff edit becomes a confirmed part of the agenda; a
    session that actually changes leaves the public agenda until staff publish the changes (the public
    never sees a version staff have not published)."""
    unknown = set(values) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown session fields: {sorted(unknown)}")
    links = {"speakers": speakers, "challenges": challenges, "case_studies": case_studies}
    with transaction.atomic():
        event = _lock_event(session.event)
        session = AgendaSession.objects.select_for_update().get(pk=session.pk)
        before = {name: getattr(session, name) for name in SESSION_FIELDS}
        linked_before = _link_ids(session)
        for name, value in values.items():
            setattr(session, name, value)
        check_session(
            event=event,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            exclude_pk=session.pk,
            speakers=list(speakers or []),
            challenges=list(challenges or []),
            case_studies=list(case_studies or []),
        )
        changed = any(getattr(session, name) != before[name] for name in SESSION_FIELDS) or any(
            items is not None and {item.pk for item in items} != linked_before[name]
            for name, items in links.items()
        )
        session.proposed = False
        if changed:
            session.published = False
        session.save()
        for name, items in links.items():
            if items is not None:
                getattr(session, name).set(items)
        record_audit(
            actor=by,
            action="exchange.session_updated",
            target=event,
            data={"session": session.pk, "changed": changed},
        )
    return session


def delete_session(*, session: AgendaSession, by) -> None:
    """Delete a session; a published one leaves the public agenda at once."""
    with transaction.atomic():
        event = _lock_event(session.event)
        record_audit(
            actor=by,
            action="exchange.session_deleted",
            target=event,
            data={"session": session.pk, "title": session.title},
        )
        AgendaSession.objects.filter(pk=session.pk).delete()


@dataclass
class DraftAgenda:
    """What generate_draft_agenda did: the proposed sessions it put on the agenda, and the proposals that
    found no free time (kept on the event for staff to place by hand)."""

    created: list[AgendaSession] = field(default_factory=list)
    unplaced: list[dict] = field(default_factory=list)


def _unplaced_entry(proposal: ProposedSession) -> dict:
    return {
        "key": secrets.token_hex(6),
        "kind": str(proposal.kind),
        "title": proposal.title[:200],
        "description": proposal.description,
        "minutes": int(proposal.length.total_seconds() // 60),
        "speakers": [registration.pk for registration in proposal.speakers],
    }


def generate_draft_agenda(*, event: ExchangeEvent, by) -> DraftAgenda:
    """Replace the proposed sessions with a new proposal from the pre-exchange survey's submitted answers,
    placed around the sessions staff have fixed. The proposals that find no free time are stored on the
    event (replacing the previous list) so that the agenda editor lists them for staff to place."""
    from ..agenda_proposal import propose_sessions
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

        AgendaSession.objects.filter(event=event, proposed=True).delete()
        busy = list(AgendaSession.objects.filter(event=event).values_list("starts_at", "ends_at"))
        proposals = schedule(
            propose_sessions(data),
            event_start=event.starts_at,
            event_end=event.ends_at,
            zone=event.zone,
            busy=busy,
        )
        draft = DraftAgenda()
        for proposal in proposals:
            if proposal.starts_at is None:
                draft.unplaced.append(_unplaced_entry(proposal))
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
                published=False,
            )
            session.speakers.set(proposal.speakers)
            draft.created.append(session)
        event.unplaced_proposals = draft.unplaced
        event.save(update_fields=["unplaced_proposals", "updated_at"])
        record_audit(
            actor=by,
            action="exchange.agenda_generated",
            target=event,
            data={"sessions": len(draft.created), "unplaced": len(draft.unplaced)},
        )
    return draft


def dismiss_unplaced_proposal(*, event: ExchangeEvent, key: str, by) -> ExchangeEvent:
    """Take a proposal that did not fit off the editor's list, without placing it."""
    with transaction.atomic():
        event = _lock_event(event)
        remaining = [item for item in event.unplaced_proposals if item.get("key") != key]
        if len(remaining) == len(event.unplaced_proposals):
            raise ExchangeStateError(_("That proposal is no longer on the list."))
        event.unplaced_proposals = remaining
        event.save(update_fields=["unplaced_proposals", "updated_at"])
        record_audit(actor=by, action="exchange.proposal_dismissed", target=event, data={"key": key})
    return event


def sessions_outside_event(*, event: ExchangeEvent):
    """Sessions that no longer fit the event's dates (the dates changed after they were planned)."""
    return AgendaSession.objects.filter(event=event).filter(
        Q(starts_at__lt=event.starts_at) | Q(ends_at__gt=event.ends_at)
    )


def publish_agenda(*, event: ExchangeEvent, by) -> ExchangeEvent:
    """Publish the agenda as it stands: every session (proposed ones are confirmed as they are) goes on the
    public agenda, the calendar file and the feeds. Refused while a session falls outside the event's
    dates. Tells everyone with a confirmed place, the first time only (the reminder schedule tells those
    who register later)."""
    with transaction.atomic():
        event = _lock_event(event)
        if not AgendaSession.objects.filter(event=event).exists():
            raise ExchangeStateError(_("Add at least one session before publishing the agenda."))
        outside = list(sessions_outside_event(event=event).order_by("starts_at", "pk"))
        if outside:
            raise ExchangeStateError(
                ngettext(
                    "%(count)s session falls outside the exchange's dates (%(start)s to %(end)s): "
                    "%(titles)s. Move or delete it, then publish the agenda.",
                    "%(count)s sessions fall outside the exchange's dates (%(start)s to %(end)s): "
                    "%(titles)s. Move or delete them, then publish the agenda.",
                    len(outside),
                )
                % {
                    "count": len(outside),
                    "start": _local(event.starts_at, event.zone),
                    "end": _local(event.ends_at, event.zone),
                    "titles": ", ".join(f"“{session.title}”" for session in outside),
                }
            )
        now = timezone.now()
        AgendaSession.objects.filter(event=event).filter(Q(proposed=True) | Q(published=False)).update(
            proposed=False, published=True, updated_at=now
        )
        first_time = event.agenda_published_at is None
        event.agenda_published_at = now
        event.save(update_fields=["agenda_published_at", "updated_at"])
        record_audit(actor=by, action="exchange.agenda_published", target=event)
        if first_time:
            notify_agenda_published(event=event)
    return event


def notify_agenda_published(*, event: ExchangeEvent) -> int:
    """Tell the confirmed participants who have not heard yet that the agenda is published. The claim and
    the notification are one transaction, so a crash between them leaves nobody marked as told."""
    with transaction.atomic():
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
