"""The public award notice on the challenge page (templates/evaluation/_award_notice.html)."""

from django import template

from ..selectors.award import award_notice_for, feedback_proposals_for

register = template.Library()


@register.simple_tag
def award_notice(challenge):
    """The notice's data, or None (and no query) for a challenge without an outcome."""
    return award_notice_for(challenge=challenge)


@register.simple_tag
def own_feedback(challenge, user):
    """The bids of the user's organisations whose award feedback they read, shown beside the notice (no
    query for a visitor without an organisation)."""
    return feedback_proposals_for(challenge=challenge, user=user)
