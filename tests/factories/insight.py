"""Factories of the insight app: programmes, procurement volumes and capability self-assessments."""

from decimal import Decimal

import factory

from portal.insight.models import CapabilityAssessment, ProcurementVolume, Programme

from .accounts import BuyerFactory, ProgrammeOrganisationFactory, UserFactory


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """A programme organisation's dashboard settings; pass buyers=[...] to follow buying organisations."""

    class Meta:
        model = Programme
        skip_postgeneration_save = True

    organisation = factory.SubFactory(ProgrammeOrganisationFactory)
    innovative_share_target = Decimal("10")

    @factory.post_generation
    def buyers(self, create, extracted, **kwargs):
        if create and extracted:
            self.buyers.set(extracted)


class ProcurementVolumeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcurementVolume

    organisation = factory.SubFactory(BuyerFactory)
    year = 2025
    procurement_count = 100
    procurement_value = Decimal("1000000.00")
    currency = "EUR"
    recorded_by = factory.SubFactory(UserFactory)


class CapabilityAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CapabilityAssessment

    organisation = factory.SubFactory(BuyerFactory)
    year = 2025
    management_anchoring = 2
    competence = 3
    internal_collaboration = 2
    supplier_dialogue = 4
    municipal_collaboration = 3
    systematic_learning = 1
    notes = ""
    submitted_by = factory.SubFactory(UserFactory)
