"""The way to the evaluation on the challenge page (templates/evaluation/_challenge_panel.html)."""

import rules
from django import template

from ..selectors.award import panel_has_trial_stage
from ..selectors.challenge_page import panel_role_on

register = template.Library()


@register.simple_tag
def owner_evaluation_links(challenge, user) -> dict[str, bool]:
    """Which of the owner's evaluation pages would open for this user, asked as their views ask
    (rules.has_perm, and the trials page's proof-of-value stage). The panel reads the stage (one query) only
    when the trials' permission holds; the template calls this for the owner's admins only."""
    can_view_trials = rules.has_perm("evaluation.view_trials", user, challenge)
    return {
        "award": rules.has_perm("evaluation.view_award", user, challenge),
        "trials": can_view_trials and panel_has_trial_stage(challenge=challenge),
        "report": rules.has_perm("evaluation.view_report", user, challenge),
    }


@register.simple_tag
def panel_role(challenge, user) -> dict | None:
    """The user's place on the challenge's panel ({"is_chair": bool}), or None when they are not an active
    member: no query when the page read the challenge with it (panel_role_on)."""
    return panel_role_on(challenge=challenge, user=user)
