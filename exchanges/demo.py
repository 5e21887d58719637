"""Demo data for staff exchanges: the BUILD series Turku → Tartu → Rotterdam. Turku is over, reflected on,
with a published report that is also a case study; Tartu is open for registration and its pre-exchange
survey has answers, so the results and the draft agenda show something real; Rotterdam is still being
planned. Uses the demo users of portal/web/demo.py. Loading twice changes nothing (an event that exists is
left as it is)."""

import datetime

from django.db import transaction
from django.utils import timezone

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation, User

from .enums import EventStatus, RegistrationStatus, TargetGroup
from .models import ExchangeEvent, ExchangeProgramme, Registration
from .services.agenda import publish_agenda
from .services.events import create_event
from .services.registration import register_for_event
from .services.reports import publish_case_study, publish_report, start_report, update_report
from .services.surveys import close_event_survey, create_event_survey, open_event_survey

PROGRAMME_SLUG = "build-staff-exchanges"
CITIES = {
    "Turku": ("Europe/Helsinki", "Turku City Hall", "Aurakatu 2, 20100 Turku"),
    "Tartu": ("Europe/Tallinn", "Tartu Town Hall", "Raekoja plats 1, 50089 Tartu"),
    "Rotterdam": ("Europe/Amsterdam", "Rotterdam City Hall", "Coolsingel 40, 3011 AD Rotterdam"),
}
TURKU_REFLECTIONS = [
    (
        "procurer@tartu.example.org",
        "Turku involves end users in writing the need, not only in testing.",
        "Their market day drew 40 companies with a two-page need.",
        "Write the need with the people who have it.",
        "Run a market day before our next school meals tender.",
        "yes",
    ),
    (
        "procurer@rotterdam.example.org",
        "Legal sits in the team from day one instead of reviewing at the end.",
        "A pilot contract signed in six weeks.",
        "Bring legal in early; pilots can be fast.",
        "Invite our lawyer to the first needs workshop.",
        "yes",
    ),
    (
        "procurer@trondheim.example.org",
        "Smaller lots, so that local SMEs can bid.",
        "How openly they shared a failed procurement.",
        "Publishing failures builds trust with suppliers.",
        "Share our own lessons from the home-care tender.",
        "no",
    ),
    (
        "colleague@bergen.example.org",
        "Budget holders attend market dialogue.",
        "The site visit to the circular depot.",
        "Outcome-based criteria are possible in practice.",
        "Draft outcome criteria for the depot project.",
        "yes",
    ),
]
TARTU_PRE_ANSWERS = [
    (
        "procurer@turku.example.org",
        ["market-dialogue", "evaluation-and-award", "sustainability"],
        ["present_case", "participate"],
        "Our market day for school meals",
        ["sauna", "city_walk", "dinner_together"],
    ),
    (
        "procurer@rotterdam.example.org",
        ["market-dialogue", "legal-frameworks"],
        ["lead_discussion"],
        "",
        ["city_walk", "museum"],
    ),
    (
        "procurer@trondheim.example.org",
        ["pre-commercial-procurement", "market-dialogue", "digital-services"],
        ["present_case"],
        "Sensors in home care: a PCP",
        ["dinner_together", "sauna"],
    ),
    (
        "procurer@bergen.example.org",
        ["sustainability", "contract-management"],
        ["host_visit", "participate"],
        "",
        ["city_walk", "sauna", "sports"],
    ),
    (
        "colleague@turku.example.org",
        ["evaluation-and-award", "market-dialogue"],
        ["participate"],
        "",
        ["sauna", "own_time"],
    ),
]


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _buyer(city: str) -> Organisation | None:
    return Organisation.objects.filter(kind=OrganisationKind.BUYER, city=city).first()


def _first_day(days_from_today: int, zone) -> datetime.datetime:
    day = (timezone.now() + datetime.timedelta(days=days_from_today)).date()
    while day.weekday() >= 4:  # Monday to Thursday, so the half day is the next day
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=zone)


def _event(programme, city: str, title: str, days: int, staff, **values) -> ExchangeEvent:
    from zoneinfo import ZoneInfo

    zone_name, venue, address = CITIES[city]
    return create_event(
        programme=programme,
        by=staff,
        from_template=True,
        title=title,
        host=_buyer(city),
        city=city,
        timezone=zone_name,
        starts_at=_first_day(days, ZoneInfo(zone_name)),
        ends_at=_first_day(days, ZoneInfo(zone_name)) + datetime.timedelta(hours=1),
        venue=venue,
        address=address,
        target_groups=[TargetGroup.PROCUREMENT_STAFF, TargetGroup.PROGRAMME_TEAMS],
        description=(
            f"One and a half working days with the procurement team of {city}: how they buy innovation, "
            "a real case from their desk, a site visit, and time to compare notes with colleagues from "
            "the other cities."
        ),
        **values,
    )


def _membership_org(user: User) -> Organisation:
    return user.memberships.select_related("organisation").first().organisation


def _turku(programme, staff) -> None:
    from exchanges.surveys.services import save_answers

    event = _event(programme, "Turku", "BUILD exchange in Turku", -70, staff, capacity=20)
    # The exchange is over: its past is written directly (the services refuse to register after the window).
    event.registration_opens_at = event.starts_at - datetime.timedelta(days=60)
    event.registration_closes_at = event.starts_at - datetime.timedelta(days=10)
    event.cancellation_cutoff = event.starts_at - datetime.timedelta(days=5)
    event.save()
    for email, *_rest in TURKU_REFLECTIONS:
        user = _user(email)
        if user:
            Registration.objects.create(
                event=event,
                user=user,
                organisation=_membership_org(user),
                consent_to_list=True,
                status=RegistrationStatus.CONFIRMED,
            )
    publish_agenda(event=event, by=staff)
    ExchangeEvent.objects.filter(pk=event.pk).update(
        status=EventStatus.COMPLETED, agenda_published_at=event.starts_at - datetime.timedelta(days=20)
    )
    event.refresh_from_db()
    survey = create_event_survey(event=event, which="reflection", by=staff)
    open_event_survey(event=event, which="reflection", by=staff)
    sessions = list(event.sessions.order_by("starts_at"))
    for index, (email, differences, surprises, learnings, commitment, consent) in enumerate(
        TURKU_REFLECTIONS
    ):
        user = _user(email)
        if user is None:
            continue
        ratings = {
            session.rating_key: 3 + (index + position) % 3 for position, session in enumerate(sessions)
        }
        save_answers(
            survey=survey,
            user=user,
            data={
                "differences": differences,
                "surprises": surprises,
                "learnings": learnings,
                "bring_back_to": "My procurement team",
                "overall": 4 + index % 2,
                "commitment": commitment,
                "quote_consent": consent,
                **ratings,
            },
            submit=True,
        )
    close_event_survey(event=event, which="reflection", by=staff)
    report = start_report(event=event, by=staff)
    update_report(
        report=report,
        by=staff,
        summary=(
            "Procurers from four cities spent a day and a half with the City of Turku. The strongest "
            "theme was market dialogue: Turku writes a short need with the people who have it and meets "
            "the market before it writes a single requirement. Participants left with concrete actions "
            "for their own next tender."
        ),
    )
    report = publish_report(report=report, by=staff)
    publish_case_study(report=report, by=staff)


def _tartu(programme, staff) -> None:
    from exchanges.surveys.services import save_answers

    event = _event(
        programme,
        "Tartu",
        "BUILD exchange in Tartu",
        45,
        staff,
        capacity=8,
        registration_opens_at=timezone.now() - datetime.timedelta(days=5),
    )
    event.registration_closes_at = event.starts_at - datetime.timedelta(days=10)
    event.cancellation_cutoff = event.starts_at - datetime.timedelta(days=7)
    event.status = EventStatus.REGISTRATION_OPEN
    event.save()
    emails = [email for email, *_rest in TARTU_PRE_ANSWERS] + [
        "colleague@rotterdam.example.org",
        "procurer@birmingham.example.org",
        "colleague@trondheim.example.org",
        "colleague@bergen.example.org",
        "colleague@birmingham.example.org",
    ]
    for email in emails:
        user = _user(email)
        if user:
            register_for_event(
                event=event, user=user, organisation=_membership_org(user), consent_to_list=True
            )
    survey = create_event_survey(event=event, which="pre", by=staff)
    open_event_survey(event=event, which="pre", by=staff)
    for email, themes, roles, case_topic, free_time in TARTU_PRE_ANSWERS:
        user = _user(email)
        if user is None:
            continue
        data = {
            "themes": themes,
            "learn": "How other cities talk to the market.",
            "roles": roles,
            "free_time": free_time,
        }
        if case_topic:
            data["case_topic"] = case_topic
        save_answers(survey=survey, user=user, data=data, submit=True)


def load_exchange_demo() -> int:
    """Create what is missing of the demo series; returns how many events it created."""
    staff = User.objects.filter(email="staff@programme.example.org").first()
    organiser = Organisation.objects.filter(kind=OrganisationKind.PROGRAMME).first()
    if staff is None or organiser is None or not all(_buyer(city) for city in CITIES):
        return 0
    created = 0
    with transaction.atomic():
        programme, _new = ExchangeProgramme.objects.get_or_create(
            slug=PROGRAMME_SLUG,
            defaults={
                "name": "BUILD staff exchanges",
                "organiser": organiser,
                "description": (
                    "Public procurers learn innovation procurement best people to people. The BUILD "
                    "partner cities host each other in turn: first Turku, then Tartu, then Rotterdam."
                ),
            },
        )
        existing = set(programme.events.values_list("city", flat=True))
        if "Turku" not in existing:
            _turku(programme, staff)
            created += 1
        if "Tartu" not in existing:
            _tartu(programme, staff)
            created += 1
        if "Rotterdam" not in existing:
            _event(programme, "Rotterdam", "BUILD exchange in Rotterdam", 150, staff, capacity=25)
            created += 1
    return created
