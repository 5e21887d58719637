import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from exchanges.agenda_proposal import SurveyInput, Volunteer, propose_sessions, schedule
from exchanges.enums import EventStatus, SessionKind
from exchanges.models import AgendaSession
from exchanges.services.agenda import add_session, generate_draft_agenda, publish_agenda, update_session
from exchanges.services.events import ExchangeStateError, create_event
from exchanges.services.surveys import create_event_survey, open_event_survey
from exchanges.surveys.services import save_answers
from portal.notifications.models import OutboxMail
from tests.factories.accounts import BuyerFactory
from tests.factories.exchanges import (
    AgendaSessionFactory,
    ExchangeEventFactory,
    ExchangeProgrammeFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db
TALLINN = ZoneInfo("Europe/Tallinn")


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TALLINN)


def _event(**kwargs):
    first = datetime.date(2030, 3, 14)  # a Thursday
    return ExchangeEventFactory(
        timezone="Europe/Tallinn",
        starts_at=at(first, 9),
        ends_at=at(datetime.date(2030, 3, 15), 12, 30),
        registration_closes_at=at(first, 8),
        cancellation_cutoff=at(first, 8),
        **kwargs,
    )


def test_create_event_from_the_template_spans_one_and_a_half_working_days(staff):
    friday = datetime.date(2030, 3, 15)

    event = create_event(
        programme=ExchangeProgrammeFactory(),
        by=staff,
        from_template=True,
        title="Tartu exchange",
        host=BuyerFactory(city="Tartu"),
        city="Tartu",
        timezone="Europe/Tallinn",
        starts_at=at(friday, 14),
        ends_at=at(friday, 15),
        capacity=20,
        venue="Town Hall",
    )

    assert event.status == EventStatus.PLANNING
    assert event.starts_at == at(friday, 9)
    assert event.ends_at == at(datetime.date(2030, 3, 18), 12, 30)  # Monday: the weekend is skipped
    sessions = list(event.sessions.order_by("starts_at"))
    assert len(sessions) == 6
    assert {s.kind for s in sessions} == {
        "presentation",
        "real_case",
        "free_time",
        "site_visit",
        "discussion",
    }
    assert all(event.starts_at <= s.starts_at < s.ends_at <= event.ends_at for s in sessions)


def test_add_session_refuses_an_overlap_with_a_field_message(staff):
    event = _event()
    day = event.starts_at.astimezone(TALLINN).date()
    AgendaSessionFactory(event=event, title="Welcome", starts_at=at(day, 9), ends_at=at(day, 10))

    with pytest.raises(ValidationError) as error:
        add_session(
            event=event,
            by=staff,
            kind=SessionKind.DISCUSSION,
            title="Talk",
            starts_at=at(day, 9, 30),
            ends_at=at(day, 10, 30),
        )

    assert list(error.value.message_dict) == ["starts_at"]
    assert "overlaps with “Welcome”" in error.value.message_dict["starts_at"][0]
    assert AgendaSession.objects.filter(event=event).count() == 1


def test_add_session_accepts_back_to_back_sessions(staff):
    event = _event()
    day = event.starts_at.astimezone(TALLINN).date()
    AgendaSessionFactory(event=event, starts_at=at(day, 9), ends_at=at(day, 10))

    session = add_session(
        event=event,
        by=staff,
        kind=SessionKind.DISCUSSION,
        title="Next",
        starts_at=at(day, 10),
        ends_at=at(day, 11),
    )

    assert session.pk


def test_add_session_refuses_times_outside_the_event(staff):
    event = _event()
    day = event.starts_at.astimezone(TALLINN).date()

    with pytest.raises(ValidationError) as error:
        add_session(
            event=event,
            by=staff,
            kind=SessionKind.TRAVEL,
            title="Early bus",
            starts_at=at(day, 7),
            ends_at=at(day, 8),
        )

    assert "must start during the exchange" in error.value.message_dict["starts_at"][0]
    assert "must end by the end of the exchange" in error.value.message_dict["ends_at"][0]


def test_add_session_refuses_an_end_before_the_start(staff):
    event = _event()
    day = event.starts_at.astimezone(TALLINN).date()

    with pytest.raises(ValidationError) as error:
        add_session(
            event=event,
            by=staff,
            kind=SessionKind.TRAVEL,
            title="Bus",
            starts_at=at(day, 11),
            ends_at=at(day, 10),
        )

    assert error.value.message_dict["ends_at"] == ["The session must end after it starts."]


def test_update_session_may_keep_its_own_time_and_confirms_a_proposal(staff):
    event = _event()
    day = event.starts_at.astimezone(TALLINN).date()
    session = AgendaSessionFactory(event=event, starts_at=at(day, 9), ends_at=at(day, 10), proposed=True)

    update_session(session=session, by=staff, title="Renamed")

    session.refresh_from_db()
    assert (session.title, session.proposed) == ("Renamed", False)


def test_agenda_of_a_completed_event_cannot_change(staff):
    event = _event(status=EventStatus.COMPLETED)
    day = event.starts_at.astimezone(TALLINN).date()

    with pytest.raises(ExchangeStateError):
        add_session(
            event=event, by=staff, kind="discussion", title="Late", starts_at=at(day, 9), ends_at=at(day, 10)
        )


def test_propose_sessions_from_a_given_set_of_answers():
    event = _event()
    presenter = RegistrationFactory(event=event, user__full_name="Kadri Tamm")
    leader = RegistrationFactory(event=event, user__full_name="Mart Kask")
    data = SurveyInput(
        theme_counts=[
            ("needs-articulation", "Describing needs", 2),
            ("market-dialogue", "Market dialogue", 5),
            ("legal-frameworks", "Legal frameworks", 0),
            ("sustainability", "Sustainability", 2),
            ("digital-services", "Digital services", 1),
        ],
        volunteers=[
            Volunteer(registration=presenter, roles=["present_case"], case_topic="Smart school meals"),
            Volunteer(registration=leader, roles=["lead_discussion", "participate"]),
        ],
        free_time_ranking=[
            ("sauna", "Sauna", 7.0),
            ("city_walk", "City walk", 9.0),
            ("museum", "Museum", 2.0),
        ],
        respondents=6,
    )

    proposals = propose_sessions(data)

    assert [(p.kind, p.title) for p in proposals] == [
        ("discussion", "Discussion: Market dialogue"),
        ("real_case", "Real case: Smart school meals"),  # participants' own cases before other themes
        ("discussion", "Discussion: Describing needs"),  # tie with Sustainability: survey order decides
        ("discussion", "Discussion: Sustainability"),
        ("free_time", "Free time: City walk"),
    ]
    assert proposals[0].speakers == [leader]
    assert proposals[0].description == "Wished for by 5 of 6 respondents."
    assert proposals[1].speakers == [presenter]
    assert proposals[4].description == "The participants' favourite. Also popular: Sauna, Museum."


def test_schedule_fits_proposals_around_fixed_sessions():
    event = _event()
    day1 = datetime.date(2030, 3, 14)
    busy = [(at(day1, 9), at(day1, 12)), (at(day1, 12), at(day1, 13))]
    data = SurveyInput(
        theme_counts=[("a", "A", 3), ("b", "B", 2)],
        free_time_ranking=[("sauna", "Sauna", 3.0)],
        respondents=3,
    )

    proposals = schedule(
        propose_sessions(data), event_start=event.starts_at, event_end=event.ends_at, zone=TALLINN, busy=busy
    )

    times = [
        (
            p.starts_at.astimezone(TALLINN).strftime("%d %H:%M"),
            p.ends_at.astimezone(TALLINN).strftime("%H:%M"),
        )
        for p in proposals
    ]
    assert times == [("14 13:15", "14:30"), ("14 14:45", "16:00"), ("14 17:30", "19:30")]


def _answer(survey, registration, **answers):
    save_answers(survey=survey, user=registration.user, data=answers, submit=True)


def test_generate_draft_agenda_from_the_pre_survey(staff):
    event = _event()
    survey = create_event_survey(event=event, which="pre", by=staff)
    open_event_survey(event=event, which="pre", by=staff)
    kadri = RegistrationFactory(event=event, user__full_name="Kadri Tamm")
    mart = RegistrationFactory(event=event, user__full_name="Mart Kask")
    _answer(
        survey,
        kadri,
        themes=["market-dialogue", "sustainability"],
        learn="How to talk to the market",
        roles=["present_case"],
        case_topic="Smart school meals",
        free_time=["sauna", "city_walk"],
    )
    _answer(
        survey,
        mart,
        themes=["market-dialogue"],
        learn="Legal things",
        roles=["lead_discussion"],
        free_time=["city_walk", "sauna"],
    )
    day = datetime.date(2030, 3, 14)
    AgendaSessionFactory(event=event, title="Welcome", starts_at=at(day, 9), ends_at=at(day, 10))

    created = generate_draft_agenda(event=event, by=staff).created

    assert [(s.kind, s.title, s.proposed) for s in created] == [
        ("discussion", "Discussion: Market dialogue", True),
        ("real_case", "Real case: Smart school meals", True),
        ("discussion", "Discussion: Sustainability", True),
        ("free_time", "Free time: A walk through the city", True),
    ]
    assert list(created[0].speakers.all()) == [mart]
    assert list(created[1].speakers.all()) == [kadri]
    # Generating again replaces the proposal rather than adding to it.
    generate_draft_agenda(event=event, by=staff)
    assert AgendaSession.objects.filter(event=event, proposed=True).count() == 4
    assert AgendaSession.objects.filter(event=event).count() == 5


def test_generate_draft_agenda_without_answers_is_refused(staff):
    event = _event()
    create_event_survey(event=event, which="pre", by=staff)

    with pytest.raises(ExchangeStateError, match="Nobody has answered"):
        generate_draft_agenda(event=event, by=staff)


def test_publish_agenda_confirms_proposals_and_tells_confirmed_participants_once(staff):
    event = _event()
    confirmed = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status="waitlisted")
    AgendaSessionFactory(event=event, proposed=True)

    publish_agenda(event=event, by=staff)
    publish_agenda(event=event, by=staff)

    assert AgendaSession.objects.filter(event=event, proposed=True).count() == 0
    assert OutboxMail.objects.filter(kind="exchanges.agenda_published", recipient=confirmed.user).count() == 1
    assert OutboxMail.objects.filter(kind="exchanges.agenda_published", recipient=waiting.user).count() == 0


def test_publish_an_empty_agenda_is_refused(staff):
    with pytest.raises(ExchangeStateError, match="at least one session"):
        publish_agenda(event=_event(), by=staff)


@pytest.fixture
def crowded_event(staff):
    """The Tallinn exchange with little free time left: only 09:00 to 10:30 on the Friday morning (and the
    Thursday evening), and two answers that ask for four sessions."""
    event = _event()
    thursday, friday = datetime.date(2030, 3, 14), datetime.date(2030, 3, 15)
    AgendaSessionFactory(
        event=event, title="Host programme", starts_at=at(thursday, 9), ends_at=at(thursday, 17)
    )
    AgendaSessionFactory(
        event=event, title="Closing", starts_at=at(friday, 10, 30), ends_at=at(friday, 12, 30)
    )
    survey = create_event_survey(event=event, which="pre", by=staff)
    open_event_survey(event=event, which="pre", by=staff)
    kadri = RegistrationFactory(event=event, user__full_name="Kadri Tamm")
    mart = RegistrationFactory(event=event, user__full_name="Mart Kask")
    _answer(
        survey,
        kadri,
        themes=["market-dialogue", "sustainability"],
        learn="How to talk to the market",
        roles=["present_case"],
        case_topic="Smart school meals",
        free_time=["sauna"],
    )
    _answer(survey, mart, themes=["market-dialogue"], learn="Legal things", roles=["lead_discussion"])
    return event, kadri, mart


def test_generate_draft_agenda_keeps_what_did_not_fit(staff, crowded_event):
    event, kadri, _mart = crowded_event

    draft = generate_draft_agenda(event=event, by=staff)

    assert [s.title for s in draft.created] == ["Discussion: Market dialogue", "Free time: Sauna"]
    assert [(item["title"], item["kind"], item["minutes"], item["speakers"]) for item in draft.unplaced] == [
        ("Real case: Smart school meals", "real_case", 60, [kadri.pk]),
        ("Discussion: Sustainability", "discussion", 75, []),
    ]
    event.refresh_from_db()
    assert event.unplaced_proposals == draft.unplaced


def test_staff_see_what_did_not_fit_and_place_it_from_a_prefilled_form(client, staff, crowded_event):
    from django.urls import reverse

    event, kadri, _mart = crowded_event
    client.force_login(staff)
    editor = reverse("exchanges:agenda-edit", args=[event.pk])

    page = client.post(reverse("exchanges:agenda-generate", args=[event.pk]), follow=True).content.decode()

    assert "2 sessions proposed, 2 did not fit." in page
    unplaced = page[page.index("Proposals that did not fit") :]
    assert "Real case: Smart school meals" in unplaced
    assert "Suggested speakers: Kadri Tamm" in unplaced
    event.refresh_from_db()
    key = event.unplaced_proposals[0]["key"]
    form = client.get(f"{editor}?proposal={key}").content.decode()
    assert "Place the proposal" in form
    assert 'value="Real case: Smart school meals"' in form
    assert re.search(rf'<option value="{kadri.pk}" selected>', form)
    assert f'name="from_proposal" value="{key}"' in form

    response = client.post(
        editor,
        {
            "kind": "real_case",
            "title": "Real case: Smart school meals",
            "starts_at": "2030-03-14T19:45",
            "ends_at": "2030-03-14T20:45",
            "speakers": [kadri.pk],
            "from_proposal": key,
        },
    )

    assert response.status_code == 302
    session = AgendaSession.objects.get(event=event, title="Real case: Smart school meals")
    assert list(session.speakers.all()) == [kadri]
    event.refresh_from_db()
    assert [item["title"] for item in event.unplaced_proposals] == ["Discussion: Sustainability"]
    client.post(reverse("exchanges:proposal-dismiss", args=[event.pk, event.unplaced_proposals[0]["key"]]))
    event.refresh_from_db()
    assert event.unplaced_proposals == []
    assert "Proposals that did not fit" not in client.get(editor).content.decode()
