"""{% load ideas %}{% idea_origin challenge %}: on a challenge's page, the citizen idea it started from."""

from django import template

from ..selectors import origin_idea_for

register = template.Library()


@register.inclusion_tag("ideas/_challenge_origin.html")
def idea_origin(challenge) -> dict:
    """The public idea the challenge was drafted from, with its support count (one query; none without a
    saved challenge). Renders nothing when there is none."""
    if challenge is None or getattr(challenge, "pk", None) is None:
        return {"origin_idea": None}
    return {"origin_idea": origin_idea_for(challenge=challenge)}
