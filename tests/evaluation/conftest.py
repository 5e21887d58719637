"""The evaluation's actors around one closed challenge (scale 0-5, criteria 60 % and 40 %) with two
submitted bids: A (lead supplier A with an accepted consortium partner) and B.

Panel: evaluator 1 (the chair) and evaluator 2, both members of the buying organisation; a conflicted
evaluator (declares a conflict with B); an evaluator who is also a member of B (excluded from B
automatically); an external expert (accepted); an admin of the buying organisation who is also on the
panel (declares a conflict with B, like the conflicted evaluator). Everyone else who may ask for a page:
anonymous, bidder A (lead member), bidder B, the consortium partner of A, the procurer (owner admin), an
owner member (not admin), another buyer, programme staff and a superuser.

`ev` is the scene after the close, before the evaluation is opened; `opened` has opened it and every
evaluator has declared. Helpers: `declare_all`, `score`, `submit_all`."""

from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.evaluation.models import Evaluator, ScoreSheet
from challenges.evaluation.selectors.panel import undeclared_organisations
from challenges.evaluation.services.panel import declare_conflicts, open_evaluation
from challenges.evaluation.services.scoring import record_consensus, submit_sheet
from portal.accounts.enums import MembershipRole
from tests.factories.accounts import (
    AdminMembershipFactory,
    BuyerFactory,
    MembershipFactory,
    SupplierFactory,
    TOTPAuthenticatorFactory,
    UserFactory,
)
from tests.factories.challenges import PublishedChallengeFactory
from tests.factories.evaluation import PanelFactory
from tests.factories.suppliers import AcceptedPartnerFactory, EvaluatorFactory, SubmittedProposalFactory

ACTORS = [
    "anonymous",
    "bidder_a",
    "bidder_b",
    "partner_a",
    "procurer",
    "owner_member",
    "chair",
    "evaluator2",
    "conflicted",
    "bidding_evaluator",
    "expert",
    "admin_evaluator",
    "other_buyer",
    "staff",
    "superuser",
]
EVALUATORS = ["chair", "evaluator2", "conflicted", "bidding_evaluator", "expert", "admin_evaluator"]
# The evaluators who declare a conflict with bid B (declare_all) or are excluded from it automatically.
CONFLICTED_WITH_B = {"conflicted", "bidding_evaluator", "admin_evaluator"}


def close(challenge) -> None:
    challenge.submission_deadline = timezone.now() - timedelta(minutes=5)
    challenge.questions_deadline = challenge.submission_deadline - timedelta(days=1)
    challenge.status = ChallengeStatus.CLOSED
    challenge.closed_at = challenge.submission_deadline
    challenge.save()


def fresh(user):
    """The user with an empty role cache, as on a new request."""
    return type(user).objects.get(pk=user.pk)


def evaluator_of(ev, actor) -> Evaluator:
    return Evaluator.objects.select_related("challenge").get(
        challenge=ev["challenge"], user=ev[actor], removed_at__isnull=True
    )


def declare_all(ev, actors=EVALUATORS) -> None:
    """Each evaluator declares "no conflict" for every organisation still pending, except the conflicted
    evaluator and the admin on the panel, who declare a conflict with bidder B."""
    for actor in actors:
        evaluator = evaluator_of(ev, actor)
        pending = undeclared_organisations(evaluator=evaluator)
        answers = {
            organisation.pk: (
                (True, "My brother runs it.")
                if actor in {"conflicted", "admin_evaluator"} and organisation.pk == ev["bid_b"].supplier_id
                else (False, "")
            )
            for organisation in pending
        }
        if answers:
            declare_conflicts(evaluator=evaluator, by=ev[actor], answers=answers)


def score(ev, actor, proposal, values, justification="Reasoned judgement."):
    """Submit the actor's sheet for the proposal with these values, in the criteria's order."""
    criteria = list(ev["challenge"].criteria.order_by("position", "pk"))
    return submit_sheet(
        evaluator=evaluator_of(ev, actor),
        proposal=proposal,
        by=ev[actor],
        values={c.pk: (v, f"{justification} ({c.name})") for c, v in zip(criteria, values, strict=True)},
    )


def submit_all(ev, values=(4, 3)) -> None:
    """Every expected evaluator submits their sheet for every proposal they score."""
    for actor in EVALUATORS:
        for bid in ("bid_a", "bid_b"):
            if actor in CONFLICTED_WITH_B and bid == "bid_b":
                continue
            if ScoreSheet.objects.filter(
                evaluator=evaluator_of(ev, actor), proposal=ev[bid], submitted_at__isnull=False
            ).exists():
                continue
            score(ev, actor, ev[bid], values)


def consensus_on_both(ev):
    """Every sheet submitted, and the chair's consensus on both bids (bid A ahead); the two criteria."""
    impact, feasibility = ev["challenge"].criteria.order_by("position", "pk")
    submit_all(ev)
    for bid, values in (("bid_a", (5, 4)), ("bid_b", (3, 3))):
        record_consensus(
            proposal=ev[bid],
            by=ev["chair"],
            values={impact.pk: (values[0], "Agreed impact"), feasibility.pk: (values[1], "Agreed cost")},
        )
    return impact, feasibility


@pytest.fixture
def ev(db):
    challenge = PublishedChallengeFactory(scoring_scale=5)
    PanelFactory(challenge=challenge)
    bid_a = SubmittedProposalFactory(challenge=challenge, title="Companion app", price=100_000)
    bid_b = SubmittedProposalFactory(challenge=challenge, title="Neighbour network", price=90_000)
    partner = AcceptedPartnerFactory(proposal=bid_a)
    close(challenge)
    owner = challenge.owner

    def owner_member(role=MembershipRole.MEMBER):
        return MembershipFactory(organisation=owner, role=role).user

    chair, evaluator2, conflicted, bidding_evaluator = (owner_member() for _ in range(4))
    admin_evaluator = owner_member(MembershipRole.ADMIN)
    MembershipFactory(organisation=bid_b.supplier, user=bidding_evaluator)
    expert = UserFactory(email="expert@university.example")
    EvaluatorFactory(challenge=challenge, user=chair, is_chair=True)
    for user in (evaluator2, conflicted, bidding_evaluator, admin_evaluator):
        EvaluatorFactory(challenge=challenge, user=user)
    EvaluatorFactory(
        challenge=challenge, user=expert, email=expert.email, is_external=True, accepted_at=timezone.now()
    )
    return {
        "challenge": challenge,
        "bid_a": bid_a,
        "bid_b": bid_b,
        "partner": partner,
        "anonymous": None,
        "bidder_a": MembershipFactory(organisation=bid_a.supplier, role=MembershipRole.ADMIN).user,
        "bidder_b": MembershipFactory(organisation=bid_b.supplier).user,
        "partner_a": MembershipFactory(organisation=partner.organisation).user,
        "procurer": AdminMembershipFactory(organisation=owner).user,
        "owner_member": owner_member(),
        "chair": chair,
        "evaluator2": evaluator2,
        "conflicted": conflicted,
        "bidding_evaluator": bidding_evaluator,
        "expert": expert,
        "admin_evaluator": admin_evaluator,
        "other_buyer": AdminMembershipFactory(organisation=BuyerFactory()).user,
        "staff": TOTPAuthenticatorFactory().user,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
        "other_supplier": MembershipFactory(organisation=SupplierFactory()).user,
    }


@pytest.fixture
def opened(ev):
    """The evaluation opened by the procurer; every evaluator has declared."""
    open_evaluation(challenge=ev["challenge"], by=ev["procurer"])
    ev["challenge"].refresh_from_db()
    declare_all(ev)
    return ev


@pytest.fixture
def login(client):
    def _login(user):
        if user is not None:
            client.force_login(user)
        return client

    return _login
