import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from exchanges.enums import EventStatus
from exchanges.models import AgendaSession, Registration
from exchanges.services.surveys import create_event_survey, open_event_survey
from exchanges.surveys.models import Completion
from tests.factories.exchanges import (
    AgendaSessionFactory,
    ExchangeEventFactory,
    ExchangeProgrammeFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")


def test_register_page_registers_and_says_so(client, procurer, buyer):
    event = ExchangeEventFactory(capacity=5)
    client.force_login(procurer)

    response = client.post(
        reverse("exchanges:event-register", args=[event.pk]),
        {"organisation": buyer.pk, "role": "presenter", "dietary": "Vegan", "consent_to_list": "on"},
        follow=True,
    )

    registration = Registration.objects.get(event=event, user=procurer)
    assert (registration.status, registration.role, registration.dietary) == (
        "confirmed",
        "presenter",
        "Vegan",
    )
    assert "You are registered" in response.content.decode()


def test_register_page_puts_a_late_comer_on_the_waiting_list(client, procurer, buyer):
    event = ExchangeEventFactory(capacity=1)
    RegistrationFactory(event=event)
    client.force_login(procurer)

    response = client.post(
        reverse("exchanges:event-register", args=[event.pk]),
        {"organisation": buyer.pk, "role": "participant"},
        follow=True,
    )

    assert Registration.objects.get(event=event, user=procurer).status == "waitlisted"
    assert "waiting list" in response.content.decode()


def test_register_page_keeps_what_was_typed_on_bad_dates(client, procurer, buyer):
    event = ExchangeEventFactory()
    client.force_login(procurer)
    day = event.starts_at.astimezone(HELSINKI).date()

    response = client.post(
        reverse("exchanges:event-register", args=[event.pk]),
        {
            "organisation": buyer.pk,
            "role": "participant",
            "dietary": "No nuts",
            "arrival": day.isoformat(),
            "departure": (day - datetime.timedelta(days=2)).isoformat(),
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Departure cannot be before arrival." in page
    assert 'value="No nuts"' in page
    assert not Registration.objects.filter(user=procurer).exists()


def test_register_page_after_the_window_shows_it_is_closed(client, procurer, buyer):
    event = ExchangeEventFactory(status=EventStatus.REGISTRATION_CLOSED)
    client.force_login(procurer)

    response = client.post(
        reverse("exchanges:event-register", args=[event.pk]),
        {"organisation": buyer.pk, "role": "participant"},
    )

    assert "Registration for this exchange is closed." in response.content.decode()
    assert not Registration.objects.filter(user=procurer).exists()


def test_cancel_page_cancels_and_promotes(client):
    event = ExchangeEventFactory(capacity=1)
    mine = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status="waitlisted")
    client.force_login(mine.user)

    client.post(reverse("exchanges:registration-cancel", args=[mine.pk]))

    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_participant_list_shows_only_those_who_consented(client):
    event = ExchangeEventFactory()
    me = RegistrationFactory(event=event, user__full_name="Aino Virtanen", consent_to_list=True)
    RegistrationFactory(event=event, user__full_name="Hidden Person", consent_to_list=False)
    RegistrationFactory(event=event, user__full_name="Waiting Person", status="waitlisted")
    client.force_login(me.user)

    page = client.get(reverse("exchanges:participant-list", args=[event.pk])).content.decode()

    assert "Aino Virtanen" in page
    assert "Hidden Person" not in page
    assert "Waiting Person" not in page
    assert me.user.email not in page


def test_participants_csv_lists_everyone_for_staff(client, staff):
    event = ExchangeEventFactory()
    RegistrationFactory(event=event, user__full_name="Aino Virtanen", dietary="=HYPERLINK(1)")
    RegistrationFactory(event=event, user__full_name="Waiting Person", status="waitlisted")
    client.force_login(staff)

    response = client.get(reverse("exchanges:participants-csv", args=[event.pk]))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Name", "Email", "Organisation", "Role", "Status"]
    assert [(row[0], row[4], row[5]) for row in rows[1:]] == [
        ("Aino Virtanen", "Confirmed", "'=HYPERLINK(1)"),
        ("Waiting Person", "On the waiting list", ""),
    ]


def test_staff_create_an_event_from_the_template(client, staff, buyer):
    programme = ExchangeProgrammeFactory()
    client.force_login(staff)

    response = client.post(
        reverse("exchanges:event-create", args=[programme.slug]),
        {
            "from_template": "on",
            "title": "Tartu exchange",
            "host": buyer.pk,
            "city": "Tartu",
            "timezone": "Europe/Tallinn",
            "starts_at": "2030-05-15T10:00",
            "capacity": "20",
        },
    )

    event = programme.events.get()
    assert response["Location"] == reverse("exchanges:event-planning", args=[event.pk])
    assert event.starts_at == datetime.datetime(2030, 5, 15, 9, 0, tzinfo=ZoneInfo("Europe/Tallinn"))
    assert event.sessions.count() == 6


def test_event_form_shows_field_errors_and_keeps_input(client, staff, buyer):
    programme = ExchangeProgrammeFactory()
    client.force_login(staff)

    response = client.post(
        reverse("exchanges:event-create", args=[programme.slug]),
        {
            "title": "Tartu exchange",
            "host": buyer.pk,
            "city": "Tartu",
            "timezone": "Europe/Tallinn",
            "starts_at": "2030-05-15T10:00",
            "ends_at": "2030-05-14T10:00",
            "capacity": "0",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "An exchange needs at least one place." in page
    assert 'value="Tartu exchange"' in page
    assert not programme.events.exists()


def test_agenda_editor_refuses_an_overlap_at_the_field(client, staff):
    event = ExchangeEventFactory()
    AgendaSessionFactory(event=event, title="Welcome")
    client.force_login(staff)
    start = event.starts_at.astimezone(HELSINKI)

    response = client.post(
        reverse("exchanges:agenda-edit", args=[event.pk]),
        {
            "kind": "discussion",
            "title": "Clashing talk",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "This overlaps with “Welcome”" in page
    assert 'href="#id_starts_at"' in page
    assert 'value="Clashing talk"' in page
    assert AgendaSession.objects.filter(event=event).count() == 1


def test_agenda_editor_adds_a_session_in_the_host_zone(client, staff):
    event = ExchangeEventFactory()
    client.force_login(staff)
    start = event.starts_at.astimezone(HELSINKI)

    client.post(
        reverse("exchanges:agenda-edit", args=[event.pk]),
        {
            "kind": "site_visit",
            "title": "Depot visit",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Depot",
        },
    )

    session = AgendaSession.objects.get(event=event)
    assert (session.starts_at, session.kind) == (event.starts_at, "site_visit")


def test_publish_agenda_page_shows_the_agenda_publicly(client, staff):
    event = ExchangeEventFactory()
    AgendaSessionFactory(event=event, title="Welcome coffee")
    client.force_login(staff)

    client.post(reverse("exchanges:agenda-publish", args=[event.pk]))
    client.logout()

    page = client.get(reverse("exchanges:event-agenda", args=[event.pk])).content.decode()
    assert "Welcome coffee" in page


def test_participant_saves_and_submits_the_survey_in_the_event_context(client, staff):
    event = ExchangeEventFactory()
    survey = create_event_survey(event=event, which="pre", by=staff)
    open_event_survey(event=event, which="pre", by=staff)
    registration = RegistrationFactory(event=event)
    client.force_login(registration.user)
    url = reverse("exchanges:event-survey", args=[event.pk, "pre"])

    client.post(url, {"action": "save", "learn": "Market dialogue, please"})
    page = client.get(url).content.decode()
    assert "Market dialogue, please" in page
    response = client.post(url, {"action": "submit", "themes": ["market-dialogue"], "learn": ""})
    assert response.status_code == 200
    assert not Completion.objects.filter(survey=survey, user=registration.user).exists()
    response = client.post(
        url, {"action": "submit", "themes": ["market-dialogue"], "learn": "Market dialogue"}
    )

    assert response.status_code == 302
    assert Completion.objects.filter(survey=survey, user=registration.user).exists()
    assert "You have submitted your answers" in client.get(url).content.decode()


def test_survey_page_says_when_the_survey_is_not_open(client, staff):
    event = ExchangeEventFactory()
    create_event_survey(event=event, which="pre", by=staff)
    registration = RegistrationFactory(event=event)
    client.force_login(registration.user)

    page = client.get(reverse("exchanges:event-survey", args=[event.pk, "pre"])).content.decode()

    assert "This survey is not open for answers." in page


def test_staff_remind_those_who_have_not_answered_once_a_day(client, staff):
    from portal.notifications.models import OutboxMail

    event = ExchangeEventFactory()
    create_event_survey(event=event, which="pre", by=staff)
    open_event_survey(event=event, which="pre", by=staff)
    pending = RegistrationFactory(event=event)
    client.force_login(staff)
    planning = client.get(reverse("exchanges:event-planning", args=[event.pk])).content.decode()
    assert pending.user.full_name in planning

    client.post(reverse("exchanges:survey-remind", args=[event.pk, "pre"]))
    client.post(reverse("exchanges:survey-remind", args=[event.pk, "pre"]))

    assert OutboxMail.objects.filter(recipient=pending.user, kind="exchanges.survey_reminder").count() == 1


def test_status_change_moves_one_step_and_refuses_a_jump(client, staff):
    event = ExchangeEventFactory(status=EventStatus.PLANNING)
    client.force_login(staff)

    client.post(reverse("exchanges:event-status", args=[event.pk]), {"status": "completed"})
    event.refresh_from_db()
    assert event.status == EventStatus.PLANNING
    client.post(reverse("exchanges:event-status", args=[event.pk]), {"status": "registration_open"})
    event.refresh_from_db()
    assert event.status == EventStatus.REGISTRATION_OPEN


@pytest.mark.parametrize("rows", [1, 4])
def test_programme_page_query_count(client, django_assert_num_queries, rows):
    programme = ExchangeProgrammeFactory()
    ExchangeEventFactory.create_batch(rows, programme=programme)

    with django_assert_num_queries(3):
        client.get(programme.get_absolute_url())


@pytest.mark.parametrize("rows", [1, 4])
def test_planning_page_query_count(client, staff, django_assert_num_queries, rows):
    event = ExchangeEventFactory()
    RegistrationFactory.create_batch(rows, event=event)
    client.force_login(staff)
    client.get(reverse("exchanges:event-planning", args=[event.pk]))

    with django_assert_num_queries(12):  # one more than before: the surveys that could be attached
        client.get(reverse("exchanges:event-planning", args=[event.pk]))


@pytest.mark.parametrize("rows", [1, 4])
def test_agenda_page_query_count(client, django_assert_num_queries, rows):
    event = ExchangeEventFactory(agenda_published_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    for index in range(rows):
        session = AgendaSessionFactory(
            event=event,
            starts_at=event.starts_at + datetime.timedelta(hours=index),
            ends_at=event.starts_at + datetime.timedelta(hours=index, minutes=50),
            published=True,
        )
        session.speakers.add(RegistrationFactory(event=event))

    with django_assert_num_queries(5):  # the published sessions with speakers, challenges, case studies
        client.get(reverse("exchanges:event-agenda", args=[event.pk]))


@pytest.mark.parametrize("rows", [1, 4])
def test_participant_list_query_count(client, django_assert_num_queries, rows):
    event = ExchangeEventFactory()
    me = RegistrationFactory(event=event)
    RegistrationFactory.create_batch(rows, event=event)
    client.force_login(me.user)
    client.get(reverse("exchanges:participant-list", args=[event.pk]))

    with django_assert_num_queries(8):
        client.get(reverse("exchanges:participant-list", args=[event.pk]))


@pytest.mark.parametrize("rows", [1, 4])
def test_my_registrations_query_count(client, django_assert_num_queries, rows):
    first = RegistrationFactory()
    for _ in range(rows - 1):
        RegistrationFactory(user=first.user, organisation=first.organisation)
    client.force_login(first.user)
    client.get(reverse("exchanges:my-registrations"))

    with django_assert_num_queries(7):
        client.get(reverse("exchanges:my-registrations"))


@pytest.mark.parametrize("rows", [1, 4])
def test_programme_list_query_count(client, django_assert_num_queries, rows):
    ExchangeProgrammeFactory.create_batch(rows)

    with django_assert_num_queries(2):
        client.get(reverse("exchanges:programme-list"))


def test_staff_create_a_programme_and_reserved_names_are_refused(client, staff):
    from exchanges.models import ExchangeProgramme

    organiser = staff.memberships.get().organisation
    client.force_login(staff)
    url = reverse("exchanges:programme-create")

    response = client.post(url, {"name": "My programme", "slug": "events", "organiser": organiser.pk})
    assert "This short name is reserved." in response.content.decode()
    response = client.post(url, {"name": "BUILD", "slug": "build", "organiser": organiser.pk})

    assert response["Location"] == ExchangeProgramme.objects.get(slug="build").get_absolute_url()


def test_event_page_shows_times_on_the_host_clock(client):
    start = datetime.datetime(2030, 6, 11, 9, 0, tzinfo=HELSINKI)  # 08:00 in Oslo, the server's zone
    event = ExchangeEventFactory(
        starts_at=start,
        ends_at=start + datetime.timedelta(days=1, hours=3, minutes=30),
        registration_closes_at=start - datetime.timedelta(days=7),
        cancellation_cutoff=start - datetime.timedelta(days=3),
    )

    page = client.get(event.get_absolute_url()).content.decode()

    assert "Tuesday 11 June 2030, 09:00 to Wednesday 12 June 2030, 12:30 (Europe/Helsinki time)" in page


def test_waitlisted_person_cannot_answer_the_survey(client, staff):
    event = ExchangeEventFactory()
    create_event_survey(event=event, which="pre", by=staff)
    open_event_survey(event=event, which="pre", by=staff)
    waiting = RegistrationFactory(event=event, status="waitlisted")
    client.force_login(waiting.user)

    assert client.get(reverse("exchanges:event-survey", args=[event.pk, "pre"])).status_code == 404


def test_reflected_needs_a_published_report(client, staff):
    event = ExchangeEventFactory(status=EventStatus.COMPLETED)
    client.force_login(staff)

    response = client.post(
        reverse("exchanges:event-status", args=[event.pk]), {"status": "reflected"}, follow=True
    )

    event.refresh_from_db()
    assert event.status == EventStatus.COMPLETED
    assert "Publish the reflection report first." in response.content.decode()


@pytest.mark.parametrize("rows", [1, 4])
def test_event_page_query_count(client, django_assert_num_queries, rows):
    event = ExchangeEventFactory(agenda_published_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    for index in range(rows):
        RegistrationFactory(event=event)
        AgendaSessionFactory(
            event=event,
            starts_at=event.starts_at + datetime.timedelta(hours=index),
            ends_at=event.starts_at + datetime.timedelta(hours=index, minutes=50),
            published=True,
        )

    with django_assert_num_queries(7):
        client.get(event.get_absolute_url())


@pytest.mark.parametrize("rows", [1, 4])
def test_agenda_editor_query_count(client, staff, django_assert_num_queries, rows):
    event = ExchangeEventFactory()
    proposals = []
    for index in range(rows):
        speaker = RegistrationFactory(event=event)
        session = AgendaSessionFactory(
            event=event,
            starts_at=event.starts_at + datetime.timedelta(hours=index),
            ends_at=event.starts_at + datetime.timedelta(hours=index, minutes=50),
        )
        session.speakers.add(speaker)
        proposals.append(
            {
                "key": f"k{index}",
                "kind": "discussion",
                "title": f"Left {index}",
                "minutes": 60,
                "speakers": [speaker.pk],
            }
        )
    event.unplaced_proposals = proposals
    event.save(update_fields=["unplaced_proposals"])
    client.force_login(staff)
    url = reverse("exchanges:agenda-edit", args=[event.pk])
    client.get(url)

    with django_assert_num_queries(
        15
    ):  # the agenda with its links, the proposals' speakers, the form's choices
        client.get(url)


@pytest.mark.parametrize("rows", [1, 4])
def test_report_page_query_count(client, django_assert_max_num_queries, rows):
    from tests.factories.exchanges import CaseStudyReportFactory

    report = CaseStudyReportFactory(
        session_ratings=[{"title": f"S{n}", "mean": 4.0, "count": 2} for n in range(rows)]
    )

    with django_assert_max_num_queries(2):
        client.get(report.get_absolute_url())
