from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from portal.accounts.models import Organisation

from .selectors import audit_events_for


def _action_filter(request: HttpRequest) -> str:
    # Free text, used only as a prefix filter; capped so a hostile query string costs nothing, and without
    # control characters (PostgreSQL refuses a NUL in a query parameter).
    action = "".join(character for character in request.GET.get("action", "") if character.isprintable())
    return action.strip()[:80]


@login_required
@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("audit.view_all_events"):
        raise Http404
    action = _action_filter(request)
    page = Paginator(audit_events_for(user=request.user, action=action), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/auditevent_list.html",
        {"page_obj": page, "action": action, "query_string": f"action={action}" if action else ""},
    )


@login_required
@require_safe
def organisation_event_list(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), slug=slug)
    if not request.user.has_perm("audit.view_organisation_events", organisation):
        raise Http404
    action = _action_filter(request)
    events = audit_events_for(user=request.user, organisation=organisation, action=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/auditevent_list.html",
        {
            "page_obj": page,
            "organisation": organisation,
            "action": action,
            "query_string": f"action={action}" if action else "",
        },
    )
