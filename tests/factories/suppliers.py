import hashlib
from datetime import timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from challenges.evaluation.models import Evaluator
from suppliers.enums import PartnerStatus, ProposalStatus
from suppliers.models import (
    CapabilityTag,
    ConsortiumPartner,
    CriterionAnswer,
    OutcomeAnswer,
    PartnerConversation,
    PartnerMessage,
    PartnerPost,
    PriceLine,
    Proposal,
    ProposalDocument,
    Receipt,
    SupplierProfile,
    SupplierReference,
)

from .accounts import SupplierFactory, UserFactory
from .challenges import CriterionFactory, OutcomeFactory, PublishedChallengeFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class CapabilityTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CapabilityTag
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Capability {n}")
    slug = factory.Sequence(lambda n: f"capability-{n}")


class SupplierProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierProfile

    organisation = factory.SubFactory(SupplierFactory)
    description = "We build sensor-based services that help older residents live independently."
    capabilities = "Sensor networks, data protection by design, user research with older people."
    countries_served = ["NO", "SE"]
    regions_served = "Trøndelag, Vestland"
    is_listed = True


class SupplierReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierReference

    profile = factory.SubFactory(SupplierProfileFactory)
    title = factory.Sequence(lambda n: f"Fall detection pilot {n}")
    client = "Bergen kommune"
    is_public_sector = True
    year = 2025
    description = "A six-month pilot in 40 homes."


class ProposalFactory(factory.django.DjangoModelFactory):
    """A draft answer to a published, open challenge."""

    class Meta:
        model = Proposal

    challenge = factory.SubFactory(PublishedChallengeFactory)
    supplier = factory.SubFactory(SupplierFactory)
    created_by = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Companion visits by app {n}")
    summary = "Volunteers and neighbours matched to residents who want company."
    approach = "Co-design with residents, a six-month pilot in two districts, then scale."
    team = "A project lead, two developers and a social worker."
    timeline = "Month 1–2 co-design, month 3–8 pilot, month 9 evaluation."
    price = Decimal("120000.00")
    currency = "EUR"
    status = ProposalStatus.DRAFT


class SubmittedProposalFactory(ProposalFactory):
    status = ProposalStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class OutcomeAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeAnswer

    proposal = factory.SubFactory(ProposalFactory)
    outcome = factory.SubFactory(OutcomeFactory, challenge=factory.SelfAttribute("..proposal.challenge"))
    answer = "Weekly visits for every participant, measured by the loneliness scale."


class CriterionAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriterionAnswer

    proposal = factory.SubFactory(ProposalFactory)
    criterion = factory.SubFactory(CriterionFactory, challenge=factory.SelfAttribute("..proposal.challenge"))
    answer = "Tested with 30 residents in a previous pilot."


class PriceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceLine

    proposal = factory.SubFactory(ProposalFactory)
    position = factory.Sequence(int)
    description = "Pilot in two districts"
    amount = Decimal("80000.00")


class ProposalDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProposalDocument

    proposal = factory.SubFactory(ProposalFactory)
    title = "Technical annex"
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="annex.pdf"))
    original_name = "annex.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    uploaded_by = factory.SubFactory(UserFactory)


class ReceiptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Receipt

    proposal = factory.SubFactory(SubmittedProposalFactory)
    number = factory.Sequence(lambda n: n + 1)
    submitted_at = factory.LazyFunction(timezone.now)
    submitted_by = factory.SubFactory(UserFactory)
    digest = factory.Sequence(lambda n: hashlib.sha256(str(n).encode()).hexdigest())


class ConsortiumPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsortiumPartner

    proposal = factory.SubFactory(ProposalFactory)
    organisation = factory.SubFactory(SupplierFactory)
    status = PartnerStatus.INVITED
    invited_by = factory.SubFactory(UserFactory)
    role = "Hardware and installation"
    work_share = Decimal("30")
    invited_at = factory.LazyFunction(timezone.now)


class AcceptedPartnerFactory(ConsortiumPartnerFactory):
    status = PartnerStatus.ACCEPTED
    responded_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=5))


class PartnerPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerPost

    challenge = factory.SubFactory(PublishedChallengeFactory)
    organisation = factory.SubFactory(SupplierFactory)
    created_by = factory.SubFactory(UserFactory)
    brings = "A tested companion app and a team of two developers."
    seeks = "A partner with home-care experience in Norway."


class PartnerConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerConversation

    post = factory.SubFactory(PartnerPostFactory)
    organisation = factory.SubFactory(SupplierFactory)


class PartnerMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerMessage

    conversation = factory.SubFactory(PartnerConversationFactory)
    sender = factory.SubFactory(UserFactory)
    sender_organisation = factory.SelfAttribute("conversation.organisation")
    body = "We have run home-care pilots in Trondheim; shall we talk?"


class EvaluatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluator

    challenge = factory.SubFactory(PublishedChallengeFactory)
    user = factory.SubFactory(UserFactory)
    appointed_by = factory.SubFactory(UserFactory)
