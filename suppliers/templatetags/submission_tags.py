"""The submission panel's state, for templates/suppliers/submission/_submission_panel.html (which the
proposal editor and the proposal's read page include)."""

import rules
from django import template

from ..rules import is_lead_member
from ..selectors.submission import current_receipt

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_state(context, proposal) -> dict:
    """What the person may do with the proposal's submission, and its standing receipt. No query when the
    receipts are prefetched, one otherwise."""
    user = context["request"].user
    return {
        "is_lead": is_lead_member(user, proposal),
        "can_submit": rules.has_perm("suppliers.submit_proposal", user, proposal),
        "can_withdraw": rules.has_perm("suppliers.withdraw_proposal", user, proposal),
        "receipt": current_receipt(proposal),
        "is_open": proposal.challenge.is_open,
    }
