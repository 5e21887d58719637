"""Factories the capability tests need that no other module provides yet: published case studies."""

import factory
from django.utils import timezone

from challenges.casestudies.enums import CaseOutcome, CaseSource, CaseStudyStatus
from challenges.casestudies.models import CaseStudy
from tests.factories.accounts import BuyerFactory


class PublishedCaseStudyFactory(factory.django.DjangoModelFactory):
    """A published case study from a staff exchange (needs no challenge); pass capability=…"""

    class Meta:
        model = CaseStudy

    source = CaseSource.EXCHANGE
    owner = factory.SubFactory(BuyerFactory)
    title = factory.Sequence(lambda n: f"What we learnt, part {n}")
    need = "Residents wait too long for home-care visits."
    outcome = CaseOutcome.EXCHANGE
    country = "NO"
    status = CaseStudyStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
