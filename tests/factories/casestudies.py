import factory
from django.utils import timezone

from challenges.casestudies.enums import CaseOutcome, CaseSource, CaseStudyStatus
from challenges.casestudies.models import CaseStudy
from challenges.enums import ChallengeStatus

from .accounts import BuyerFactory, UserFactory
from .challenges import ChallengeFactory


class CaseStudyFactory(factory.django.DjangoModelFactory):
    """A draft case study of an awarded challenge, owned by the challenge's buyer."""

    class Meta:
        model = CaseStudy

    source = CaseSource.CHALLENGE
    challenge = factory.SubFactory(ChallengeFactory, status=ChallengeStatus.AWARDED)
    owner = factory.SelfAttribute("challenge.owner")
    country = factory.LazyAttribute(lambda o: o.owner.country)
    outcome = CaseOutcome.AWARDED
    title = factory.Sequence(lambda n: f"What we learnt buying fewer falls at home {n}")
    need = "Falls are the most common reason older residents can no longer live at home."
    route = factory.LazyAttribute(lambda o: o.challenge.route if o.challenge else "")
    market_engagement = "Two market days and one-to-one dialogue meetings with eleven suppliers."
    result = "A twelve-month pilot of fall sensors with night-time alerts to the home-care team."
    outcome_against_indicators = (
        "- Fewer falls at home\n  Indicator: falls per 100 users; target 15. What it showed: 17."
    )
    lessons = "Meet the market before writing requirements\nInvolve the home-care staff from day one"
    would_do_differently = "Start the data-protection assessment earlier."
    contacts = "Kari Nordmann, kari.nordmann@example.org"
    status = CaseStudyStatus.DRAFT
    created_by = factory.SubFactory(UserFactory)


class PublishedCaseStudyFactory(CaseStudyFactory):
    status = CaseStudyStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class ExchangeCaseStudyFactory(PublishedCaseStudyFactory):
    """A published case study written from an exchange (link a reflection report to it, or use
    tests.factories.exchanges.CaseStudyReportFactory for both)."""

    source = CaseSource.EXCHANGE
    challenge = None
    owner = factory.SubFactory(BuyerFactory, city="Turku", country="FI")
    outcome = CaseOutcome.EXCHANGE
    route = ""
    title = factory.Sequence(lambda n: f"Staff exchange {n}")
    need = "We learnt how Turku talks to the market before it buys."
