"""What every exchange page does first: find the event among those the person may see (any other is a
404) with their live registration attached, and check the named permission (refused: a 404 too)."""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from ..models import ExchangeEvent
from ..selectors import attach_viewer_registration, event_queryset


def event_for(request: HttpRequest, pk: int, permission: str | None = None) -> ExchangeEvent:
    event = attach_viewer_registration(get_object_or_404(event_queryset(request.user), pk=pk), request.user)
    if permission and not request.user.has_perm(permission, event):
        raise Http404
    return event


def require_staff(request: HttpRequest) -> None:
    if not request.user.has_perm("exchanges.manage_exchanges"):
        raise Http404
