"""Template filters of discovery."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def saved_search_url(saved_search) -> str:
    """The list page showing a saved search's results."""
    filters = saved_search.filters if isinstance(saved_search.filters, dict) else {}
    params = {"q": saved_search.query, **filters}
    query = urlencode({key: value for key, value in params.items() if value not in ("", None)})
    return (
        f"{reverse('challenges:challenge-list')}?{query}" if query else reverse("challenges:challenge-list")
    )
