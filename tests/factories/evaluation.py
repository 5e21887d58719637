"""Factories of the evaluation app."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from challenges.evaluation.enums import AwardDecision, AwardStatus, TrialDecision
from challenges.evaluation.models import Award, AwardedProposal, BidderFeedback, Trial, TrialResult

from .accounts import UserFactory
from .challenges import OutcomeFactory
from .suppliers import SubmittedProposalFactory

# --- Trials and the award (V2) --------------------------------------------------------------------------


class TrialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trial

    proposal = factory.SubFactory(SubmittedProposalFactory)
    shortlisted_by = factory.SubFactory(UserFactory)
    decision = TrialDecision.PENDING


class TrialResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrialResult

    trial = factory.SubFactory(TrialFactory)
    outcome = factory.SubFactory(
        OutcomeFactory, challenge=factory.SelfAttribute("..trial.proposal.challenge")
    )
    measured = "29 % say they are often lonely"
    note = "Measured by survey after three months."


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Award

    challenge = factory.SubFactory("tests.factories.challenges.ChallengeFactory", status="awarded")
    decision = AwardDecision.AWARD
    rationale = "The best balance of impact and feasibility."
    status = AwardStatus.STANDSTILL
    decided_by = factory.SubFactory(UserFactory)
    decided_at = factory.LazyFunction(timezone.now)
    standstill_ends_at = factory.LazyAttribute(lambda o: o.decided_at + timedelta(days=10))


class AwardedProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardedProposal

    award = factory.SubFactory(AwardFactory)
    proposal = factory.SubFactory(
        SubmittedProposalFactory, challenge=factory.SelfAttribute("..award.challenge")
    )
    value = Decimal("150000.00")


class BidderFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BidderFeedback

    award = factory.SubFactory(AwardFactory)
    proposal = factory.SubFactory(
        SubmittedProposalFactory, challenge=factory.SelfAttribute("..award.challenge")
    )
    rank = 1
    total = Decimal("80.000")


# --- Panel, declarations, scores and consensus (V1) ------------------------------------------------------


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "evaluation.Panel"

    challenge = factory.SubFactory("tests.factories.challenges.PublishedChallengeFactory")
    scoring_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    has_trial_stage = False


class ConflictDeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "evaluation.ConflictDeclaration"

    evaluator = factory.SubFactory("tests.factories.suppliers.EvaluatorFactory")
    organisation = factory.SubFactory("tests.factories.accounts.SupplierFactory")
    has_conflict = False
    reason = ""


class ScoreSheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "evaluation.ScoreSheet"

    evaluator = factory.SubFactory("tests.factories.suppliers.EvaluatorFactory")
    proposal = factory.SubFactory(
        SubmittedProposalFactory, challenge=factory.SelfAttribute("..evaluator.challenge")
    )


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "evaluation.Score"

    sheet = factory.SubFactory(ScoreSheetFactory)
    criterion = factory.SubFactory(
        "tests.factories.challenges.CriterionFactory",
        challenge=factory.SelfAttribute("..sheet.proposal.challenge"),
    )
    value = 3
    justification = "Convincing co-design plan; the pilot districts are well chosen."


class ConsensusScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "evaluation.ConsensusScore"

    proposal = factory.SubFactory(SubmittedProposalFactory)
    criterion = factory.SubFactory(
        "tests.factories.challenges.CriterionFactory", challenge=factory.SelfAttribute("..proposal.challenge")
    )
    value = 3
    rationale = "The panel agreed the approach is sound but the timeline is tight."
    decided_by = factory.SubFactory(UserFactory)
