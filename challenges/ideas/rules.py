"""Who may do what with citizen ideas, in one place. Predicates run no queries: a user's memberships are read
once per request (User.organisation_memberships), and everything else is on the idea's own row and its
challenge (views load it with select_related("challenge"))."""

import rules

from portal.accounts.rules import is_programme_staff

from .enums import IdeaStatus


@rules.predicate
def is_author(user, idea) -> bool:
    return bool(user.is_authenticated and idea is not None and idea.author_id == user.pk)


@rules.predicate
def is_city_member(user, idea) -> bool:
    """A member of the buyer organisation (the city) the idea is addressed to."""
    return bool(user.is_authenticated and idea is not None and idea.city_id in user.buyer_organisation_ids)


@rules.predicate
def has_buyer_membership(user) -> bool:
    return bool(user.is_authenticated and user.buyer_organisation_ids)


@rules.predicate
def is_public_idea(user, idea) -> bool:
    return idea is not None and idea.is_public


@rules.predicate
def is_pending(user, idea) -> bool:
    return idea is not None and idea.status == IdeaStatus.PENDING


@rules.predicate
def is_published(user, idea) -> bool:
    return idea is not None and idea.status == IdeaStatus.PUBLISHED


@rules.predicate
def is_converted(user, idea) -> bool:
    """The idea became a challenge; a draft the city cancelled before publishing it does not count."""
    return idea is not None and idea.is_converted


# The city's procurers and programme staff moderate; nobody moderates an idea of their own.
is_moderator = (is_city_member | is_programme_staff) & ~is_author

rules.add_perm("ideas.view_idea", is_public_idea | is_author | is_city_member | is_programme_staff)
rules.add_perm("ideas.submit_idea", rules.is_authenticated)
rules.add_perm("ideas.support_idea", rules.is_authenticated & is_published & ~is_author)
# Authors may take back their own idea while it waits or is published, not once it became a challenge.
rules.add_perm("ideas.withdraw_idea", is_author & (is_pending | is_published) & ~is_converted)
rules.add_perm("ideas.view_moderation_queue", has_buyer_membership | is_programme_staff)
# A pending idea is published, merged or rejected; a published one that has not become a challenge may
# still be merged into a duplicate or taken down (rejected, with a reason for its author).
rules.add_perm("ideas.moderate_idea", is_moderator & (is_pending | (is_published & ~is_converted)))
rules.add_perm("ideas.publish_idea", is_moderator & is_pending)
# Only the city's own members: the challenge draft belongs to the city.
rules.add_perm("ideas.convert_idea", is_city_member & is_published & ~is_converted)
