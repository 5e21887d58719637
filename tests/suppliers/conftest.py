"""The people every permission grid of this app asks about, around one proposal to an open challenge."""

from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.enums import ChallengeStatus
from portal.accounts.enums import MembershipRole
from tests.factories.accounts import MembershipFactory, SupplierFactory, TOTPAuthenticatorFactory, UserFactory
from tests.factories.challenges import CriterionFactory, OutcomeFactory, PublishedChallengeFactory
from tests.factories.evaluation import ConflictDeclarationFactory
from tests.factories.suppliers import AcceptedPartnerFactory, EvaluatorFactory, ProposalFactory

ACTORS = [
    "anonymous",
    "lead",  # a member of the lead supplier organisation
    "lead_admin",
    "partner",  # a member of an accepted consortium partner
    "other_supplier",
    "procurer",  # an admin of the buying organisation
    "evaluator",
    "staff",  # programme staff
    "superuser",
]


def close_challenge(challenge) -> None:
    """Move the challenge past its deadline and mark it closed, as the closing task does."""
    challenge.submission_deadline = timezone.now() - timedelta(minutes=1)
    challenge.questions_deadline = challenge.submission_deadline - timedelta(days=1)
    challenge.status = ChallengeStatus.CLOSED
    challenge.save()


@pytest.fixture
def actors(db):
    challenge = PublishedChallengeFactory()
    OutcomeFactory(challenge=challenge)
    CriterionFactory(challenge=challenge, weight=100)
    proposal = ProposalFactory(challenge=challenge)
    partner = AcceptedPartnerFactory(proposal=proposal)
    lead = MembershipFactory(organisation=proposal.supplier, role=MembershipRole.MEMBER).user
    lead_admin = MembershipFactory(organisation=proposal.supplier, role=MembershipRole.ADMIN).user
    evaluator = EvaluatorFactory(challenge=challenge)
    # Declared before the close for brevity: the declarations open nothing until the challenge has closed.
    for organisation in (proposal.supplier, partner.organisation):
        ConflictDeclarationFactory(evaluator=evaluator, organisation=organisation, has_conflict=False)
    return {
        "challenge": challenge,
        "proposal": proposal,
        "partnership": partner,
        "anonymous": None,
        "lead": lead,
        "lead_admin": lead_admin,
        "partner": MembershipFactory(organisation=partner.organisation, role=MembershipRole.ADMIN).user,
        "other_supplier": MembershipFactory(organisation=SupplierFactory(), role=MembershipRole.ADMIN).user,
        "procurer": MembershipFactory(organisation=challenge.owner, role=MembershipRole.ADMIN).user,
        "evaluator": evaluator.user,
        "staff": TOTPAuthenticatorFactory().user,  # programme staff, with the two-factor they must have
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
