"""Reads for the award: the bids and their standing, whether the evaluation is ready for a decision, each
bidder's own feedback, the public award notice and the awards whose standstill has ended.

A bidder's feedback holds their own consensus scores and rationales, their rank and the winning total,
never another bidder's name or scores. The public notice names only the winners."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from challenges.models import Challenge, Criterion
from portal.accounts.models import User
from suppliers.enums import PartnerStatus, ProposalStatus
from suppliers.models import ConsortiumPartner, Proposal

from ..enums import AwardStatus, TrialDecision
from ..models import Award, AwardedProposal, BidderFeedback, ConsensusScore, Panel, Trial
from .challenge_page import own_feedback_bids_on_row
from .panel import panel_of
from .scoring import criteria_of, evaluation_proposals, panel_state, ranking, scoring_progress

THREE_PLACES = Decimal("0.001")


@dataclass
class Standing:
    """One bid's place in the ranking, as the award page and the trials page show it."""

    proposal: Proposal
    total: Decimal | None
    rank: int | None
    trial: Trial | None = None
    feedback: BidderFeedback | None = None


@dataclass
class FeedbackScore:
    criterion: Criterion
    value: int | None
    rationale: str


@dataclass
class BidderFeedbackView:
    """What one bidder reads: their consensus per criterion, their rank among the bids, their total and
    the winning total. Nothing about the other bids but their number and the best total."""

    proposal: Proposal
    award: Award
    feedback: BidderFeedback
    scores: list[FeedbackScore] = field(default_factory=list)
    scale: int = 5
    is_winner: bool = False
    number_of_bids: int = 0
    winning_total: Decimal | None = None


def submitted_bids(*, challenge: Challenge, user: User) -> QuerySet[Proposal]:
    """The challenge's submitted proposals that the user may read (the owner's admins read all of them
    once the challenge has closed), with their lead supplier."""
    return (
        Proposal.objects.visible_to(user)
        .filter(challenge=challenge, status=ProposalStatus.SUBMITTED)
        .select_related("supplier")
        .order_by("pk")
    )


def hidden_bid_count(*, challenge: Challenge, shown: int, submitted: int | None = None) -> int:
    """How many of the challenge's submitted bids are not among the `shown` ones the user reads: an admin
    of the buyer who sits on its panel reads only the bids they declared about without a conflict (one
    query, none when given the number of submitted bids)."""
    if submitted is None:
        submitted = Proposal.objects.filter(challenge=challenge, status=ProposalStatus.SUBMITTED).count()
    return max(submitted - shown, 0)


def ranked_totals(
    *,
    challenge: Challenge,
    proposals: list[Proposal],
    criteria: list[Criterion] | None = None,
    opened: list[Proposal] | None = None,
) -> dict[int, tuple[Decimal, int]]:
    """{proposal id: (weighted total, rank)} of the given proposals that the panel's ranking ranks
    (selectors.scoring.ranking: weighted totals from the consensus and the published weights, equal
    totals share a rank), in the ranking's order (its tie-break rule decides among equals)."""
    ids = {proposal.pk for proposal in proposals}
    return {
        row.proposal.pk: (row.total, row.rank)
        for row in ranking(challenge=challenge, criteria=criteria, proposals=opened)
        if row.proposal.pk in ids and row.total is not None
    }


def standings_for(
    *,
    challenge: Challenge,
    user: User,
    criteria: list[Criterion] | None = None,
    opened: list[Proposal] | None = None,
) -> list[Standing]:
    """The submitted bids the user may read, best first (unranked ones last, oldest first), each with its
    weighted total, rank and proof-of-value trial if it has one. Pass the criteria and the opened proposals
    with their consensus (evaluation_proposals) when the caller has read them already."""
    proposals = list(submitted_bids(challenge=challenge, user=user).select_related("trial"))
    ranking = ranked_totals(challenge=challenge, proposals=proposals, criteria=criteria, opened=opened)
    standings = []
    for proposal in proposals:
        total, rank = ranking.get(proposal.pk, (None, None))
        standings.append(
            Standing(proposal=proposal, total=total, rank=rank, trial=getattr(proposal, "trial", None))
        )
    # The ranking's own order: equal totals are ordered by its tie-break rule.
    order = {proposal_id: index for index, proposal_id in enumerate(ranking)}
    standings.sort(key=lambda standing: (order.get(standing.proposal.pk, len(order)), standing.proposal.pk))
    return standings


def consensus_counts(*, challenge: Challenge) -> dict[int, int]:
    """{submitted proposal id: how many of the challenge's criteria have its consensus} (one query; its
    length is the number of submitted bids)."""
    return dict(
        Proposal.objects.filter(challenge=challenge, status=ProposalStatus.SUBMITTED)
        .annotate(
            agreed=Count("consensus_scores", filter=Q(consensus_scores__criterion__challenge_id=challenge.pk))
        )
        .values_list("pk", "agreed")
    )


def proposals_without_consensus(
    *, challenge: Challenge, criteria_count: int | None = None, counts: dict[int, int] | None = None
) -> set[int]:
    """The submitted proposals that lack a consensus score on some criterion (two queries, none when given
    the number of criteria and consensus_counts)."""
    criteria = challenge.criteria.count() if criteria_count is None else criteria_count
    counts = consensus_counts(challenge=challenge) if counts is None else counts
    return {pk for pk, agreed in counts.items() if agreed != criteria}


def consensus_is_complete(*, challenge: Challenge) -> bool:
    """Every submitted proposal has a consensus score on every criterion (two queries)."""
    return not proposals_without_consensus(challenge=challenge)


def panel_has_trial_stage(*, challenge: Challenge) -> bool:
    if "panel" in challenge._state.fields_cache:  # loaded with select_related("panel")
        return panel_of(challenge=challenge).has_trial_stage
    return Panel.objects.filter(challenge=challenge, has_trial_stage=True).exists()


def _consensus_blockers(
    challenge: Challenge,
    *,
    criteria: list[Criterion] | None = None,
    opened: list[Proposal] | None = None,
    counts: dict[int, int] | None = None,
) -> list[str]:
    """Why the consensus or the scoring is not complete, naming what the procurer can do about it: a chair
    who cannot moderate some proposals, sheets still out (not submitted, or reopened by the chair). Reads
    the panel and the scoring progress in a fixed number of queries."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    blockers = []
    state = panel_state(challenge=challenge)
    progress = scoring_progress(challenge=challenge, proposals=opened, state=state, scores=False)
    missing = proposals_without_consensus(
        challenge=challenge, criteria_count=None if criteria is None else len(criteria), counts=counts
    )
    chair = next((evaluator for evaluator in state.evaluators if evaluator.is_chair), None)
    if missing and chair is None:
        blockers.append(_("The panel has no chair to record the consensus: choose one on the panel's page."))
    elif missing:
        # The chair moderates only the proposals they may score: one they declared a conflict with (or
        # were excluded from) never gets a consensus from them.
        out_of_reach = {
            row.proposal.pk
            for row in progress
            if row.proposal.pk in missing and not state.is_expected(chair, row.proposal)
        }
        if out_of_reach:
            blockers.append(
                ngettext(
                    "The chair declared a conflict with %(count)s proposal and cannot record its consensus: "
                    "appoint another chair for the moderation on the panel's page.",
                    "The chair declared a conflict with %(count)s proposals and cannot record their "
                    "consensus: appoint another chair for the moderation on the panel's page.",
                    len(out_of_reach),
                )
                % {"count": len(out_of_reach)}
            )
        if missing - out_of_reach:
            blockers.append(
                _("The panel has not agreed a consensus score on every criterion of every proposal yet.")
            )
    outstanding = sum(row.outstanding for row in progress)
    if outstanding:
        blockers.append(
            ngettext(
                "%(count)s score sheet is not submitted (not started, a draft, or reopened by the chair): "
                "every evaluator's scores must be in before the award.",
                "%(count)s score sheets are not submitted (not started, drafts, or reopened by the chair): "
                "every evaluator's scores must be in before the award.",
                outstanding,
            )
            % {"count": outstanding}
        )
    return blockers


def award_blockers(
    *,
    challenge: Challenge,
    criteria: list[Criterion] | None = None,
    opened: list[Proposal] | None = None,
    counts: dict[int, int] | None = None,
    trials: list[Trial] | None = None,
) -> list[str]:
    """Why no award may be decided yet, in words the procurer can act on; empty when it may. Pass what the
    caller has read already: the criteria, the opened proposals with their submitted sheets
    (evaluation_proposals), consensus_counts and every trial of the challenge."""
    from django.utils.translation import gettext as _

    from challenges.enums import ChallengeStatus

    blockers = []
    if challenge.status != ChallengeStatus.UNDER_EVALUATION:
        blockers.append(_("An award is decided while the challenge is under evaluation."))
        return blockers
    if "award" in challenge._state.fields_cache:  # loaded with select_related("award")
        decided = challenge._state.fields_cache["award"] is not None
    else:
        decided = Award.objects.filter(challenge=challenge).exists()
    if decided:
        blockers.append(_("The award has been decided already."))
        return blockers
    blockers += _consensus_blockers(challenge, criteria=criteria, opened=opened, counts=counts)
    if panel_has_trial_stage(challenge=challenge):
        if trials is None:
            found = Trial.objects.filter(proposal__challenge=challenge).aggregate(
                total=Count("pk"), pending=Count("pk", filter=Q(decision=TrialDecision.PENDING))
            )
        else:
            found = {
                "total": len(trials),
                "pending": sum(1 for trial in trials if trial.decision == TrialDecision.PENDING),
            }
        if not found["total"]:
            blockers.append(_("Shortlist proposals for the proof-of-value trial and decide on them first."))
        elif found["pending"]:
            blockers.append(_("Decide go or no-go on every proof-of-value trial first."))
    return blockers


def award_of(*, challenge: Challenge) -> Award | None:
    """The challenge's award with its winners (proposal and lead supplier), or None. Read from the
    challenge when it was loaded with select_related("award")."""
    if "award" in challenge._state.fields_cache:
        award = challenge._state.fields_cache["award"]
        if award is not None:
            prefetch_related_objects([award], _awarded())
        return award
    return (
        Award.objects.filter(challenge=challenge)
        .prefetch_related(
            Prefetch("awarded", queryset=AwardedProposal.objects.select_related("proposal__supplier"))
        )
        .first()
    )


def award_notice_for(*, challenge: Challenge) -> dict | None:
    """The public notice of an awarded (or not awarded) challenge: the decision, its date, the winners with
    their contract values, the number of bids and the standstill. Two queries (the award with the number
    of bids, its winners); one (the winners) when the challenge was read with them
    (challenge_page.with_challenge_page_facts); none for a challenge without an outcome."""
    from challenges.enums import ChallengeStatus

    if challenge.status not in {ChallengeStatus.AWARDED, ChallengeStatus.NOT_AWARDED}:
        return None
    if "award" in challenge._state.fields_cache and hasattr(challenge, "award_bid_count"):
        # Read with the challenge: only its winners are left to read.
        award = challenge._state.fields_cache["award"]
        if award is not None:
            award.bids = challenge.award_bid_count
            prefetch_related_objects([award], _winners())
    else:
        award = _award_with_winners(challenge)
    if award is None:
        return None
    return {
        "award": award,
        "winners": list(award.awarded.all()),
        "number_of_bids": award.bids,
        "is_final": award.status == AwardStatus.FINAL,
        "currency": challenge.currency,
    }


def _winners() -> Prefetch:
    return Prefetch(
        "awarded", queryset=AwardedProposal.objects.select_related("proposal__supplier").order_by("pk")
    )


def _award_with_winners(challenge: Challenge) -> Award | None:
    return (
        Award.objects.filter(challenge=challenge)
        .annotate(bids=Count("feedback"))
        .prefetch_related(_winners())
        .first()
    )


def feedback_proposals_for(*, challenge: Challenge, user: User) -> list[Proposal]:
    """The user's organisations' bids (as lead or accepted partner) to the challenge that have feedback on
    its award: the ones whose feedback page the user reads. One query for a member of an organisation,
    none for anyone else, nor when the challenge was read with them (challenge_page.
    with_challenge_page_facts), however many of their organisations bid."""
    if not user.is_authenticated or not user.organisation_ids:
        return []
    on_row = own_feedback_bids_on_row(challenge)
    if on_row is not None:
        return on_row
    return list(
        Proposal.objects.of_organisations(user.organisation_ids)
        .filter(challenge=challenge, feedback__isnull=False)
        .distinct()
        .order_by("pk")
    )


def feedback_for(*, proposal: Proposal) -> BidderFeedbackView | None:
    """A bidder's own feedback on an award (None before the award). The caller has checked that the user
    is one of this proposal's bidders."""
    feedback = (
        BidderFeedback.objects.filter(proposal=proposal).select_related("award", "award__challenge").first()
    )
    if feedback is None:
        return None
    award, challenge = feedback.award, feedback.award.challenge
    consensus = {score.criterion_id: score for score in ConsensusScore.objects.filter(proposal=proposal)}
    winners = list(award.awarded.values_list("proposal_id", flat=True))
    winning_total = (
        BidderFeedback.objects.filter(award=award, proposal_id__in=winners)
        .order_by("-total")
        .values_list("total", flat=True)
        .first()
    )
    return BidderFeedbackView(
        proposal=proposal,
        award=award,
        feedback=feedback,
        scores=[
            FeedbackScore(
                criterion=criterion,
                value=consensus[criterion.pk].value if criterion.pk in consensus else None,
                rationale=consensus[criterion.pk].rationale if criterion.pk in consensus else "",
            )
            for criterion in challenge.criteria.order_by("position", "pk")
        ],
        scale=challenge.scoring_scale,
        is_winner=proposal.pk in winners,
        number_of_bids=BidderFeedback.objects.filter(award=award).count(),
        winning_total=winning_total,
    )


def bidder_members(*, proposal: Proposal) -> list[User]:
    """The active members of the proposal's lead and of its accepted consortium partners."""
    partners = ConsortiumPartner.objects.filter(
        proposal=proposal, status=PartnerStatus.ACCEPTED, organisation__isnull=False
    ).values("organisation_id")
    return list(
        User.objects.filter(
            Q(memberships__organisation_id=proposal.supplier_id)
            | Q(memberships__organisation_id__in=partners),
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def awards_due_for_finalising() -> QuerySet[Award]:
    """Awards in standstill whose standstill has ended."""
    return (
        Award.objects.filter(status=AwardStatus.STANDSTILL, standstill_ends_at__lte=timezone.now())
        .only("pk")
        .order_by("pk")
    )


def _awarded() -> Prefetch:
    return Prefetch("awarded", queryset=AwardedProposal.objects.select_related("proposal__supplier"))


@dataclass
class AwardPage:
    standings: list[Standing]
    hidden_bids: int
    blockers: list[str]


def award_page_for(*, challenge: Challenge, user: User, award: Award | None) -> AwardPage:
    """What the award page shows besides the award: the bids the user reads with their standing, how many
    they do not read and, while no award is decided, why one may not be yet. Reads the criteria, the opened
    proposals (for the ranking and the scoring progress) and the submitted bids' consensus counts (also
    their number) once each."""
    from challenges.enums import ChallengeStatus

    criteria = criteria_of(challenge=challenge)
    opened = counts = None
    if award is None and challenge.status == ChallengeStatus.UNDER_EVALUATION:
        opened = evaluation_proposals(challenge=challenge, scores=False)
        counts = consensus_counts(challenge=challenge)
    standings = standings_for(challenge=challenge, user=user, criteria=criteria, opened=opened)
    hidden_bids = hidden_bid_count(
        challenge=challenge, shown=len(standings), submitted=None if counts is None else len(counts)
    )
    # Trials are shortlisted from the submitted bids: when the user reads all of them, their standings
    # hold every trial of the challenge.
    trials = [standing.trial for standing in standings if standing.trial] if not hidden_bids else None
    return AwardPage(
        standings=standings,
        hidden_bids=hidden_bids,
        blockers=award_blockers(
            challenge=challenge, criteria=criteria, opened=opened, counts=counts, trials=trials
        )
        if award is None
        else [],
    )
