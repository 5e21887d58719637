"""Writes for the proof-of-value stage (a challenge whose panel has one): the owner's admins shortlist
ranked proposals for a paid trial, record each trial's results against the challenge's outcome indicators,
and decide go / no-go with a summary. Every step is audited; the award waits until every trial is
decided (selectors.award.award_blockers)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models.functions import Now
from django.utils.translation import gettext as _

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from portal.accounts.models import User
from portal.audit.services import record_audit
from suppliers.enums import ProposalStatus
from suppliers.models import Proposal

from ..enums import TrialDecision
from ..models import Award, Trial, TrialResult
from ..rules import is_owner_admin
from ..selectors.award import consensus_is_complete, panel_has_trial_stage


class TrialError(Exception):
    """A trial step the challenge's state or the person's role does not allow. `field` names the form
    field the message belongs to (None: the whole form)."""

    def __init__(self, message: str, *, field: str | None = None):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class MeasuredResult:
    outcome_id: int
    measured: str
    note: str = ""


def _lock_challenge(challenge_id: int) -> Challenge:
    return Challenge.objects.select_for_update(of=("self",)).select_related("owner").get(pk=challenge_id)


def _require_trial_stage(challenge: Challenge, by: User) -> None:
    """The checks every trial step shares, on the locked challenge."""
    if not is_owner_admin(by, challenge):
        raise TrialError(_("Only an administrator of the buying organisation can manage the trials."))
    if challenge.status != ChallengeStatus.UNDER_EVALUATION:
        raise TrialError(_("Trials are run while the challenge is under evaluation."))
    if not panel_has_trial_stage(challenge=challenge):
        raise TrialError(_("This challenge has no proof-of-value stage."))
    if Award.objects.filter(challenge=challenge).exists():
        raise TrialError(_("The award has been decided: the trials can no longer change."))


def shortlist_for_trial(*, proposal: Proposal, by: User) -> Trial:
    """Shortlist a submitted, ranked proposal for a paid proof-of-value trial (once). Audited."""
    with transaction.atomic():
        challenge = _lock_challenge(proposal.challenge_id)
        _require_trial_stage(challenge, by)
        if not consensus_is_complete(challenge=challenge):
            raise TrialError(
                _("Shortlist from the ranking: the panel has not agreed every consensus score yet.")
            )
        if not Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.SUBMITTED).exists():
            raise TrialError(_("Only a submitted proposal can be shortlisted."))
        try:
            with transaction.atomic():
                trial = Trial.objects.create(proposal=proposal, shortlisted_by=by)
        except IntegrityError:
            raise TrialError(_("This proposal is on the shortlist already.")) from None
        record_audit(
            actor=by,
            action="trial.shortlisted",
            target=trial,
            organisation=challenge.owner,
            data={"challenge": challenge.pk, "proposal": proposal.pk},
        )
    return trial


def _locked_trial(trial: Trial, by: User) -> Trial:
    challenge = _lock_challenge(trial.proposal.challenge_id)
    _require_trial_stage(challenge, by)
    trial = Trial.objects.select_for_update(of=("self",)).select_related("proposal").get(pk=trial.pk)
    trial.challenge = challenge
    if trial.decision != TrialDecision.PENDING:
        raise TrialError(_("The go / no-go decision on this trial has been taken: it can no longer change."))
    return trial


def record_trial_results(*, trial: Trial, by: User, results: Iterable[MeasuredResult]) -> list[TrialResult]:
    """Record (or correct) a running trial's measured value and note per outcome indicator of the
    challenge; an outcome left without a measured value is left out. Audited."""
    results = [row for row in results if (row.measured or "").strip()]
    with transaction.atomic():
        trial = _locked_trial(trial, by)
        outcomes = set(trial.challenge.outcomes.values_list("pk", flat=True))
        if any(row.outcome_id not in outcomes for row in results):
            raise TrialError(_("Results are recorded against this challenge's own outcomes."))
        if not results:
            raise TrialError(_("Record the measured value of at least one outcome indicator."))
        saved = []
        for row in results:
            result, _created = TrialResult.objects.update_or_create(
                trial=trial,
                outcome_id=row.outcome_id,
                defaults={"measured": row.measured.strip(), "note": (row.note or "").strip()},
            )
            saved.append(result)
        record_audit(
            actor=by,
            action="trial.results_recorded",
            target=trial,
            organisation=trial.challenge.owner,
            data={"results": [{"outcome": r.outcome_id, "measured": r.measured} for r in saved]},
        )
    return saved


def decide_trial(*, trial: Trial, by: User, decision: str, summary: str) -> Trial:
    """Go or no-go on a running trial, with a summary of what it showed (required), once its results are
    recorded. Audited; the decision is final."""
    summary = (summary or "").strip()
    if decision not in {TrialDecision.GO, TrialDecision.NO_GO}:
        raise TrialError(_("Choose go or no-go."), field="decision")
    if not summary:
        raise TrialError(_("Summarise what the trial showed."), field="summary")
    with transaction.atomic():
        trial = _locked_trial(trial, by)
        if not trial.results.exists():
            raise TrialError(_("Record the trial's results before deciding on it."))
        Trial.objects.filter(pk=trial.pk).update(
            decision=decision, summary=summary, decided_by=by, decided_at=Now()
        )
        trial.refresh_from_db()
        record_audit(
            actor=by,
            action="trial.decided",
            target=trial,
            organisation=trial.challenge.owner,
            data={"decision": decision, "summary": summary},
        )
    return trial
