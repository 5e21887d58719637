"""The evaluation report reads its trials and the award with the opened proposals, and asks whether a panel
member has declared about every bidder of those proposals rather than by a query of its own: the same
answers as before, in the same order."""

from decimal import Decimal

import pytest
from django.urls import reverse

from challenges.evaluation.enums import AwardDecision
from challenges.evaluation.models import AwardedProposal, BidderFeedback, ConflictDeclaration, Panel, Trial
from challenges.evaluation.selectors.panel import undeclared_organisations
from challenges.evaluation.services.award import AwardedBid, decide_award
from challenges.evaluation.services.panel import declare_conflicts, open_evaluation
from challenges.evaluation.services.trials import shortlist_for_trial

from .conftest import EVALUATORS, consensus_on_both, declare_all, evaluator_of

pytestmark = pytest.mark.django_db


def _report(client, user, challenge):
    client.force_login(user)
    response = client.get(reverse("evaluation:report", kwargs={"pk": challenge.pk}))
    assert response.status_code == 200
    return response


def test_report_opens_no_bid_to_an_evaluator_until_they_have_declared_about_its_partner_too(client, ev):
    open_evaluation(challenge=ev["challenge"], by=ev["procurer"])
    declare_all(ev, actors=[actor for actor in EVALUATORS if actor != "evaluator2"])
    evaluator = evaluator_of(ev, "evaluator2")
    # About both lead suppliers, not yet about A's consortium partner: a bidder too. (The service takes
    # every answer at once: the half-way state is written as it stands.)
    for bid in ("bid_a", "bid_b"):
        ConflictDeclaration.objects.create(
            evaluator=evaluator, organisation=ev[bid].supplier, has_conflict=False
        )
    assert [o.pk for o in undeclared_organisations(evaluator=evaluator)] == [ev["partner"].organisation_id]

    before = _report(client, ev["evaluator2"], ev["challenge"])
    declare_conflicts(
        evaluator=evaluator, by=ev["evaluator2"], answers={ev["partner"].organisation_id: (False, "")}
    )
    after = _report(client, ev["evaluator2"], ev["challenge"])

    assert before.context["sections"] == []
    assert ev["bid_a"].title not in before.content.decode()
    assert [section["progress"].proposal for section in after.context["sections"]] == [
        ev["bid_a"],
        ev["bid_b"],
    ]


def test_report_lists_the_winners_and_the_feedback_in_their_order(client, opened):
    consensus_on_both(opened)
    decide_award(
        challenge=opened["challenge"],
        by=opened["procurer"],
        decision=AwardDecision.AWARD,
        rationale="Both, in two lots.",
        public_summary="Two lots awarded.",
        standstill_days=10,
        awarded=[
            AwardedBid(proposal_id=opened["bid_b"].pk, value=Decimal("90000")),
            AwardedBid(proposal_id=opened["bid_a"].pk, value=Decimal("100000")),
        ],
        notes={opened["bid_a"].pk: "First.", opened["bid_b"].pk: "Second."},
    )

    response = _report(client, opened["procurer"], opened["challenge"])

    winners = response.context["award_winners"]
    assert [row.pk for row in winners] == list(
        AwardedProposal.objects.order_by("pk").values_list("pk", flat=True)
    )
    assert [row.proposal for row in winners] == [opened["bid_b"], opened["bid_a"]]
    assert [row.value for row in winners] == [Decimal("90000"), Decimal("100000")]
    feedback = response.context["award_feedback"]
    assert [row.pk for row in feedback] == list(BidderFeedback.objects.values_list("pk", flat=True))
    assert [(row.proposal, row.rank, row.note) for row in feedback] == [
        (opened["bid_a"], 1, "First."),
        (opened["bid_b"], 2, "Second."),
    ]
    page = response.content.decode()
    award = page.split('id="report-award"')[1].split("</section>")[0]
    assert award.index(opened["bid_b"].supplier.name) < award.index(opened["bid_a"].supplier.name)


def test_report_lists_the_trials_the_first_shortlisted_first(client, opened):
    consensus_on_both(opened)
    Panel.objects.filter(challenge=opened["challenge"]).update(has_trial_stage=True)
    first = shortlist_for_trial(proposal=opened["bid_b"], by=opened["procurer"])
    second = shortlist_for_trial(proposal=opened["bid_a"], by=opened["procurer"])

    response = _report(client, opened["procurer"], opened["challenge"])

    trials = response.context["trials"]
    assert [trial.pk for trial in trials] == [first.pk, second.pk]
    assert [trial.pk for trial in trials] == list(
        Trial.objects.order_by("shortlisted_at", "pk").values_list("pk", flat=True)
    )
    assert [trial.proposal.supplier for trial in trials] == [
        opened["bid_b"].supplier,
        opened["bid_a"].supplier,
    ]
