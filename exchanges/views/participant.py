"""A participant's pages: register, change or cancel a registration, my registrations with the personal
calendar feed, the participant list, and the event's surveys."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..calendar import build_calendar
from ..enums import RegistrationStatus
from ..forms import RegistrationDetailsForm, RegistrationForm
from ..models import CalendarFeed, Registration
from ..selectors import events_for_feed, participant_list_for_participants, registrations_of_user
from ..services.events import ExchangeStateError
from ..services.feeds import feed_for, regenerate_feed
from ..services.registration import cancel_registration, register_for_event, update_registration
from .common import event_for

PAGE_SIZE = 20
PARTICIPANTS_PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk)
    if event.viewer_registration is not None:
        return redirect("exchanges:my-registrations")
    if not request.user.has_perm("exchanges.view_event", event):
        raise Http404
    can_register = request.user.has_perm("exchanges.register_for_event", event)
    form = RegistrationForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and can_register and form.is_valid():
        try:
            registration = register_for_event(
                event=event,
                user=request.user,
                organisation=form.cleaned_data["organisation"],
                **form.values(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except ExchangeStateError as error:
            form.add_error(None, str(error))
        else:
            if registration.status == RegistrationStatus.WAITLISTED:
                messages.warning(
                    request,
                    _(
                        "The exchange is full, so you are on the waiting list. "
                        "You get a place automatically if one frees up."
                    ),
                )
            else:
                messages.success(request, _("You are registered. See you there!"))
            return redirect(event)
    with timezone.override(event.zone):
        return render(
            request,
            "exchanges/registration_form.html",
            {"event": event, "form": form, "can_register": can_register},
        )


def _own_registration(request: HttpRequest, pk: int) -> Registration:
    return get_object_or_404(
        Registration.objects.visible_to(request.user).filter(user=request.user).select_related("event"), pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _own_registration(request, pk)
    if not registration.is_live:
        raise Http404
    form = RegistrationDetailsForm(
        request.POST if request.method == "POST" else None, instance=registration, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_registration(registration=registration, by=request.user, **form.values())
        except ValidationError as error:
            form.add_error(None, error)
        except ExchangeStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your registration is updated."))
            return redirect("exchanges:my-registrations")
    return render(request, "exchanges/registration_edit.html", {"registration": registration, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(
        Registration.objects.visible_to(request.user).select_related("event", "user"), pk=pk
    )
    if not request.user.has_perm("exchanges.cancel_registration", registration):
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            cancel_registration(registration=registration, by=request.user)
        except ExchangeStateError as refusal:
            error = str(refusal)
        else:
            messages.success(request, _("The registration is cancelled."))
            if registration.user_id != request.user.pk:
                return redirect("exchanges:event-planning", pk=registration.event_id)
            return redirect("exchanges:my-registrations")
    with timezone.override(registration.event.zone):
        return render(
            request, "exchanges/registration_cancel.html", {"registration": registration, "error": error}
        )


@login_required
def my_registrations(request: HttpRequest) -> HttpResponse:
    feed = CalendarFeed.objects.filter(user=request.user).first()
    page = Paginator(registrations_of_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "exchanges/my_registrations.html",
        {
            "page_obj": page,
            "registrations": page.object_list,
            "feed_url": request.build_absolute_uri(feed.get_absolute_url()) if feed else "",
        },
    )


@login_required
@require_POST
def feed_regenerate(request: HttpRequest) -> HttpResponse:
    """Create the personal feed, or replace its address (the old one stops working)."""
    if CalendarFeed.objects.filter(user=request.user).exists():
        regenerate_feed(user=request.user)
        messages.success(request, _("Your calendar feed has a new address; the old one no longer works."))
    else:
        feed_for(user=request.user)
        messages.success(request, _("Your calendar feed is ready: add its address to your calendar app."))
    return redirect(reverse("exchanges:my-registrations") + "#calendar-feed")


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal feed. Calendar apps cannot sign in: the random token in the address is the key."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    if not feed.user.is_active:
        raise Http404
    body = build_calendar(events=events_for_feed(user=feed.user), name=_("My staff exchanges"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
def participant_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "exchanges.view_participant_list")
    page = Paginator(participant_list_for_participants(event=event), PARTICIPANTS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "exchanges/participant_list.html",
        {"event": event, "participants": page.object_list, "page_obj": page},
    )
