"""Who may do what in evaluation and award: the one place of this app's permissions. Predicates read the
user's cached roles and the evaluator rows the views load (`evaluator_for`), so they run no queries of
their own. Check with `rules.has_perm(...)`, not `user.has_perm(...)`: Django lets superusers pass the
latter, and no superuser may score or read sealed bids as such."""

import rules
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.rules import is_owner_admin


@rules.predicate
def is_closed_for_proposals(user, challenge) -> bool:
    """Past the submission deadline and not cancelled: the bids may be opened and scored."""
    return challenge is not None and challenge.status in {
        ChallengeStatus.CLOSED,
        ChallengeStatus.UNDER_EVALUATION,
    }


@rules.predicate
def is_active_evaluator(user, evaluator) -> bool:
    """The evaluator row is this user's and still on the panel (object: Evaluator)."""
    return bool(
        user.is_authenticated
        and evaluator is not None
        and evaluator.user_id == user.pk
        and evaluator.removed_at is None
    )


@rules.predicate
def is_chair(user, evaluator) -> bool:
    return bool(is_active_evaluator(user, evaluator) and evaluator.is_chair)


# Appointing the panel and setting its deadline (object: Challenge): the owning organisation's admins,
# from publication until the award.
rules.add_perm("evaluation.manage_panel", is_owner_admin)


# Panel, conflicts, scoring, moderation and the evaluation report (V1). Objects: Challenge for the
# owner's side, Evaluator (the user's own row on the panel, loaded by the view) for the panel's side.

PANEL_EDITABLE_STATUSES = frozenset(
    {ChallengeStatus.PUBLISHED, ChallengeStatus.CLOSED, ChallengeStatus.UNDER_EVALUATION}
)


@rules.predicate
def is_panel_editable(user, challenge) -> bool:
    """From publication until the outcome: evaluators may be appointed, removed and the chair changed."""
    return challenge is not None and challenge.status in PANEL_EDITABLE_STATUSES


@rules.predicate
def is_ready_to_open(user, challenge) -> bool:
    """Closed for proposals (or published past its deadline, before the closing task) and not yet under
    evaluation. The service checks again against the database clock."""
    if challenge is None:
        return False
    if challenge.status == ChallengeStatus.CLOSED:
        return True
    deadline = challenge.submission_deadline
    return (
        challenge.status == ChallengeStatus.PUBLISHED and deadline is not None and deadline <= timezone.now()
    )


@rules.predicate
def is_under_evaluation(user, challenge) -> bool:
    return challenge is not None and challenge.status == ChallengeStatus.UNDER_EVALUATION


@rules.predicate
def is_evaluating(user, evaluator) -> bool:
    """The evaluator's challenge is under evaluation (object: Evaluator, with its challenge loaded)."""
    return evaluator is not None and evaluator.challenge.status == ChallengeStatus.UNDER_EVALUATION


# Changing the panel (appoint, invite, chair, remove, deadline) and opening the evaluation (object:
# Challenge): the owning organisation's admins.
rules.add_perm("evaluation.edit_panel", is_owner_admin & is_panel_editable)
rules.add_perm("evaluation.open_evaluation", is_owner_admin & is_ready_to_open)
# The evaluation report (object: Challenge): the owner's admins; active panel members reach it through
# evaluation.view_scoring on their own Evaluator row.
rules.add_perm("evaluation.view_report", is_owner_admin)
# The panel's side (object: the user's own Evaluator row).
rules.add_perm("evaluation.view_scoring", is_active_evaluator)
rules.add_perm("evaluation.declare_conflicts", is_active_evaluator & is_evaluating)
rules.add_perm("evaluation.score", is_active_evaluator & is_evaluating)
rules.add_perm("evaluation.moderate", is_chair)
rules.add_perm("evaluation.record_consensus", is_chair & is_evaluating)
rules.add_perm("evaluation.reopen_sheet", is_chair & is_evaluating)


# --- Proof-of-value trials and the award (V2) ---------------------------------------------------------


@rules.predicate
def has_outcome(user, challenge) -> bool:
    return challenge is not None and challenge.status in {
        ChallengeStatus.AWARDED,
        ChallengeStatus.NOT_AWARDED,
    }


@rules.predicate
def is_bidder_of(user, proposal) -> bool:
    """A member of the proposal's lead or of an accepted consortium partner (object: Proposal, its
    partners prefetched or loaded by bidder_organisation_ids)."""
    return bool(
        user.is_authenticated
        and proposal is not None
        and proposal.bidder_organisation_ids & user.organisation_ids
    )


# Shortlisting, recording results and go / no-go (object: Challenge): the owner's admins, under
# evaluation (the services also check the panel's proof-of-value stage and that no award is decided).
rules.add_perm("evaluation.manage_trials", is_owner_admin & is_under_evaluation)
# Reading the trials and the award decision with every bid's standing (object: Challenge): the owner's
# admins, during the evaluation and after it.
rules.add_perm("evaluation.view_trials", is_owner_admin & (is_under_evaluation | has_outcome))
rules.add_perm("evaluation.view_award", is_owner_admin & (is_under_evaluation | has_outcome))
rules.add_perm("evaluation.decide_award", is_owner_admin & is_under_evaluation)
# A bidder's own feedback (object: Proposal): its lead's and accepted partners' members only; never the
# buyer, the panel, programme staff or superusers (they read the award page instead).
rules.add_perm("evaluation.view_feedback", is_bidder_of)
