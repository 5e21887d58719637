import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from exchanges.models import CalendarFeed
from tests.factories.exchanges import AgendaSessionFactory, ExchangeEventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")


def _event(**kwargs):
    start = datetime.datetime(2030, 6, 11, 9, 0, tzinfo=HELSINKI)
    return ExchangeEventFactory(
        starts_at=start,
        ends_at=start + datetime.timedelta(days=1, hours=3, minutes=30),
        registration_closes_at=start - datetime.timedelta(days=7),
        cancellation_cutoff=start - datetime.timedelta(days=3),
        **kwargs,
    )


def _parse(response) -> icalendar.Calendar:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def test_event_calendar_file_has_the_host_zone_and_the_published_sessions(client):
    event = _event(title="Turku exchange", agenda_published_at=timezone.now())
    AgendaSessionFactory(
        event=event,
        title="Market dialogue",
        starts_at=event.starts_at,
        ends_at=event.starts_at + datetime.timedelta(hours=1),
        published=True,
    )

    calendar = _parse(client.get(reverse("exchanges:event-calendar", args=[event.pk])))

    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Turku exchange", "Market dialogue (Turku exchange)"]
    start = events[0].decoded("DTSTART")
    assert start == datetime.datetime(2030, 6, 11, 9, 0, tzinfo=HELSINKI)
    assert events[0]["DTSTART"].params["TZID"] == "Europe/Helsinki"
    assert start.astimezone(datetime.UTC) == datetime.datetime(2030, 6, 11, 6, 0, tzinfo=datetime.UTC)
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Helsinki"]
    assert events[0].decoded("DTSTAMP").tzinfo is not None
    assert len({str(e["UID"]) for e in events}) == 2


def test_event_calendar_leaves_out_sessions_until_the_agenda_is_published(client):
    event = _event()
    AgendaSessionFactory(event=event)

    calendar = _parse(client.get(reverse("exchanges:event-calendar", args=[event.pk])))

    assert len(calendar.walk("VEVENT")) == 1


def test_personal_feed_holds_confirmed_registrations_only(client):
    confirmed = RegistrationFactory(event=_event(title="Turku"))
    user = confirmed.user
    RegistrationFactory(
        event=_event(title="Tartu"), user=user, organisation=confirmed.organisation, status="waitlisted"
    )
    RegistrationFactory(
        event=_event(title="Rotterdam"), user=user, organisation=confirmed.organisation, status="cancelled"
    )
    client.force_login(user)

    client.post(reverse("exchanges:feed-regenerate"))
    feed = CalendarFeed.objects.get(user=user)
    client.logout()
    calendar = _parse(client.get(feed.get_absolute_url()))

    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Turku"]


def test_regenerating_the_feed_cuts_off_the_old_address(client):
    registration = RegistrationFactory(event=_event())
    client.force_login(registration.user)
    client.post(reverse("exchanges:feed-regenerate"))
    old = CalendarFeed.objects.get(user=registration.user).get_absolute_url()

    client.post(reverse("exchanges:feed-regenerate"))

    new = CalendarFeed.objects.get(user=registration.user).get_absolute_url()
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    page = client.get(reverse("exchanges:my-registrations")).content.decode()
    assert new in page
