"""Weighted totals and the ranking, by hand-computed examples, ties and the tie-break rule included."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from challenges.evaluation.models import ConsensusScore
from challenges.evaluation.selectors.scoring import ranking, tie_break_rule, weighted_total
from tests.factories.challenges import CriterionFactory, PublishedChallengeFactory
from tests.factories.suppliers import SubmittedProposalFactory

from .conftest import close

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_criteria():
    """Scale 0-5; criteria Impact 50 %, Feasibility 30 %, Cost 20 %."""
    challenge = PublishedChallengeFactory(scoring_scale=5, with_outcome_and_criteria=False)
    criteria = [
        CriterionFactory(challenge=challenge, name="Impact", weight=50, position=0),
        CriterionFactory(challenge=challenge, name="Feasibility", weight=30, position=1),
        CriterionFactory(challenge=challenge, name="Cost", weight=20, position=2),
    ]
    return challenge, criteria


def _bid(challenge, criteria, values, *, price, minutes_ago, title):
    proposal = SubmittedProposalFactory(
        challenge=challenge,
        price=price,
        title=title,
        submitted_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    for criterion, value in zip(criteria, values, strict=False):
        ConsensusScore.objects.create(
            proposal=proposal, criterion=criterion, value=value, rationale="Agreed."
        )
    return proposal


def test_weighted_total_by_hand():
    class C:
        def __init__(self, pk, weight):
            self.pk, self.weight = pk, weight

    criteria = [C(1, 50), C(2, 30), C(3, 20)]
    # (50*4 + 30*3 + 20*5) / 5 = 390 / 5 = 78
    assert weighted_total(criteria=criteria, consensus={1: 4, 2: 3, 3: 5}, scale=5) == Decimal("78.000")
    # Scale 0-10, 60/40: (60*7 + 40*8) / 10 = 74
    assert weighted_total(criteria=[C(1, 60), C(2, 40)], consensus={1: 7, 2: 8}, scale=10) == Decimal(
        "74.000"
    )
    # (33*1 + 33*0 + 34*2) / 5 = 101 / 5 = 20.2
    assert weighted_total(
        criteria=[C(1, 33), C(2, 33), C(3, 34)], consensus={1: 1, 2: 0, 3: 2}, scale=5
    ) == Decimal("20.200")
    assert weighted_total(criteria=criteria, consensus={1: 4, 2: 3}, scale=5) is None


def test_ranking_with_ties_and_every_tie_break(three_criteria):
    challenge, criteria = three_criteria
    p1 = _bid(challenge, criteria, [4, 3, 5], price=100_000, minutes_ago=50, title="P1")  # 78.000
    p3 = _bid(challenge, criteria, [5, 2, 4], price=120_000, minutes_ago=40, title="P3")  # 250+60+80 = 78.000
    p2 = _bid(challenge, criteria, [3, 5, 4], price=90_000, minutes_ago=30, title="P2")  # 150+150+80 = 76.000
    p4 = _bid(challenge, criteria, [3, 5, 4], price=80_000, minutes_ago=20, title="P4")  # 76.000, cheaper
    p6 = _bid(challenge, criteria, [3, 5, 4], price=80_000, minutes_ago=10, title="P6")  # 76.000, later
    p5 = _bid(challenge, criteria, [5, 5], price=50_000, minutes_ago=5, title="P5")  # no consensus on Cost
    low = _bid(challenge, criteria, [0, 0, 1], price=10_000, minutes_ago=1, title="Low")  # 20/5 = 4.000
    close(challenge)

    rows = ranking(challenge=challenge)

    assert [(r.proposal, r.total, r.rank, r.tied) for r in rows] == [
        (p3, Decimal("78.000"), 1, True),
        (p1, Decimal("78.000"), 1, True),
        (p4, Decimal("76.000"), 3, True),
        (p6, Decimal("76.000"), 3, True),
        (p2, Decimal("76.000"), 3, True),
        (low, Decimal("4.000"), 6, False),
        (p5, None, None, False),
    ]
    assert [r.tie_break for r in rows] == [
        "higher score on “Impact”",
        "",
        "earlier submission",
        "lower price",
        "",
        "",
        "",
    ]
    assert rows[0].by_criterion == [(criteria[0], 5), (criteria[1], 2), (criteria[2], 4)]
    assert rows[-1].consensus == {criteria[0].pk: 5, criteria[1].pk: 5}
    assert "highest-weighted criterion" in tie_break_rule()


def test_ranking_ignores_drafts_and_withdrawn_proposals(three_criteria):
    challenge, criteria = three_criteria
    kept = _bid(challenge, criteria, [1, 1, 1], price=1, minutes_ago=3, title="Kept")
    withdrawn = _bid(challenge, criteria, [5, 5, 5], price=1, minutes_ago=2, title="Withdrawn")
    withdrawn.status = "withdrawn"
    withdrawn.save()
    close(challenge)

    assert [r.proposal for r in ranking(challenge=challenge)] == [kept]


def test_ranking_query_count_does_not_grow(three_criteria, django_assert_num_queries):
    challenge, criteria = three_criteria
    for index in range(5):
        _bid(
            challenge,
            criteria,
            [index % 5, 3, 2],
            price=1000 + index,
            minutes_ago=index + 1,
            title=f"B{index}",
        )
    close(challenge)

    with django_assert_num_queries(4):
        ranking(challenge=challenge)
