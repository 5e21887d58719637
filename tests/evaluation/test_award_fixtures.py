"""The scene the award and trial tests share (no tests here): a challenge under evaluation with two
criteria (60 % and 40 %, scale 0-5), two submitted bids with consensus scores, a draft, and everyone who
may ask for a page: bidder A (lead member), partner of A, bidder B, another supplier, the procurer (owner
admin), an owner member, an evaluator, another buyer, programme staff and a superuser."""

from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.evaluation.models import ConsensusScore, Panel
from portal.accounts.enums import MembershipRole
from tests.factories.accounts import (
    AdminMembershipFactory,
    BuyerFactory,
    MembershipFactory,
    SupplierFactory,
    TOTPAuthenticatorFactory,
    UserFactory,
)
from tests.factories.challenges import ChallengeFactory
from tests.factories.suppliers import (
    AcceptedPartnerFactory,
    EvaluatorFactory,
    ProposalFactory,
    SubmittedProposalFactory,
)

ACTORS = [
    "anonymous",
    "bidder_a",
    "partner_a",
    "bidder_b",
    "other_supplier",
    "procurer",
    "owner_member",
    "evaluator",
    "other_buyer",
    "staff",
    "superuser",
]


def consensus(proposal, values: list[int], rationale: str = "Agreed by the panel.") -> None:
    """The panel's consensus on each criterion of the proposal's challenge, in their order."""
    for criterion, value in zip(proposal.challenge.criteria.order_by("position", "pk"), values, strict=True):
        ConsensusScore.objects.create(
            proposal=proposal, criterion=criterion, value=value, rationale=f"{rationale} ({criterion.name})"
        )


@pytest.fixture(name="scene")
def scene_fixture(db):
    challenge = ChallengeFactory(
        status=ChallengeStatus.UNDER_EVALUATION,
        questions_deadline=timezone.now() - timedelta(days=3),
        submission_deadline=timezone.now() - timedelta(days=2),
        closed_at=timezone.now() - timedelta(days=2),
    )
    Panel.objects.create(challenge=challenge)
    bid_a = SubmittedProposalFactory(challenge=challenge, title="Bid A", price=100_000)
    bid_b = SubmittedProposalFactory(challenge=challenge, title="Bid B", price=90_000)
    draft = ProposalFactory(challenge=challenge, title="Never sent")
    partner = AcceptedPartnerFactory(proposal=bid_a)
    consensus(bid_a, [4, 3], "A is strong")  # 60*4/5 + 40*3/5 = 72
    consensus(bid_b, [3, 5], "B is cheap")  # 60*3/5 + 40*5/5 = 76
    owner_admin = AdminMembershipFactory(organisation=challenge.owner).user
    return {
        "challenge": challenge,
        "bid_a": bid_a,
        "bid_b": bid_b,
        "draft": draft,
        "anonymous": None,
        "bidder_a": MembershipFactory(organisation=bid_a.supplier, role=MembershipRole.MEMBER).user,
        "partner_a": MembershipFactory(organisation=partner.organisation).user,
        "bidder_b": MembershipFactory(organisation=bid_b.supplier).user,
        "drafter": MembershipFactory(organisation=draft.supplier).user,
        "other_supplier": MembershipFactory(organisation=SupplierFactory()).user,
        "procurer": owner_admin,
        "owner_member": MembershipFactory(organisation=challenge.owner, role=MembershipRole.MEMBER).user,
        "evaluator": EvaluatorFactory(challenge=challenge, is_chair=True).user,
        "other_buyer": AdminMembershipFactory(organisation=BuyerFactory()).user,
        "staff": TOTPAuthenticatorFactory().user,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
