"""The award decision, its rules and bad input, the feedback it creates, and finalising after standstill."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.evaluation import kinds
from challenges.evaluation.enums import AwardDecision, AwardStatus, TrialDecision
from challenges.evaluation.models import Award, AwardedProposal, BidderFeedback, ConsensusScore, Panel
from challenges.evaluation.selectors.award import consensus_is_complete, feedback_for, standings_for
from challenges.evaluation.services.award import AwardedBid, AwardError, decide_award, finalise_due_awards
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from tests.factories.challenges import FollowFactory
from tests.factories.evaluation import TrialFactory
from tests.factories.suppliers import SubmittedProposalFactory

from .test_award_fixtures import consensus, scene_fixture  # noqa: F401


def _award(scene, **kwargs):
    arguments = {
        "challenge": scene["challenge"],
        "by": scene["procurer"],
        "decision": AwardDecision.AWARD,
        "rationale": "B balances impact and cost best.",
        "public_summary": "The winner reaches the most residents within the budget.",
        "standstill_days": 10,
        "awarded": [AwardedBid(proposal_id=scene["bid_b"].pk, value=Decimal("95000"))],
        "notes": {scene["bid_a"].pk: "Your cost plan was unclear."},
    }
    return decide_award(**{**arguments, **kwargs})


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_standings_rank_by_weighted_total(scene):
    standings = standings_for(challenge=scene["challenge"], user=scene["procurer"])

    assert [(s.proposal, s.total, s.rank) for s in standings] == [
        (scene["bid_b"], Decimal("76.000"), 1),
        (scene["bid_a"], Decimal("72.000"), 2),
    ]


def test_decide_award_creates_award_winners_feedback_and_outcome(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        award = _award(scene)

    scene["challenge"].refresh_from_db()
    assert scene["challenge"].status == ChallengeStatus.AWARDED
    assert award.status == AwardStatus.STANDSTILL
    assert award.standstill_ends_at - award.decided_at == timedelta(days=10)
    assert list(AwardedProposal.objects.values_list("proposal", "value")) == [
        (scene["bid_b"].pk, Decimal("95000.00"))
    ]
    feedback = {row.proposal_id: row for row in BidderFeedback.objects.all()}
    assert set(feedback) == {scene["bid_a"].pk, scene["bid_b"].pk}  # not the draft
    assert (feedback[scene["bid_a"].pk].rank, feedback[scene["bid_a"].pk].total) == (2, Decimal("72.000"))
    assert feedback[scene["bid_a"].pk].note == "Your cost plan was unclear."
    assert "award.decided" in AuditEvent.objects.values_list("action", flat=True)
    assert "challenge.outcome_recorded" in AuditEvent.objects.values_list("action", flat=True)


def test_decide_award_tells_each_bidder_their_own_feedback(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _award(scene)

    for actor in ["bidder_a", "partner_a", "bidder_b"]:
        assert _kinds(scene[actor]) == [kinds.AWARD_DECIDED.key]
    for actor in ["drafter", "other_supplier", "procurer", "evaluator"]:
        assert _kinds(scene[actor]) == []
    mail_a = next(m for m in mail.outbox if m.to == [scene["bidder_a"].email])
    mail_b = next(m for m in mail.outbox if m.to == [scene["bidder_b"].email])
    assert "Your cost plan was unclear." in mail_a.body
    assert "A is strong" in mail_a.body and "B is cheap" not in mail_a.body
    assert "Your rank: 2 of 2" in mail_a.body and "Winning total: 76.000" in mail_a.body
    assert "has been awarded the contract" in mail_b.body
    assert "Your cost plan was unclear." not in mail_b.body and "A is strong" not in mail_b.body
    assert str(scene["bid_a"].supplier) not in mail_b.body


def test_no_award_moves_the_challenge_to_not_awarded(scene):
    award = _award(scene, decision=AwardDecision.NO_AWARD, awarded=[])

    scene["challenge"].refresh_from_db()
    assert scene["challenge"].status == ChallengeStatus.NOT_AWARDED
    assert not award.awarded.exists()
    assert BidderFeedback.objects.count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"standstill_days": 9}, "standstill_days", "at least 10 days"),
        ({"standstill_days": 366}, "standstill_days", "at most 365 days"),
        ({"standstill_days": 10**12}, "standstill_days", "at most 365 days"),
        ({"rationale": "  "}, "rationale", "rationale"),
        ({"public_summary": " "}, "public_summary", "public summary"),
        ({"awarded": []}, "awarded", "at least one bidder"),
        ({"decision": AwardDecision.NO_AWARD}, "awarded", "no bidder can be chosen"),
        ({"decision": "maybe"}, "decision", "award or not"),
    ],
)
def test_decide_award_bad_input_names_the_field(scene, kwargs, field, message):
    with pytest.raises(AwardError, match=message) as error:
        _award(scene, **kwargs)

    assert error.value.field == field
    assert not Award.objects.exists()


def test_decide_award_refuses_a_supplier_that_did_not_bid(scene):
    other_challenge_bid = SubmittedProposalFactory()
    for proposal in [scene["draft"], other_challenge_bid]:
        with pytest.raises(AwardError, match="only to a supplier that submitted a proposal") as error:
            _award(scene, awarded=[AwardedBid(proposal_id=proposal.pk, value=Decimal("1"))])
        assert error.value.field == "awarded"
    assert not Award.objects.exists()
    scene["challenge"].refresh_from_db()
    assert scene["challenge"].status == ChallengeStatus.UNDER_EVALUATION


@pytest.mark.parametrize("actor", ["owner_member", "evaluator", "bidder_a", "superuser", "other_buyer"])
def test_decide_award_only_by_an_owner_admin(scene, actor):
    with pytest.raises(AwardError, match="administrator"):
        _award(scene, by=scene[actor])


def test_decide_award_waits_for_consensus_on_every_criterion(scene):
    ConsensusScore.objects.filter(proposal=scene["bid_a"]).first().delete()

    assert not consensus_is_complete(challenge=scene["challenge"])
    with pytest.raises(AwardError, match="consensus"):
        _award(scene)


def test_decide_award_only_under_evaluation_and_once(scene):
    _award(scene)
    with pytest.raises(AwardError, match="under evaluation"):
        _award(scene)
    assert Award.objects.count() == 1


def test_decide_award_with_trial_stage_waits_for_trials_and_awards_only_a_go(scene):
    Panel.objects.filter(challenge=scene["challenge"]).update(has_trial_stage=True)
    with pytest.raises(AwardError, match="Shortlist"):
        _award(scene)
    trial_b = TrialFactory(proposal=scene["bid_b"])
    with pytest.raises(AwardError, match="every proof-of-value trial"):
        _award(scene)
    trial_b.decision = TrialDecision.NO_GO
    trial_b.save()
    with pytest.raises(AwardError, match="trial was a go"):
        _award(scene)
    trial_b.decision = TrialDecision.GO
    trial_b.save()

    assert _award(scene).awarded.get().proposal == scene["bid_b"]


def test_feedback_holds_only_the_bidders_own_scores(scene):
    _award(scene)

    view = feedback_for(proposal=scene["bid_a"])

    assert [(row.criterion.weight, row.value) for row in view.scores] == [(60, 4), (40, 3)]
    assert all("A is strong" in row.rationale for row in view.scores)
    assert (view.feedback.rank, view.number_of_bids, view.winning_total, view.is_winner) == (
        2,
        2,
        Decimal("76.000"),
        False,
    )


def test_finalise_awards_after_standstill_once(scene, django_capture_on_commit_callbacks):
    follower = FollowFactory(challenge=scene["challenge"]).user
    award = _award(scene)

    assert finalise_due_awards() == 0  # still in standstill
    later = timezone.now() + timedelta(days=10, minutes=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert finalise_due_awards() == 1
        assert finalise_due_awards() == 0

    award.refresh_from_db()
    assert award.status == AwardStatus.FINAL and award.final_at is not None
    assert _kinds(follower) == [kinds.AWARD_FINAL.key]
    assert _kinds(scene["bidder_a"]).count(kinds.AWARD_FINAL.key) == 1
    assert list(AuditEvent.objects.filter(action="award.final").values_list("action", flat=True)) == [
        "award.final"
    ]


def test_finalising_an_award_expires_the_public_pages(scene, settings, django_capture_on_commit_callbacks):
    """The claim is a bulk UPDATE, which sends no signal: the public award notice must not keep saying
    "in standstill" for the public pages' lifetime."""
    from django.core.cache import cache

    from portal.web import pagecache

    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    _award(scene)
    cache.set(pagecache.GENERATION_KEY, 7, None)
    with time_machine.travel(timezone.now() + timedelta(days=11), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert finalise_due_awards() == 1
        moved = cache.get(pagecache.GENERATION_KEY)
        with django_capture_on_commit_callbacks(execute=True):
            assert finalise_due_awards() == 0  # nothing finalised: nothing expired

    assert moved == 8
    assert cache.get(pagecache.GENERATION_KEY) == 8


def test_finalise_awards_task_runs_the_service(scene):
    from challenges.evaluation.tasks_award import finalise_awards_task

    _award(scene)
    with time_machine.travel(timezone.now() + timedelta(days=11), tick=False):
        assert finalise_awards_task.apply().get() == 1
        assert finalise_awards_task.apply().get() == 0


def test_equal_totals_share_a_rank_and_feedback_keeps_it(scene):
    ConsensusScore.objects.filter(proposal=scene["bid_a"]).delete()
    consensus(scene["bid_a"], [3, 5])  # now 76, like B; B is cheaper (the tie-break)

    standings = standings_for(challenge=scene["challenge"], user=scene["procurer"])
    assert [(s.proposal, s.total, s.rank) for s in standings] == [
        (scene["bid_b"], Decimal("76.000"), 1),
        (scene["bid_a"], Decimal("76.000"), 1),
    ]
    _award(scene)
    assert set(BidderFeedback.objects.values_list("rank", flat=True)) == {1}


def test_longest_standstill_is_accepted(scene):
    award = _award(scene, standstill_days=365)

    assert award.standstill_ends_at - award.decided_at == timedelta(days=365)


def test_public_summary_is_kept_apart_from_the_rationale(scene):
    award = _award(scene)

    assert award.public_summary == "The winner reaches the most residents within the budget."
    assert award.rationale == "B balances impact and cost best."
    entry = AuditEvent.objects.get(action="award.decided")
    assert entry.data["public_summary"] == award.public_summary


@pytest.mark.parametrize("named", ["lead", "partner"])
def test_public_summary_naming_a_bidder_not_awarded_is_refused(scene, named):
    bid_a = scene["bid_a"]
    organisation = bid_a.supplier if named == "lead" else bid_a.partners.get().organisation
    summary = f"Better than {organisation.name.upper()} on every criterion."

    with pytest.raises(AwardError, match="names") as error:
        _award(scene, public_summary=summary)

    assert error.value.field == "public_summary"
    assert organisation.name in str(error.value)
    assert not Award.objects.exists()


def test_public_summary_may_name_the_winner(scene):
    summary = f"{scene['bid_b'].supplier.name} reaches the most residents."

    assert _award(scene, public_summary=summary).public_summary == summary


# The evaluation must be complete: every expected sheet in, and a chair able to moderate every proposal


def test_decide_award_waits_for_a_reopened_sheet(scene):
    from challenges.evaluation.models import ScoreSheet

    ScoreSheet.objects.filter(proposal=scene["bid_a"], evaluator__user=scene["evaluator"]).update(
        submitted_at=None, reopened_at=timezone.now()
    )

    with pytest.raises(AwardError, match="1 score sheet is not submitted"):
        _award(scene)


def test_decide_award_waits_for_an_evaluator_appointed_late(scene):
    from challenges.evaluation.models import ConflictDeclaration
    from tests.factories.suppliers import EvaluatorFactory

    late = EvaluatorFactory(challenge=scene["challenge"])
    for organisation_id in {scene["bid_a"].supplier_id, scene["bid_b"].supplier_id}:
        ConflictDeclaration.objects.create(
            evaluator=late, organisation_id=organisation_id, has_conflict=False
        )

    with pytest.raises(AwardError, match="2 score sheets are not submitted"):
        _award(scene)


def test_conflicted_chair_is_named_as_the_blocker(scene):
    from challenges.evaluation.models import ConflictDeclaration
    from challenges.evaluation.selectors.award import award_blockers

    ConflictDeclaration.objects.filter(organisation=scene["bid_b"].supplier).update(
        has_conflict=True, reason="Former employer"
    )
    ConsensusScore.objects.filter(proposal=scene["bid_b"]).delete()

    blockers = award_blockers(challenge=scene["challenge"])

    assert blockers == [
        "The chair declared a conflict with 1 proposal and cannot record its consensus: appoint another "
        "chair for the moderation on the panel's page."
    ]
