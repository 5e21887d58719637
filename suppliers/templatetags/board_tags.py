from django import template

from ..selectors.board import board_summary

register = template.Library()


@register.simple_tag(takes_context=True)
def partner_board_summary(context, challenge) -> dict | None:
    """{open_count, own_count} for the challenge page's board panel; None, without a query, for anyone
    who is not a supplier organisation's member."""
    request = context.get("request")
    if request is None:
        return None
    return board_summary(challenge=challenge, user=request.user)
