"""Template filters of the statement editor and the statement partial."""

import zoneinfo

from django import template

register = template.Library()


@register.filter
def known_timezone(name) -> str:
    """The time zone name if the system knows it, else UTC, so a bad value never breaks a page."""
    try:
        zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return str(name)
