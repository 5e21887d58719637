import hashlib
from datetime import timedelta

import factory
from django.utils import timezone

from challenges.enums import PUBLIC_STATUSES, ChallengeStatus, ProcurementRoute
from challenges.models import (
    Amendment,
    Challenge,
    ChallengeDocument,
    Clarification,
    CoachRule,
    CPVCode,
    Criterion,
    Follow,
    Outcome,
    Review,
    SavedSearch,
    Theme,
)

from .accounts import BuyerFactory, UserFactory


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name_en = factory.Sequence(lambda n: f"Theme {n}")
    name_nb = factory.Sequence(lambda n: f"Tema {n}")


class ChallengeFactory(factory.django.DjangoModelFactory):
    """A complete draft; use PublishedChallengeFactory for one open for proposals."""

    class Meta:
        model = Challenge
        skip_postgeneration_save = True

    owner = factory.SubFactory(BuyerFactory)
    created_by = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Reducing loneliness among elderly residents {n}")
    summary = "Older residents living alone report feeling lonely; we want fewer of them to."
    current_situation = "About 4,000 residents over 75 live alone; a third say they are often lonely."
    affected = "Elderly residents living alone, their families, and home-care staff."
    why_now = "The number of residents over 80 doubles within 15 years."
    constraints = "Personal data must stay in the EEA. Services must meet WCAG 2.1 AA."
    out_of_scope = "Replacing home-care staff."
    budget_min = 50_000
    budget_max = 200_000
    currency = "EUR"
    questions_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    submission_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    route = ProcurementRoute.COMPETITIVE_DIALOGUE
    contact_name = "Kari Nordmann"
    contact_email = "kari.nordmann@example.org"
    status = ChallengeStatus.DRAFT
    # A challenge in a public status was published at some point (without it, it is not public).
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() - timedelta(days=1) if o.status in PUBLIC_STATUSES else None
    )

    @factory.post_generation
    def with_outcome_and_criteria(self, create, extracted, **kwargs):
        """Every factory challenge has one outcome and two criteria (60 + 40) unless extracted=False."""
        if not create or extracted is False:
            return
        self.cpv_codes.add(
            CPVCode.objects.get_or_create(
                code="85000000", defaults={"label": "Health and social work services"}
            )[0]
        )
        OutcomeFactory(challenge=self)
        CriterionFactory(challenge=self, name="Impact on the outcomes", weight=60, position=0)
        CriterionFactory(challenge=self, name="Feasibility and cost", weight=40, position=1)


class PublishedChallengeFactory(ChallengeFactory):
    status = ChallengeStatus.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    challenge = factory.SubFactory(ChallengeFactory, with_outcome_and_criteria=False)
    description = "Fewer elderly residents feel lonely."
    indicator = "Share of residents over 75 who say they are often lonely"
    baseline = "33 %"
    target = "25 % within two years"


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    challenge = factory.SubFactory(ChallengeFactory, with_outcome_and_criteria=False)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    description = "How well the proposal reaches the outcomes."
    weight = 50


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    challenge = factory.SubFactory(ChallengeFactory)
    reviewer = factory.SubFactory(UserFactory)
    decision = "approved"


class AmendmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Amendment

    challenge = factory.SubFactory(PublishedChallengeFactory)
    summary = "The deadline is extended by a week."
    created_by = factory.SubFactory(UserFactory)


class ClarificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clarification

    challenge = factory.SubFactory(PublishedChallengeFactory)
    asked_by = factory.SubFactory(UserFactory)
    question = "May a proposal cover only part of the city?"


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    user = factory.SubFactory(UserFactory)
    challenge = factory.SubFactory(PublishedChallengeFactory)


class SavedSearchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavedSearch

    user = factory.SubFactory(UserFactory)
    name = "Loneliness"
    query = "loneliness"


class CoachRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoachRule

    language = "en"
    category = "technology"
    phrase = factory.Sequence(lambda n: f"gadget{n}")
    explanation = "Names a technology instead of the need."
    suggestion = "Describe what should happen for the people affected."


PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"


class ChallengeDocumentFactory(factory.django.DjangoModelFactory):
    """A small PDF, stored as the upload service stores it (generated name, SHA-256 of the bytes)."""

    class Meta:
        model = ChallengeDocument

    challenge = factory.SubFactory(ChallengeFactory)
    title = "Background report"
    file = factory.django.FileField(filename="report.pdf", data=PDF_BYTES)
    original_name = "report.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    uploaded_by = factory.SubFactory(UserFactory)


class CPVCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CPVCode
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{99000000 + n:08d}")
    label = factory.Sequence(lambda n: f"Test services {n}")
