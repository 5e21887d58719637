"""Template filters of discovery."""

import zoneinfo
from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def safe_timezone(name: str) -> str:
    """The time zone name if the system knows it, otherwise UTC, so a bad value never breaks a page."""
    try:
        zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return str(name)


@register.filter
def saved_search_url(saved_search) -> str:
    """The list page showing a saved search's results."""
    filters = saved_search.filters if isinstance(saved_search.filters, dict) else {}
    params = {"q": saved_search.query, **filters}
    query = urlencode({key: value for key, value in params.items() if value not in ("", None)})
    return (
        f"{reverse('challenges:challenge-list')}?{query}" if query else reverse("challenges:challenge-list")
    )
