"""Who may do what with challenges. Predicates run no queries (see User.organisation_roles)."""

import rules

from portal.accounts.rules import is_programme_staff

from .enums import ChallengeStatus


@rules.predicate
def is_owner_member(user, challenge) -> bool:
    return bool(
        user.is_authenticated and challenge is not None and challenge.owner_id in user.organisation_roles
    )


@rules.predicate
def is_owner_admin(user, challenge) -> bool:
    return bool(
        user.is_authenticated
        and challenge is not None
        and user.organisation_roles.get(challenge.owner_id) == "admin"
    )


@rules.predicate
def is_public(user, challenge) -> bool:
    return challenge is not None and challenge.is_public


@rules.predicate
def is_draft(user, challenge) -> bool:
    return challenge is not None and challenge.status == ChallengeStatus.DRAFT


@rules.predicate
def is_in_review(user, challenge) -> bool:
    return challenge is not None and challenge.status == ChallengeStatus.IN_REVIEW


@rules.predicate
def is_published(user, challenge) -> bool:
    return challenge is not None and challenge.status == ChallengeStatus.PUBLISHED


@rules.predicate
def is_open(user, challenge) -> bool:
    return challenge is not None and challenge.is_open


@rules.predicate
def accepts_questions(user, challenge) -> bool:
    return challenge is not None and challenge.accepts_questions


@rules.predicate
def submitted_it_for_review(user, challenge) -> bool:
    """The person who wrote the challenge or sent it to review: neither may approve it."""
    return bool(
        user.is_authenticated
        and challenge is not None
        and user.pk in {challenge.submitted_for_review_by_id, challenge.created_by_id}
    )


@rules.predicate
def is_supplier_member(user) -> bool:
    # Suppliers ask questions; a user who belongs to a supplier organisation may ask for it.
    return bool(user.is_authenticated and user.supplier_organisation_ids)


@rules.predicate
def is_cancellable(user, challenge) -> bool:
    return challenge is not None and challenge.status in {
        ChallengeStatus.DRAFT,
        ChallengeStatus.IN_REVIEW,
        ChallengeStatus.PUBLISHED,
        ChallengeStatus.CLOSED,
        ChallengeStatus.UNDER_EVALUATION,
    }


rules.add_perm("challenges.view_challenge", is_public | is_owner_member | (is_programme_staff & is_in_review))
rules.add_perm("challenges.create_challenge", rules.is_authenticated)
rules.add_perm("challenges.change_challenge", is_owner_member & is_draft)
rules.add_perm("challenges.submit_challenge_for_review", is_owner_member & is_draft)
rules.add_perm(
    "challenges.review_challenge",
    (is_owner_member | is_programme_staff) & is_in_review & ~submitted_it_for_review,
)
rules.add_perm("challenges.amend_challenge", is_owner_member & is_open)
rules.add_perm("challenges.extend_deadline", is_owner_member & is_open)
rules.add_perm("challenges.cancel_challenge", is_owner_admin & is_cancellable)
rules.add_perm("challenges.ask_question", is_supplier_member & accepts_questions & ~is_owner_member)
rules.add_perm("challenges.answer_question", is_owner_member & is_public)
rules.add_perm("challenges.view_questions", is_owner_member)
# A supplier's own questions and answers on a challenge.
rules.add_perm("challenges.use_supplier_questions", is_supplier_member & is_public & ~is_owner_member)
rules.add_perm("challenges.follow", rules.is_authenticated)
rules.add_perm("challenges.manage_coach_rules", is_programme_staff)
