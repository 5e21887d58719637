"""Reads for the proof-of-value stage: a challenge's trials with their proposals and results, and one
trial with the challenge's outcomes and what was measured against each."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from challenges.models import Challenge, Outcome
from portal.accounts.models import User
from suppliers.models import Proposal

from ..models import Trial, TrialResult


@dataclass
class OutcomeResult:
    outcome: Outcome
    result: TrialResult | None


def trials_visible_to(*, user: User) -> QuerySet[Trial]:
    """Trials of proposals the user may read, with their proposal, supplier and challenge."""
    return Trial.objects.filter(proposal__in=Proposal.objects.visible_to(user)).select_related(
        "proposal", "proposal__supplier", "proposal__challenge", "proposal__challenge__owner"
    )


def trials_of(*, challenge: Challenge, user: User) -> QuerySet[Trial]:
    return (
        trials_visible_to(user=user)
        .filter(proposal__challenge=challenge)
        .prefetch_related(Prefetch("results", queryset=TrialResult.objects.select_related("outcome")))
        .order_by("shortlisted_at", "pk")
    )


def outcome_results(*, trial: Trial) -> list[OutcomeResult]:
    """Each of the challenge's outcomes with the trial's result against it (two queries)."""
    results = {result.outcome_id: result for result in trial.results.all()}
    return [
        OutcomeResult(outcome=outcome, result=results.get(outcome.pk))
        for outcome in trial.proposal.challenge.outcomes.order_by("position", "pk")
    ]
