"""Programme staff's pages: programmes and events, the planning view with the CSV of participants, the
agenda editor, and the reflection report editor. Everyone else gets a 404 (anonymous: the sign-in page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from portal.downloads import csv_cell, csv_response

from ..enums import NEXT_STATUSES, EventStatus
from ..forms import (
    EventCreateForm,
    EventForm,
    ProgrammeForm,
    ReportForm,
    SessionForm,
    SurveyCreateForm,
)
from ..models import AgendaSession, ExchangeProgramme, ReflectionReport
from ..selectors import (
    PRE,
    REFLECTION,
    agenda_days,
    agenda_for_editor,
    attachable_surveys,
    counts_for_event,
    proposal_initial,
    registrations_for_planning,
    survey_of,
    unplaced_proposals,
)
from ..services.agenda import (
    add_session,
    delete_session,
    dismiss_unplaced_proposal,
    generate_draft_agenda,
    publish_agenda,
    update_session,
)
from ..services.events import (
    ExchangeStateError,
    change_event_status,
    create_event,
    create_programme,
    update_event,
)
from ..services.reports import (
    publish_case_study,
    publish_report,
    refresh_report_ratings,
    start_report,
    unpublish_report,
    update_report,
    withdraw_case_study,
)
from .common import event_for, require_staff


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    form = ProgrammeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = create_programme(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The programme is created."))
            return redirect(programme)
    return render(request, "exchanges/programme_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest, slug: str) -> HttpResponse:
    require_staff(request)
    programme = get_object_or_404(ExchangeProgramme, slug=slug)
    form = EventCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            event = create_event(
                programme=programme,
                by=request.user,
                from_template=form.cleaned_data["from_template"],
                **form.values(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The exchange is created, in planning. Nobody but staff sees it yet.")
            )
            return redirect("exchanges:event-planning", pk=event.pk)
    return render(request, "exchanges/event_form.html", {"form": form, "programme": programme})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "exchanges.manage_exchanges")
    form = EventForm(request.POST if request.method == "POST" else None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            update_event(event=event, by=request.user, **form.values())
        except ValidationError as error:
            form.add_error(None, error)
        except ExchangeStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The exchange is saved."))
            return redirect("exchanges:event-planning", pk=event.pk)
    return render(
        request, "exchanges/event_form.html", {"form": form, "programme": event.programme, "event": event}
    )


@login_required
@require_POST
def event_status(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "exchanges.manage_exchanges")
    status = request.POST.get("status", "")
    if status not in EventStatus.values:
        messages.error(request, _("Choose a status."))
    else:
        try:
            change_event_status(event=event, status=status, by=request.user)
        except ExchangeStateError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("The exchange is now “%(status)s”.") % {"status": EventStatus(status).label}
            )
    return redirect("exchanges:event-planning", pk=event.pk)


def _survey_summary(event, which: str) -> dict:
    from ..services.surveys import pending_participants

    survey = survey_of(event, which)
    return {
        "which": which,
        "survey": survey,
        "pending": pending_participants(event=event, which=which) if survey else [],
    }


@login_required
def event_planning(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "exchanges.manage_exchanges")
    registrations = list(registrations_for_planning(event=event))
    # One read for both empty slots; each slot offers the surveys of its kind and the custom ones.
    candidates = (
        list(attachable_surveys())
        if event.pre_survey_id is None or event.reflection_survey_id is None
        else []
    )
    slot_kinds = {PRE: {"pre_exchange", "custom"}, REFLECTION: {"reflection", "custom"}}
    surveys = [_survey_summary(event, PRE), _survey_summary(event, REFLECTION)]
    for item in surveys:
        item["attachable"] = [survey for survey in candidates if survey.kind in slot_kinds[item["which"]]]
    with timezone.override(event.zone):
        return render(
            request,
            "exchanges/event_planning.html",
            {
                "event": event,
                "confirmed": [r for r in registrations if r.status == "confirmed"],
                "waitlisted": sorted(
                    (r for r in registrations if r.status == "waitlisted"),
                    key=lambda r: (r.waitlisted_at, r.pk),
                ),
                "cancelled": [r for r in registrations if r.status == "cancelled"],
                "counts": counts_for_event(event=event),
                "next_statuses": [
                    EventStatus(s) for s in EventStatus.values if s in NEXT_STATUSES[event.status]
                ],
                "surveys": surveys,
                "survey_form": SurveyCreateForm(),
                "session_count": AgendaSession.objects.filter(event=event).count(),
                "report": ReflectionReport.objects.filter(event=event).first(),
            },
        )


@login_required
def participants_csv(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "exchanges.manage_exchanges")
    response, writer = csv_response(filename=f"exchange-{event.pk}-participants.csv")
    writer.writerow(
        [
            _("Name"),
            _("Email"),
            _("Organisation"),
            _("Role"),
            _("Status"),
            _("Dietary needs"),
            _("Accessibility needs"),
            _("Arrival"),
            _("Departure"),
            _("On the participant list"),
            _("Registered"),
        ]
    )
    for registration in registrations_for_planning(event=event):
        writer.writerow(
            [
                csv_cell(registration.user.full_name),
                registration.user.email,
                csv_cell(registration.organisation.name),
                registration.get_role_display(),
                registration.get_status_display(),
                csv_cell(registration.dietary),
                csv_cell(registration.accessibility),
                registration.arrival.isoformat() if registration.arrival else "",
                registration.departure.isoformat() if registration.departure else "",
                _("yes") if registration.consent_to_list else _("no"),
                registration.created_at.astimezone(event.zone).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return response


# Agenda


@login_required
@require_http_methods(["GET", "POST"])
def agenda_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda editor: the sessions (what is not published yet, and what falls outside the event's
    dates, flagged), the draft agenda's proposals that did not fit, and a form to add a session, prefilled
    from such a proposal with ?proposal=<key>."""
    event = event_for(request, pk, "exchanges.manage_exchanges")
    initial = (
        proposal_initial(event=event, key=request.GET.get("proposal", ""))
        if request.method == "GET"
        else None
    )
    form = SessionForm(request.POST if request.method == "POST" else None, event=event, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            add_session(
                event=event,
                by=request.user,
                speakers=form.cleaned_data["speakers"],
                challenges=form.cleaned_data["challenges"],
                case_studies=form.cleaned_data["case_studies"],
                from_proposal=form.cleaned_data["from_proposal"],
                **form.values(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except ExchangeStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The session is added. Publish the agenda to show it to the participants.")
            )
            return redirect("exchanges:agenda-edit", pk=event.pk)
    sessions = list(agenda_for_editor(event=event))
    with timezone.override(event.zone):
        return render(
            request,
            "exchanges/agenda_edit.html",
            {
                "event": event,
                "days": agenda_days(sessions, zone=event.zone),
                "unpublished_count": sum(1 for session in sessions if not session.published),
                "outside": [session for session in sessions if session.outside_event],
                "unplaced": unplaced_proposals(event=event),
                "placing": bool(form["from_proposal"].value()),
                "form": form,
            },
        )


def _session_for(request: HttpRequest, pk: int) -> AgendaSession:
    require_staff(request)
    session = get_object_or_404(AgendaSession.objects.select_related("event"), pk=pk)
    return session


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk)
    event = session.event
    form = SessionForm(request.POST if request.method == "POST" else None, instance=session, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            update_session(
                session=session,
                by=request.user,
                speakers=form.cleaned_data["speakers"],
                challenges=form.cleaned_data["challenges"],
                case_studies=form.cleaned_data["case_studies"],
                **form.values(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except ExchangeStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The session is saved."))
            return redirect("exchanges:agenda-edit", pk=event.pk)
    return render(request, "exchanges/session_form.html", {"event": event, "session": session, "form": form})


@login_required
@require_POST
def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk)
    try:
        delete_session(session=session, by=request.user)
    except ExchangeStateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The session “%(title)s” is deleted.") % {"title": session.title})
    return redirect("exchanges:agenda-edit", pk=session.event_id)


@login_required
@require_POST
def agenda_generate(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "exchanges.manage_exchanges")
    try:
        draft = generate_draft_agenda(event=event, by=request.user)
    except ExchangeStateError as error:
        messages.error(request, str(error))
        return redirect("exchanges:event-planning", pk=event.pk)
    counts = {"placed": len(draft.created), "unplaced": len(draft.unplaced)}
    summary = ngettext(
        "%(placed)s session proposed, %(unplaced)s did not fit.",
        "%(placed)s sessions proposed, %(unplaced)s did not fit.",
        counts["placed"],
    )
    advice = (
        _("Those that did not fit are listed under the agenda: place them by hand, then publish the agenda.")
        if draft.unplaced
        else _("The proposed sessions are marked “proposed”: edit them, then publish the agenda.")
    )
    message = f"{summary % counts} {advice}"
    if draft.unplaced:
        messages.warning(request, message)
    else:
        messages.success(request, message)
    return redirect("exchanges:agenda-edit", pk=event.pk)


@login_required
@require_POST
def proposal_dismiss(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    event = event_for(request, pk, "exchanges.manage_exchanges")
    try:
        dismiss_unplaced_proposal(event=event, key=key, by=request.user)
    except ExchangeStateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The proposal is taken off the list."))
    return redirect("exchanges:agenda-edit", pk=event.pk)


@login_required
@require_POST
def agenda_publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "exchanges.manage_exchanges")
    first_time = not event.agenda_is_published
    try:
        publish_agenda(event=event, by=request.user)
    except ExchangeStateError as error:
        messages.error(request, str(error))
        return redirect("exchanges:agenda-edit", pk=event.pk)
    if first_time:
        messages.success(request, _("The agenda is published and the participants are told."))
    else:
        messages.success(
            request, _("The changes are published: the participants see the agenda as it is now.")
        )
    return redirect("exchanges:event-agenda", pk=event.pk)


# Reflection report


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "exchanges.manage_exchanges")
    report = ReflectionReport.objects.select_related("case_study").filter(event=event).first()
    if report is None:
        if request.method != "POST":
            return render(request, "exchanges/report_start.html", {"event": event})
        try:
            start_report(event=event, by=request.user)
        except ExchangeStateError as error:
            messages.error(request, str(error))
            return redirect("exchanges:event-planning", pk=event.pk)
        messages.success(
            request, _("The report is prefilled from the reflection survey. Edit it, then publish it.")
        )
        return redirect("exchanges:report-edit", pk=event.pk)
    form = ReportForm(request.POST if request.method == "POST" else None, instance=report)
    if request.method == "POST" and form.is_valid():
        update_report(report=report, by=request.user, **form.cleaned_data)
        messages.success(request, _("The report is saved."))
        return redirect("exchanges:report-edit", pk=event.pk)
    return render(request, "exchanges/report_edit.html", {"event": event, "report": report, "form": form})


@login_required
@require_POST
def report_action(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "exchanges.manage_exchanges")
    report = ReflectionReport.objects.filter(event=event).first()
    if report is None:
        raise Http404
    action = request.POST.get("action")
    try:
        if action == "publish":
            publish_report(report=report, by=request.user)
            messages.success(request, _("The report is published."))
            return redirect(report)
        if action == "unpublish":
            unpublish_report(report=report, by=request.user)
            messages.success(request, _("The report is back to draft; the public no longer sees it."))
        elif action == "refresh":
            refresh_report_ratings(report=report, by=request.user)
            messages.success(request, _("The session ratings are read again from the survey."))
        elif action == "case_study":
            publish_case_study(report=report, by=request.user)
            messages.success(
                request,
                _("The report is published as a case study: other cities find it in the case-study library."),
            )
        elif action == "withdraw_case_study":
            withdraw_case_study(report=report, by=request.user)
            messages.success(
                request, _("The report is no longer a case study; the report itself stays published.")
            )
    except ExchangeStateError as error:
        messages.error(request, str(error))
    return redirect("exchanges:report-edit", pk=event.pk)
