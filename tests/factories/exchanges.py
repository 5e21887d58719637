from datetime import timedelta

import factory
from django.utils import timezone

from exchanges.enums import EventStatus, ExchangeRole, RegistrationStatus, ReportStatus, SessionKind
from exchanges.models import (
    AgendaSession,
    CalendarFeed,
    ExchangeEvent,
    ExchangeProgramme,
    ReflectionReport,
    Registration,
)

from .accounts import BuyerFactory, MembershipFactory, ProgrammeOrganisationFactory, UserFactory
from .casestudies import ExchangeCaseStudyFactory


class ExchangeProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeProgramme

    name = factory.Sequence(lambda n: f"Staff exchange programme {n}")
    slug = factory.Sequence(lambda n: f"exchange-programme-{n}")
    description = "Procurement teams visit each other to learn innovation procurement."
    organiser = factory.SubFactory(ProgrammeOrganisationFactory)


def _start():
    # 40 days ahead at 09:00 Helsinki time (07:00 or 06:00 UTC)
    day = (timezone.now() + timedelta(days=40)).date()
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


class ExchangeEventFactory(factory.django.DjangoModelFactory):
    """An event open for registration, 40 days ahead, Turku-like, 1.5 days long."""

    class Meta:
        model = ExchangeEvent

    programme = factory.SubFactory(ExchangeProgrammeFactory)
    title = factory.Sequence(lambda n: f"Staff exchange {n}")
    host = factory.SubFactory(BuyerFactory, city="Turku", country="FI")
    city = "Turku"
    timezone = "Europe/Helsinki"
    starts_at = factory.LazyFunction(_start)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=1, hours=3, minutes=30))
    venue = "City Hall"
    address = "Aurakatu 2, Turku"
    capacity = 10
    target_groups = factory.LazyFunction(lambda: ["procurement_staff"])
    description = "One and a half days on needs-based procurement."
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    registration_closes_at = factory.LazyAttribute(lambda o: o.starts_at - timedelta(days=7))
    cancellation_cutoff = factory.LazyAttribute(lambda o: o.starts_at - timedelta(days=3))
    status = EventStatus.REGISTRATION_OPEN


class PlanningEventFactory(ExchangeEventFactory):
    status = EventStatus.PLANNING


def participant(**kwargs):
    """A user who belongs to a buyer organisation (may register for exchanges)."""
    membership = MembershipFactory(organisation=kwargs.pop("organisation", None) or BuyerFactory(), **kwargs)
    return membership.user


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration
        skip_postgeneration_save = True

    event = factory.SubFactory(ExchangeEventFactory)
    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(BuyerFactory)
    role = ExchangeRole.PARTICIPANT
    status = RegistrationStatus.CONFIRMED
    consent_to_list = True

    @factory.post_generation
    def member(self, create, extracted, **kwargs):
        if create and not self.user.memberships.filter(organisation=self.organisation).exists():
            MembershipFactory(user=self.user, organisation=self.organisation)
            self.user.forget_organisation_roles()


class AgendaSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaSession

    event = factory.SubFactory(ExchangeEventFactory)
    kind = SessionKind.PRESENTATION
    title = factory.Sequence(lambda n: f"Session {n}")
    starts_at = factory.LazyAttribute(lambda o: o.event.starts_at)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    place = "Room 1"


class PublishedAgendaSessionFactory(AgendaSessionFactory):
    """A session on the public agenda (its event's agenda must be published too to show it)."""

    published = True


class ReflectionReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReflectionReport

    event = factory.SubFactory(ExchangeEventFactory, status=EventStatus.COMPLETED)
    summary = "We learnt how Turku talks to the market before it buys."
    learnings = "Market dialogue early\nWrite needs, not solutions"
    quotes = "The market days were eye-opening."
    commitments = "Run a market dialogue before our next tender"
    status = ReportStatus.DRAFT


class PublishedReflectionReportFactory(ReflectionReportFactory):
    status = ReportStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class CaseStudyReportFactory(PublishedReflectionReportFactory):
    """A published report that staff also published as a case study: its published library case study,
    written from it (as exchanges.services.reports.publish_case_study writes it)."""

    case_study = factory.SubFactory(
        ExchangeCaseStudyFactory,
        owner=factory.SelfAttribute("..event.host"),
        country=factory.SelfAttribute("..event.host.country"),
        title=factory.SelfAttribute("..event.title"),
        need=factory.SelfAttribute("..summary"),
        lessons=factory.SelfAttribute("..learnings"),
        result=factory.SelfAttribute("..commitments"),
    )


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    user = factory.SubFactory(UserFactory)
