"""iCalendar files: one per event (the event and, once published, the agenda's published sessions) and a
person's feed of every exchange they have a confirmed place at. Times carry the host's TZID with its
VTIMEZONE, so calendar apps show them on the host's clock whatever zone the reader is in; DTSTAMP is UTC."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .models import ExchangeEvent

PRODID = "-//Innovation Procurement Portal//Staff exchanges//EN"


def _domain() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "localhost"


def _vevent(
    *, uid: str, summary: str, start, end, zone, location: str = "", description: str = "", url: str = ""
):
    vevent = Event()
    vevent.add("uid", uid)
    vevent.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    vevent.add("summary", summary)
    vevent.add("dtstart", start.astimezone(zone))
    vevent.add("dtend", end.astimezone(zone))
    if location:
        vevent.add("location", location)
    if description:
        vevent.add("description", description)
    if url:
        vevent.add("url", url)
    return vevent


def _event_components(event: ExchangeEvent, sessions: Iterable) -> list[Event]:
    zone = event.zone
    url = f"{settings.SITE_URL}{event.get_absolute_url()}"
    location = ", ".join(part for part in (event.venue, event.address, event.city) if part)
    components = [
        _vevent(
            uid=f"exchange-{event.pk}@{_domain()}",
            summary=event.title,
            start=event.starts_at,
            end=event.ends_at,
            zone=zone,
            location=location,
            description=event.description,
            url=url,
        )
    ]
    if event.agenda_published_at is not None:
        for session in sessions:
            components.append(
                _vevent(
                    uid=f"exchange-{event.pk}-session-{session.pk}@{_domain()}",
                    summary=f"{session.title} ({event.title})",
                    start=session.starts_at,
                    end=session.ends_at,
                    zone=zone,
                    location=session.place or location,
                    description=session.description,
                    url=f"{url}agenda/",
                )
            )
    return components


def build_calendar(*, events: Iterable[ExchangeEvent], name: str) -> bytes:
    """The calendar of these events; each event's sessions are read from `event.sessions.all()`, and only
    once its agenda is published. Prefetch the published sessions only (AgendaSession.objects.published(),
    as the event calendar view and selectors.events_for_feed do): the file shows what the public sees."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for event in events:
        for component in _event_components(event, event.sessions.all()):
            calendar.add_component(component)
    calendar.add_missing_timezones()
    return calendar.to_ical()
