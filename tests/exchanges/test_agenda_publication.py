"""What the public sees of an agenda is what staff published: proposals, new sessions and changes wait for
"Publish the changes" on every public read (the event page, the agenda page, the event's calendar file and
the personal feeds). Also: sessions the event's dates no longer cover, and the day headings on the host's
clock."""

import datetime
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import IntegrityError
from django.urls import reverse

from exchanges.enums import SessionKind
from exchanges.models import AgendaSession
from exchanges.selectors import agenda_days
from exchanges.services.agenda import add_session, publish_agenda, update_session
from exchanges.services.events import ExchangeStateError, update_event
from exchanges.services.feeds import feed_for
from tests.factories.exchanges import AgendaSessionFactory, ExchangeEventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def changed_agenda(staff):
    """A published agenda, then changed: a new session staff added and a proposal naming a volunteer."""
    event = ExchangeEventFactory()
    volunteer = RegistrationFactory(event=event, user__full_name="Kadri Tamm")
    AgendaSessionFactory(event=event, title="Welcome coffee", starts_at=event.starts_at)
    publish_agenda(event=event, by=staff)
    add_session(
        event=event,
        by=staff,
        kind=SessionKind.DISCUSSION,
        title="Unreviewed talk",
        starts_at=event.starts_at + 2 * HOUR,
        ends_at=event.starts_at + 3 * HOUR,
    )
    proposal = AgendaSessionFactory(
        event=event,
        title="Real case: Kadri's school meals",
        starts_at=event.starts_at + 4 * HOUR,
        proposed=True,
    )
    proposal.speakers.add(volunteer)
    return event, volunteer


def _event_page(client, event, volunteer) -> str:
    return client.get(event.get_absolute_url()).content.decode()


def _agenda_page(client, event, volunteer) -> str:
    return client.get(reverse("exchanges:event-agenda", args=[event.pk])).content.decode()


def _calendar_file(client, event, volunteer) -> str:
    calendar = icalendar.Calendar.from_ical(
        client.get(reverse("exchanges:event-calendar", args=[event.pk])).content
    )
    return "\n".join(str(vevent["SUMMARY"]) for vevent in calendar.walk("VEVENT"))


def _personal_feed(client, event, volunteer) -> str:
    feed = feed_for(user=volunteer.user)
    calendar = icalendar.Calendar.from_ical(client.get(feed.get_absolute_url()).content)
    return "\n".join(str(vevent["SUMMARY"]) for vevent in calendar.walk("VEVENT"))


READS = [_event_page, _agenda_page, _calendar_file, _personal_feed]


@pytest.mark.parametrize("read", READS, ids=[read.__name__.strip("_") for read in READS])
def test_public_reads_show_only_the_published_agenda(client, changed_agenda, read):
    event, volunteer = changed_agenda

    shown = read(client, event, volunteer)

    assert "Welcome coffee" in shown
    assert "Unreviewed talk" not in shown
    assert "school meals" not in shown
    assert "Kadri Tamm" not in shown


@pytest.mark.parametrize("read", READS, ids=[read.__name__.strip("_") for read in READS])
def test_publishing_the_changes_shows_them(client, staff, changed_agenda, read):
    event, volunteer = changed_agenda

    publish_agenda(event=event, by=staff)

    shown = read(client, event, volunteer)
    assert "Unreviewed talk" in shown
    assert "Real case: Kadri" in shown


def test_a_changed_session_waits_for_publication_and_an_unchanged_one_stays(client, staff):
    event = ExchangeEventFactory()
    session = AgendaSessionFactory(event=event, title="Welcome coffee", place="Hall")
    publish_agenda(event=event, by=staff)
    agenda_url = reverse("exchanges:event-agenda", args=[event.pk])

    update_session(session=session, by=staff, title="Welcome coffee", place="Hall")
    session.refresh_from_db()
    assert session.published
    update_session(session=session, by=staff, title="Welcome tea")
    session.refresh_from_db()

    assert not session.published
    assert "Welcome tea" not in client.get(agenda_url).content.decode()
    publish_agenda(event=event, by=staff)
    assert "Welcome tea" in client.get(agenda_url).content.decode()


def test_editor_shows_what_is_not_published_and_offers_to_publish_the_changes(client, staff, changed_agenda):
    event, _volunteer = changed_agenda
    client.force_login(staff)

    page = client.get(reverse("exchanges:agenda-edit", args=[event.pk])).content.decode()

    assert "Publish the changes" in page
    assert "2 sessions are not published: participants do not see them yet." in page
    assert page.count(">not published</span>") == 2
    publish_agenda(event=event, by=staff)
    page = client.get(reverse("exchanges:agenda-edit", args=[event.pk])).content.decode()
    assert "Everything on the agenda is published." in page
    assert "Publish the changes" not in page


def test_database_refuses_a_published_proposal():
    with pytest.raises(IntegrityError):
        AgendaSessionFactory(proposed=True, published=True)


# Sessions outside the event's dates


def test_sessions_outside_new_dates_are_flagged_and_block_publication(client, staff):
    event = ExchangeEventFactory()
    AgendaSessionFactory(event=event, title="Opening", starts_at=event.starts_at)
    AgendaSessionFactory(event=event, title="Closing", starts_at=event.ends_at - HOUR)
    update_event(event=event, by=staff, ends_at=event.starts_at + 5 * HOUR)
    client.force_login(staff)

    page = client.get(reverse("exchanges:agenda-edit", args=[event.pk])).content.decode()
    with pytest.raises(ExchangeStateError, match="1 session falls outside the exchange's dates") as refusal:
        publish_agenda(event=event, by=staff)
    response = client.post(reverse("exchanges:agenda-publish", args=[event.pk]), follow=True)

    assert page.count(">outside the exchange's dates</span>") == 1
    assert "1 session falls outside the exchange's dates" in page
    assert "“Closing”" in str(refusal.value)
    assert "Move or delete it, then publish the agenda." in response.content.decode()
    event.refresh_from_db()
    assert event.agenda_published_at is None


# Days on the host's clock


def test_agenda_days_follow_the_host_clock_far_from_utc():
    auckland = ZoneInfo("Pacific/Auckland")  # UTC+12/13: the morning is the previous day in UTC
    start = datetime.datetime(2030, 3, 12, 8, 0, tzinfo=auckland)
    event = ExchangeEventFactory(
        timezone="Pacific/Auckland",
        starts_at=start,
        ends_at=start + datetime.timedelta(days=1, hours=4),
        registration_closes_at=start - datetime.timedelta(days=7),
        cancellation_cutoff=start - datetime.timedelta(days=3),
    )
    morning = AgendaSessionFactory(event=event, title="Morning", starts_at=start, published=True)
    afternoon = AgendaSessionFactory(
        event=event, title="Afternoon", starts_at=start + 6 * HOUR, published=True
    )
    next_day = AgendaSessionFactory(
        event=event, title="Next day", starts_at=start + datetime.timedelta(days=1), published=True
    )
    assert (
        morning.starts_at.astimezone(datetime.UTC).date()
        != afternoon.starts_at.astimezone(datetime.UTC).date()
    )

    days = agenda_days([next_day, afternoon, morning], zone=auckland)

    assert [(day.date, [s.title for s in day.sessions]) for day in days] == [
        (datetime.date(2030, 3, 12), ["Morning", "Afternoon"]),
        (datetime.date(2030, 3, 13), ["Next day"]),
    ]


def test_agenda_page_groups_days_on_the_host_clock(client, staff):
    auckland = ZoneInfo("Pacific/Auckland")
    start = datetime.datetime(2030, 3, 12, 8, 0, tzinfo=auckland)
    event = ExchangeEventFactory(
        timezone="Pacific/Auckland",
        starts_at=start,
        ends_at=start + datetime.timedelta(days=1, hours=4),
        registration_closes_at=start - datetime.timedelta(days=7),
        cancellation_cutoff=start - datetime.timedelta(days=3),
    )
    AgendaSessionFactory(event=event, title="Morning", starts_at=start)
    AgendaSessionFactory(event=event, title="Afternoon", starts_at=start + 6 * HOUR)
    publish_agenda(event=event, by=staff)

    page = client.get(reverse("exchanges:event-agenda", args=[event.pk])).content.decode()

    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", page)
    assert headings == ["Tuesday 12 March 2030"]
    assert ">08:00</time>" in page
    assert ">14:00</time>" in page


def test_new_sessions_start_unpublished(staff):
    event = ExchangeEventFactory()

    session = add_session(
        event=event,
        by=staff,
        kind=SessionKind.PRESENTATION,
        title="New",
        starts_at=event.starts_at,
        ends_at=event.starts_at + HOUR,
    )

    assert (session.published, AgendaSession.objects.published().filter(event=event).count()) == (False, 0)
