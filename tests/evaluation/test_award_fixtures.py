"""The scene the award and trial tests share (no tests here): a challenge under evaluation with two
criteria (60 % and 40 %, scale 0-5), two submitted bids with consensus scores (the panel's chair has
declared no conflicts and submitted both sheets; an admin of the buyer on the panel declared a conflict
with B and submitted A's), a draft, and everyone who may ask for a page: bidder A (lead member), partner
of A, bidder B, another supplier, the procurer (owner admin), the admin on the panel, an owner member, an
evaluator, another buyer, programme staff and a superuser."""

from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.evaluation.models import ConflictDeclaration, ConsensusScore, Evaluator, Panel, ScoreSheet
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
    "admin_evaluator",
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


def scored_bid(scene, values: list[int]):
    """Another submitted bid to the scene's challenge, scored by the whole panel (declared without a
    conflict, sheets submitted) and with the panel's consensus."""
    proposal = SubmittedProposalFactory(challenge=scene["challenge"])
    for evaluator in Evaluator.objects.filter(challenge=scene["challenge"], removed_at__isnull=True):
        ConflictDeclaration.objects.create(
            evaluator=evaluator, organisation=proposal.supplier, has_conflict=False
        )
        ScoreSheet.objects.create(evaluator=evaluator, proposal=proposal, submitted_at=timezone.now())
    consensus(proposal, values)
    return proposal


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
    chair = EvaluatorFactory(challenge=challenge, is_chair=True)
    for organisation in (bid_a.supplier, partner.organisation, bid_b.supplier):
        ConflictDeclaration.objects.create(evaluator=chair, organisation=organisation, has_conflict=False)
    for bid in (bid_a, bid_b):
        ScoreSheet.objects.create(evaluator=chair, proposal=bid, submitted_at=timezone.now())
    # An admin of the buyer on the panel, in conflict with B: they read A only, on every page.
    admin_evaluator = EvaluatorFactory(
        challenge=challenge, user=AdminMembershipFactory(organisation=challenge.owner).user
    )
    for organisation in (bid_a.supplier, partner.organisation, bid_b.supplier):
        ConflictDeclaration.objects.create(
            evaluator=admin_evaluator,
            organisation=organisation,
            has_conflict=organisation == bid_b.supplier,
            reason="Former employer" if organisation == bid_b.supplier else "",
        )
    ScoreSheet.objects.create(evaluator=admin_evaluator, proposal=bid_a, submitted_at=timezone.now())
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
        "admin_evaluator": admin_evaluator.user,
        "owner_member": MembershipFactory(organisation=challenge.owner, role=MembershipRole.MEMBER).user,
        "evaluator": chair.user,
        "other_buyer": AdminMembershipFactory(organisation=BuyerFactory()).user,
        "staff": TOTPAuthenticatorFactory().user,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
