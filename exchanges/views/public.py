"""Public pages: programmes, events, the published agenda and its calendar file, reflection reports, and
the old address of the case studies from exchanges (now in the case-study library). The agenda they show
is the published one (selectors.published_agenda): never a proposal or a change staff have not published."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from challenges.casestudies.enums import CaseSource
from portal.web.pagecache import public_page

from ..calendar import build_calendar
from ..models import AgendaSession, ExchangeEvent, ExchangeProgramme, ReflectionReport
from ..selectors import (
    agenda_days,
    counts_for_event,
    events_of_programme,
    programmes_for_list,
    published_agenda,
    published_reports,
)
from .common import event_for

PAGE_SIZE = 20


@public_page
def programme_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(programmes_for_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "exchanges/programme_list.html", {"page_obj": page, "programmes": page.object_list}
    )


@public_page
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(ExchangeProgramme.objects.select_related("organiser"), slug=slug)
    return render(
        request,
        "exchanges/programme_detail.html",
        {
            "programme": programme,
            "events": events_of_programme(programme=programme, user=request.user),
            "reports": published_reports(programme=programme),
        },
    )


def programme_reports(request: HttpRequest, slug: str) -> HttpResponse:
    """Every published reflection report of a programme on one page."""
    programme = get_object_or_404(ExchangeProgramme, slug=slug)
    return render(
        request,
        "exchanges/programme_reports.html",
        {"programme": programme, "reports": published_reports(programme=programme)},
    )


@public_page
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk)
    sessions = list(published_agenda(event=event)) if event.agenda_is_published else []
    report = ReflectionReport.objects.select_related("case_study").filter(event=event).first()
    with timezone.override(event.zone):
        return render(
            request,
            "exchanges/event_detail.html",
            {
                "event": event,
                "registration": event.viewer_registration,
                "days": agenda_days(sessions, zone=event.zone),
                "counts": counts_for_event(event=event),
                "report": report if report and report.is_published else None,
            },
        )


@public_page
def event_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk)
    if not event.agenda_is_published:
        raise Http404
    with timezone.override(event.zone):
        return render(
            request,
            "exchanges/event_agenda.html",
            {
                "event": event,
                "days": agenda_days(published_agenda(event=event), zone=event.zone),
                "registration": event.viewer_registration,
            },
        )


def event_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(
        ExchangeEvent.objects.visible_to(request.user).prefetch_related(
            Prefetch("sessions", queryset=AgendaSession.objects.published().order_by("starts_at", "pk"))
        ),
        pk=pk,
    )
    response = HttpResponse(
        build_calendar(events=[event], name=event.title), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="exchange-{event.pk}.ics"'
    return response


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        ReflectionReport.objects.visible_to(request.user).select_related(
            "event", "event__programme", "event__host", "case_study"
        ),
        event__pk=pk,
    )
    return render(request, "exchanges/report_detail.html", {"report": report, "event": report.event})


def case_study_list(request: HttpRequest) -> HttpResponse:
    """Case studies from exchanges now live in the case-study library, filtered to those from exchanges."""
    query = urlencode({"source": CaseSource.EXCHANGE})
    return HttpResponsePermanentRedirect(f"{reverse('casestudies:case-study-list')}?{query}")
