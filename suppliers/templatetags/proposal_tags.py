"""The proposal editor's template helpers, and the "your proposal" panel of the challenge page."""

from django import template

from ..rules import is_editable, is_open_for_submission
from ..selectors.proposals import proposal_of_organisation

register = template.Library()


@register.filter
def lookup(mapping, key):
    """mapping[key], or "" (for keys a template cannot spell, such as "outcome-12")."""
    try:
        return mapping[key]
    except (KeyError, TypeError, IndexError):
        return ""


@register.simple_tag(takes_context=True)
def proposal_panel(context, challenge) -> dict | None:
    """What the challenge page says to a supplier about its organisation's proposal: None for everyone
    else (no query for anonymous users or people without a supplier membership; one for suppliers).
    Keys: organisation, proposal (or None), can_start, can_edit, acting_for_other (a supplier member
    acting for a non-supplier organisation)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.supplier_organisation_ids:
        return None
    if not challenge.is_public:
        return None
    organisation = request.organisation or None
    if organisation is None or not organisation.is_supplier:
        return {"acting_for_other": True, "organisation": organisation, "proposal": None, "can_start": False}
    proposal = proposal_of_organisation(challenge=challenge, organisation_id=organisation.pk)
    if proposal is not None:
        proposal.challenge = challenge  # the same row: spare the rules a query
    return {
        "acting_for_other": False,
        "organisation": organisation,
        "proposal": proposal,
        "is_lead": proposal is not None and proposal.supplier_id == organisation.pk,
        "can_start": proposal is None and challenge.is_open,
        # The proposal was found through the user's own organisation: they are a bidder.
        "can_edit": proposal is not None
        and is_editable(user, proposal)
        and is_open_for_submission(user, proposal),
    }
