"""A buying organisation's procurement volumes (the denominator of the innovative share) and its yearly
capability self-assessment. Members and programme staff read; the organisation's admins record and
answer; anyone else gets a 404, as if the organisation were not there."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from challenges.casestudies.enums import Capability
from portal.accounts.models import Organisation

from ..forms import CapabilityAssessmentForm, ProcurementVolumeForm, assessment_year_is_open, default_currency
from ..models import CapabilityAssessment
from ..selectors_assessment import (
    MIN_OTHERS_FOR_AVERAGE,
    assessments_of,
    capability_chart,
    programme_averages,
    programmes_of,
    results_table,
    suggestions_for,
    upcoming_exchanges,
    volumes_of,
)
from ..services import InsightError, assessment_years, record_procurement_volume, submit_capability_assessment


def _organisation(request: HttpRequest, slug: str, permission: str) -> Organisation:
    # Only organisations the person may see, and only if the permission holds: otherwise a 404.
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), slug=slug)
    if not rules.has_perm(permission, request.user, organisation):
        raise Http404
    return organisation


def _volume_initial(request: HttpRequest, organisation: Organisation, volumes: list) -> dict:
    """Last year's figures to fill in, or those of the year asked for (?year=…) to revise."""
    by_year = {volume.year: volume for volume in volumes}
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year - 1
    if volume := by_year.get(year):
        return {
            "year": year,
            "procurement_count": volume.procurement_count,
            "procurement_value": volume.procurement_value,
            "currency": volume.currency,
        }
    return {"year": year, "currency": default_currency(organisation, volumes[0] if volumes else None)}


@login_required
@require_http_methods(["GET", "POST"])
def volume_list(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug, "insight.view_procurement_volumes")
    can_record = rules.has_perm("insight.record_procurement_volume", request.user, organisation)
    if request.method == "POST" and not can_record:
        raise Http404
    volumes = list(volumes_of(organisation=organisation))
    form = None
    if can_record and request.method == "POST":
        form = ProcurementVolumeForm(request.POST)
        if form.is_valid():
            try:
                volume = record_procurement_volume(
                    organisation=organisation, by=request.user, **form.cleaned_data
                )
            except InsightError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("The figures for %(year)s have been saved.") % {"year": volume.year}
                )
                return redirect("insight:volumes", slug=organisation.slug)
    elif can_record:
        form = ProcurementVolumeForm(initial=_volume_initial(request, organisation, volumes))
    return render(
        request,
        "insight/volume_list.html",
        {"organisation": organisation, "volumes": volumes, "form": form, "can_record": can_record},
    )


@login_required
@require_safe
def capability_results(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug, "insight.view_capability_assessments")
    assessments = list(assessments_of(organisation=organisation))
    years = [assessment.year for assessment in assessments]
    averages = programme_averages(organisation=organisation, years=years) if assessments else {}
    latest = assessments[0] if assessments else None
    suggestions = suggestions_for(assessment=latest) if latest else []
    can_submit = rules.has_perm("insight.submit_capability_assessment", request.user, organisation)
    first, last = assessment_years()
    return render(
        request,
        "insight/capability_results.html",
        {
            "organisation": organisation,
            "assessments": assessments,
            "latest": latest,
            "averages": [averages[year] for year in sorted(averages, reverse=True)],
            "programmes": list(programmes_of(organisation=organisation)),
            "min_others": MIN_OTHERS_FOR_AVERAGE,
            "table": results_table(assessments, averages),
            "chart": capability_chart(assessments, averages) if assessments else None,
            "suggestions": suggestions,
            "events": upcoming_exchanges(capabilities=[s.capability for s in suggestions])
            if suggestions
            else [],
            "can_submit": can_submit,
            "answer_years": [{"year": year, "answered": year in years} for year in (last, first)],
        },
    )


def _assessment_initial(assessment: CapabilityAssessment | None, *, notes: bool) -> dict:
    if assessment is None:
        return {}
    initial = {key: getattr(assessment, key) for key in Capability.values}
    if notes:
        initial["notes"] = assessment.notes
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def capability_form(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    organisation = _organisation(request, slug, "insight.submit_capability_assessment")
    if not assessment_year_is_open(year):
        first, last = assessment_years()
        messages.error(
            request, _("You can answer for %(first)s or %(last)s only.") % {"first": first, "last": last}
        )
        return redirect("insight:capabilities", slug=organisation.slug)
    existing = CapabilityAssessment.objects.filter(organisation=organisation, year=year).first()
    # A first answer for the year starts from the one before, so only what has moved needs changing.
    earlier = (
        None
        if existing
        else CapabilityAssessment.objects.filter(organisation=organisation, year__lt=year)
        .order_by("-year")
        .first()
    )
    form = CapabilityAssessmentForm(
        request.POST or None,
        initial=_assessment_initial(existing, notes=True) or _assessment_initial(earlier, notes=False),
    )
    if request.method == "POST" and form.is_valid():
        try:
            submit_capability_assessment(
                organisation=organisation,
                year=year,
                levels=form.levels(),
                notes=form.cleaned_data["notes"],
                by=request.user,
            )
        except InsightError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your self-assessment for %(year)s has been saved.") % {"year": year})
            return redirect("insight:capabilities", slug=organisation.slug)
    return render(
        request,
        "insight/capability_form.html",
        {"organisation": organisation, "year": year, "form": form, "existing": existing, "earlier": earlier},
    )


urlpatterns = [
    path("organisations/<slug:slug>/volumes/", volume_list, name="volumes"),
    path("organisations/<slug:slug>/capabilities/", capability_results, name="capabilities"),
    path("organisations/<slug:slug>/capabilities/<int:year>/", capability_form, name="capability-form"),
]
