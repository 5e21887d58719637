"""The dashboards: the insight index, the programme dashboard (programme staff), an organisation's dashboard
(its admins and programme staff), the programme settings, and a CSV file of each section's table.

A page the person may not see is a 404 (anonymous: the sign-in page), never a 403. The figures come from
portal.insight.selectors; this module only turns their rows into tables and charts."""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation
from portal.downloads import csv_cell, csv_response

from .. import selectors
from ..charts import Chart, Series, bar_chart
from ..forms_dashboard import PeriodForm, ProgrammeCreateForm, ProgrammeSettingsForm
from ..models import Programme
from ..services_programmes import create_programme, update_programme

logger = logging.getLogger(__name__)

NOT_RECORDED = gettext_lazy("not recorded")
TOO_FEW = gettext_lazy("too few organisations to compare")


# --- Tables ---------------------------------------------------------------------------------------------


@dataclass
class Table:
    """A section's data: column headings and rows of plain values (numbers, text or None), the same for
    the page and the CSV file. The first cell of a row heads it."""

    headers: list[str]
    rows: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Section:
    slug: str
    title: str
    intro: str
    table: Table
    charts: list[Chart]

    @property
    def heading_id(self) -> str:
        return f"section-{self.slug}"


def _who(row, scope: selectors.Scope) -> str:
    if row.organisation is not None:
        return row.organisation.name
    return _("Programme: %(name)s") % {"name": scope.programme.organisation.name}


def _who_counts(row, scope: selectors.Scope) -> str:
    """The heading of a count section's row: on an organisation's dashboard the programme's row is an
    average per organisation, and says so."""
    if row.organisation is None and row.average_over:
        return ngettext(
            "Programme: %(name)s, average per organisation (%(count)s organisation)",
            "Programme: %(name)s, average per organisation (%(count)s organisations)",
            row.average_over,
        ) % {"name": scope.programme.organisation.name, "count": row.average_over}
    return _who(row, scope)


def _main_and_programme(rows, scope: selectors.Scope):
    """The rows a chart compares: the organisation's own (on its dashboard) and the programme's."""
    own = [row for row in rows if scope.organisation and row.organisation == scope.organisation]
    programme = [row for row in rows if row.organisation is None]
    return own, programme


def _series(scope, rows, name: str, value) -> list[Series]:
    """A chart's series: the organisation's own and the programme's (None for a year with too few other
    organisations to compare)."""
    own, programme = _main_and_programme(rows, scope)
    series = []
    if own:
        series.append(Series(f"{scope.organisation.name}, {name}", [value(row) for row in own]))
    if programme:
        series.append(
            Series(
                _("Programme, %(what)s") % {"what": name},
                [None if row.too_few else value(row) for row in programme],
            )
        )
    return series


def _comparison_notes(scope: selectors.Scope, *, counts: bool) -> list[str]:
    """Why some programme figures are missing or averaged on an organisation's dashboard."""
    if scope.organisation is None or scope.programme is None:
        return []
    notes = [
        _(
            "A programme figure is shown only for a year in which at least %(count)s other organisations "
            "contribute to it (for the innovative share: other organisations that recorded a volume; "
            "otherwise: other organisations the programme follows), so that no single organisation's "
            "figures can be worked out from it and your own. Otherwise the table says “too few "
            "organisations to compare”."
        )
        % {"count": selectors.MIN_OTHERS_FOR_AVERAGE}
    ]
    if counts:
        notes.append(
            _(
                "The programme's counts are averages per organisation: its total divided by the "
                "%(count)s organisations it follows (yours included)."
            )
            % {"count": len(scope.buyers)}
        )
    return notes


def _years(period) -> list[str]:
    return [str(year) for year in period.years]


def share_section(scope, period) -> Section:
    rows = selectors.innovative_share(scope=scope, period=period)
    table = Table(
        headers=[
            _("Year"),
            _("Organisation"),
            _("Innovative awards"),
            _("Procurements"),
            _("Share by count (%)"),
            _("Innovative value"),
            _("Total value"),
            _("Currency"),
            _("Share by value (%)"),
            _("Target (%)"),
            _("Innovative awards in other currencies"),
        ]
    )
    for row in rows:
        who = _who(row, scope)
        if row.is_programme and row.too_few:
            table.rows.append([row.year, who, *[TOO_FEW] * 7, scope.target, TOO_FEW])
            continue
        if row.is_programme:
            who = ngettext(
                "%(who)s (%(count)s organisation with a volume)",
                "%(who)s (%(count)s organisations with a volume)",
                row.organisations_recorded,
            ) % {"who": who, "count": row.organisations_recorded}
        table.rows.append(
            [
                row.year,
                who,
                row.innovative_count,
                row.procurement_count if row.recorded else NOT_RECORDED,
                row.count_share if row.recorded else NOT_RECORDED,
                row.innovative_value if row.recorded else None,
                row.procurement_value if row.recorded else None,
                row.currency or None,
                row.value_share if row.recorded else NOT_RECORDED,
                scope.target,
                row.other_currency_awards,
            ]
        )
    table.notes = [
        _(
            "Innovative awards: challenges flagged as innovative procurement (eForms BT-776) whose award "
            "decision, made in the year, is to award. The denominator is the organisation's recorded "
            "procurement volume for the year; without one the share is not recorded."
        ),
        _(
            "Values are not converted between currencies: an award in another currency than the year's "
            "procurement volume is counted in the last column and left out of the value. The programme's "
            "value share is given only when the organisations recorded their volumes in one currency."
        ),
        *_comparison_notes(scope, counts=False),
    ]
    by_count = _series(scope, rows, _("by count"), lambda row: row.count_share)
    by_value = _series(scope, rows, _("by value"), lambda row: row.value_share)
    chart = bar_chart(
        chart_id="chart-innovative-share",
        title=_("Innovative share of procurement, by count and by value"),
        categories=_years(period),
        series=[s for pair in zip(by_count, by_value, strict=True) for s in pair],
        unit=" %",
        target=scope.target,
    )
    return Section(
        "innovative-share",
        _("Innovative share"),
        _("The share of procurement that is innovative, against the programme's target."),
        table,
        [chart],
    )


def funnel_section(scope, period) -> Section:
    rows = selectors.funnel(scope=scope, period=period)
    table = Table(
        headers=[_("Year"), _("Organisation"), *[str(label) for _key, label in selectors.FUNNEL_STAGES]]
    )
    stages = [key for key, _label in selectors.FUNNEL_STAGES]
    for row in rows:
        cells = [TOO_FEW] * len(stages) if row.too_few else [row.shown(key) for key in stages]
        table.rows.append([row.year, _who_counts(row, scope), *cells])
    table.notes = [
        _(
            "Citizen ideas count those published in the year that are still published (not since "
            "rejected, merged or withdrawn). Proposals are counted only once their challenge's deadline "
            "has passed: bids on open challenges are sealed. Trials count shortlisted proposals; awards "
            "count decisions to award."
        ),
        *_comparison_notes(scope, counts=True),
    ]
    own, programme = _main_and_programme(rows, scope)
    series = []
    if own:
        series.append(Series(scope.organisation.name, [sum(r[k] for r in own) for k in stages]))
    if programme:
        if any(row.too_few for row in programme):
            values = [None] * len(stages)
        elif scope.average_over:
            values = [selectors.ratio(sum(r[k] for r in programme), scope.average_over) for k in stages]
        else:
            values = [sum(r[k] for r in programme) for k in stages]
        name = _("Programme, average per organisation") if scope.average_over else _("Programme")
        series.append(Series(name, values))
    # The chart draws the totals for the period: the table holds them too, a row per series.
    total = _("Total %(first)s–%(last)s") % {"first": period.first, "last": period.last}
    for item in series:
        table.rows.append([total, item.name, *(TOO_FEW if v is None else v for v in item.values)])
    chart = bar_chart(
        chart_id="chart-funnel",
        title=_("From citizen ideas to awards, %(first)s–%(last)s")
        % {"first": period.first, "last": period.last},
        categories=[str(label) for _key, label in selectors.FUNNEL_STAGES],
        series=series,
    )
    return Section(
        "funnel", _("Funnel"), _("Totals for the period, and per year in the table."), table, [chart]
    )


def sme_section(scope, period) -> Section:
    rows = selectors.sme_participation(scope=scope, period=period)
    table = Table(
        headers=[
            _("Year"),
            _("Organisation"),
            _("Challenges past their deadline"),
            _("Bids"),
            _("Bidders per challenge"),
            _("Bids led by SMEs"),
            _("SME share (%)"),
            _("Bids from first-time public-sector suppliers"),
            _("First-time share (%)"),
            _("Consortium bids"),
            _("Average consortium size"),
        ]
    )
    for row in rows:
        if row.too_few:
            table.rows.append([row.year, _who_counts(row, scope), *[TOO_FEW] * 9])
            continue
        table.rows.append(
            [
                row.year,
                _who_counts(row, scope),
                row.shown("challenges"),
                row.shown("bids"),
                row.bidders_per_challenge,
                row.shown("sme_bids"),
                row.sme_share,
                row.shown("first_time_bids"),
                row.first_time_share,
                row.shown("consortium_bids"),
                row.consortium_size,
            ]
        )
    table.notes = [
        _(
            "Per year in which the challenges' submission deadline passed. Bids are the submitted proposals "
            "(withdrawn ones are not bids). SMEs are micro, small and medium enterprises; a consortium's "
            "size counts its lead and its accepted partners."
        ),
        *_comparison_notes(scope, counts=True),
    ]
    sme = _series(scope, rows, _("SME share"), lambda row: row.sme_share)
    first = _series(scope, rows, _("first-time share"), lambda row: row.first_time_share)
    chart = bar_chart(
        chart_id="chart-sme",
        title=_("Bids led by SMEs and by first-time public-sector suppliers"),
        categories=_years(period),
        series=[s for pair in zip(sme, first, strict=True) for s in pair],
        unit=" %",
    )
    return Section("sme", _("SME participation"), _("Who bids on the challenges."), table, [chart])


def timing_section(scope, period) -> Section:
    rows = selectors.timing(scope=scope, period=period)
    table = Table(
        headers=[
            _("Year"),
            _("Organisation"),
            _("Awards decided"),
            _("Average days from publication to award"),
            _("Challenges published"),
            _("Clarification questions"),
            _("Questions per challenge"),
        ]
    )
    for row in rows:
        if row.too_few:
            table.rows.append([row.year, _who_counts(row, scope), *[TOO_FEW] * 5])
            continue
        table.rows.append(
            [
                row.year,
                _who_counts(row, scope),
                row.shown("timed_awards"),
                row.average_days,
                row.shown("published"),
                row.shown("questions"),
                row.questions_per_challenge,
            ]
        )
    table.notes = [
        _(
            "Days from a challenge's publication to its award decision, for awards decided in the year; "
            "questions asked about the challenges published in the year."
        ),
        *_comparison_notes(scope, counts=True),
    ]
    chart = bar_chart(
        chart_id="chart-timing",
        title=_("Average days from publication to award"),
        categories=_years(period),
        series=_series(scope, rows, _("days"), lambda row: row.average_days),
    )
    return Section(
        "timing",
        _("Time to award and clarification questions"),
        _("How long procurements take, and how much suppliers need to ask."),
        table,
        [chart],
    )


def exchange_section(scope, period) -> Section:
    rows = selectors.exchange_participation(scope=scope, period=period)
    headers = [_("Year"), _("Exchanges held"), _("Confirmed participants")]
    if scope.programme is not None:
        headers.append(
            _("From the programme's organisations, average per organisation")
            if scope.average_over
            else _("From the programme's organisations")
        )
    if scope.organisation is not None:
        headers.append(_("From %(name)s") % {"name": scope.organisation.name})
    headers += [
        _("Pre-exchange survey responses"),
        _("Pre-exchange response rate (%)"),
        _("Reflection survey responses"),
        _("Reflection response rate (%)"),
        _("Ratings given"),
        _("Average rating (1–5)"),
    ]
    table = Table(headers=headers)
    for row in rows:
        cells = [row.year, row.events, row.confirmed]
        if scope.programme is not None:
            cells.append(TOO_FEW if row.buyers_too_few else row.confirmed_from_buyers_shown)
        if scope.organisation is not None:
            cells.append(row.confirmed_from_organisation)
        cells += [
            row.pre_responses,
            row.pre_rate,
            row.reflection_responses,
            row.reflection_rate,
            row.ratings,
            row.average_rating,
        ]
        table.rows.append(cells)
    table.notes = [
        _(
            "Exchanges run by the programme or hosted by its organisations that have taken place, by the "
            "year they started. Participants: confirmed registrations. Response rates: submitted responses "
            "per confirmed registration of the exchanges that have that survey; a named survey counts only "
            "the responses of people with a confirmed registration for the exchange. Ratings: the 1-to-5 "
            "answers of the reflection surveys."
        ),
        _(
            "An anonymous survey cannot tell who answered: all its submitted responses count, but never "
            "more than the exchange's confirmed participants, so its response rate is capped at 100 %."
        ),
    ]
    if scope.programme is not None:
        notes = _comparison_notes(scope, counts=True)
        if notes:
            table.notes += [
                notes[0],
                _(
                    "Participants from the programme's organisations are an average per organisation: "
                    "their total divided by the %(count)s organisations the programme follows."
                )
                % {"count": len(scope.buyers)},
            ]
    years = _years(period)
    rates = bar_chart(
        chart_id="chart-exchange-rates",
        title=_("Survey response rates"),
        categories=years,
        series=[
            Series(_("Pre-exchange survey"), [row.pre_rate for row in rows]),
            Series(_("Reflection survey"), [row.reflection_rate for row in rows]),
        ],
        unit=" %",
    )
    ratings = bar_chart(
        chart_id="chart-exchange-ratings",
        title=_("Average reflection rating over time (1–5)"),
        categories=years,
        series=[Series(_("Average rating"), [row.average_rating for row in rows])],
    )
    return Section(
        "exchanges",
        _("Exchange participation"),
        _("Staff exchanges, their surveys and how participants rated them."),
        table,
        [rates, ratings],
    )


SECTIONS = {
    "innovative-share": share_section,
    "funnel": funnel_section,
    "sme": sme_section,
    "timing": timing_section,
    "exchanges": exchange_section,
}


# --- Helpers --------------------------------------------------------------------------------------------


def _period_form(request: HttpRequest) -> PeriodForm:
    default = selectors.default_period()
    bound = "from" in request.GET or "to" in request.GET
    form = PeriodForm(request.GET if bound else None, default=default)
    return form


def _optional_url(name: str, slug: str) -> str | None:
    """A link to a page another part of the app may provide (volumes, the self-assessment)."""
    try:
        return reverse(name, kwargs={"slug": slug})
    except NoReverseMatch:
        return None


def _csv_response(*, table: Table, filename: str) -> HttpResponse:
    response, writer = csv_response(filename=filename)
    writer.writerow([csv_cell(header) for header in table.headers])
    for row in table.rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return response


def _query_string(period_form: PeriodForm, **extra) -> str:
    period = period_form.period
    return urlencode({"from": period.first, "to": period.last, **extra})


def _require_staff(request: HttpRequest) -> None:
    if not rules.has_perm("insight.view_programme_dashboard", request.user):
        raise Http404


def _programme_or_404(slug: str) -> Programme:
    try:
        return selectors.programme_for_dashboard(slug=slug)
    except Programme.DoesNotExist as error:
        raise Http404 from error


def _organisation_or_404(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(
        Organisation.objects.visible_to(request.user).filter(kind=OrganisationKind.BUYER), slug=slug
    )
    if not rules.has_perm("insight.view_organisation_dashboard", request.user, organisation):
        raise Http404
    return organisation


def _chosen_programme(request: HttpRequest, organisation: Organisation) -> tuple[Programme | None, list]:
    programmes = selectors.programmes_of_organisation(organisation=organisation)
    wanted = request.GET.get("programme")
    if wanted:
        for programme in programmes:
            if programme.organisation.slug == wanted:
                return programme, programmes
        if programmes:
            messages.warning(
                request, _("That programme does not follow this organisation: showing the first one.")
            )
    return (programmes[0] if programmes else None), programmes


# --- Pages ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Programme staff: the programmes and every buying organisation. Others: the dashboards, volumes and
    self-assessments of their own buying organisations they may open (none: a 404)."""
    user = request.user
    if rules.has_perm("insight.view_programme_dashboard", user):
        page = Paginator(selectors.buyer_organisations(), 50).get_page(request.GET.get("page"))
        organisations = [_organisation_links(user, organisation) for organisation in page]
        return render(
            request,
            "insight/index.html",
            {
                "is_staff_view": True,
                "programmes": selectors.programmes_for_list(),
                "organisations": organisations,
                "page_obj": page,
                "can_create": selectors.programme_organisations_without_programme().exists(),
            },
        )
    own = Organisation.objects.filter(pk__in=user.buyer_organisation_ids).order_by("name", "pk")
    organisations = [links for links in (_organisation_links(user, o) for o in own) if links["links"]]
    if not organisations:
        raise Http404
    return render(request, "insight/index.html", {"is_staff_view": False, "organisations": organisations})


def _organisation_links(user, organisation: Organisation) -> dict:
    links = []
    if rules.has_perm("insight.view_organisation_dashboard", user, organisation):
        links.append(
            (_("Dashboard"), reverse("insight:organisation-dashboard", kwargs={"slug": organisation.slug}))
        )
    for permission, name, label in (
        ("insight.view_procurement_volumes", "insight:volumes", _("Procurement volumes")),
        ("insight.view_capability_assessments", "insight:capabilities", _("Capability self-assessment")),
    ):
        url = _optional_url(name, organisation.slug)
        if url and rules.has_perm(permission, user, organisation):
            links.append((label, url))
    return {"organisation": organisation, "links": links}


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = ProgrammeCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = create_programme(
                organisation=form.cleaned_data["organisation"],
                buyers=form.cleaned_data["buyers"],
                target=form.cleaned_data["innovative_share_target"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The programme dashboard is created."))
            return redirect(programme)
    return render(request, "insight/programme_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def programme_settings(request: HttpRequest, slug: str) -> HttpResponse:
    _require_staff(request)
    programme = _programme_or_404(slug)
    initial = {
        "innovative_share_target": programme.innovative_share_target,
        "buyers": list(programme.buyers.all()),
    }
    form = ProgrammeSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_programme(
                programme=programme,
                buyers=form.cleaned_data["buyers"],
                target=form.cleaned_data["innovative_share_target"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The programme's settings are saved."))
            return redirect(programme)
    return render(request, "insight/programme_settings.html", {"form": form, "programme": programme})


# How long a request may take to read a dashboard's figures before another one may read them too.
SECTIONS_READING_SECONDS = 60


def _sections_html(request, *, scope, period, query, csv_url_name, csv_kwargs) -> tuple[str, datetime]:
    """The sections of a dashboard, rendered, and when their figures were read. The figures are aggregates
    over every challenge, proposal and event of the scope's organisations (hundreds of milliseconds with
    years of data), the same for everyone who may see the dashboard; so the rendered sections are kept
    for settings.DASHBOARD_CACHE_SECONDS, per dashboard, period and language, and the page says how old
    they are. Who may see the dashboard is checked before, on every request.

    Once they are older than that, the first request to see it reads them again, and while it does, the
    others still get the previous figures (with their time) instead of each reading them too: otherwise
    every request in flight when the figures expire would run the same aggregates at once, and all would
    wait seconds."""
    key = (
        "insight:dashboard:"
        + hashlib.sha256(
            "|".join(
                (csv_url_name, urlencode(sorted(csv_kwargs.items())), query, get_language() or "")
            ).encode()
        ).hexdigest()
    )
    lifetime = settings.DASHBOARD_CACHE_SECONDS
    previous = _cache_call("get", key) if lifetime > 0 else None
    if previous is not None:
        if timezone.now() - previous[1] < timedelta(seconds=lifetime):
            return previous
        if _cache_call("add", f"{key}:reading", True, SECTIONS_READING_SECONDS) is False:
            return previous  # another request is reading them
    sections = [build(scope, period) for build in SECTIONS.values()]
    for section in sections:
        section.csv_url = f"{reverse(csv_url_name, kwargs={**csv_kwargs, 'section': section.slug})}?{query}"
    rendered = (
        render_to_string("insight/_dashboard_sections.html", {"sections": sections}, request=request),
        timezone.now(),
    )
    if lifetime > 0:
        # Kept for twice their lifetime: the second half only for the requests that arrive while the
        # figures are read again.
        _cache_call("set", key, rendered, 2 * lifetime)
        _cache_call("delete", f"{key}:reading")
    return rendered


def _cache_call(method: str, *args):
    """The cache's answer; None if the cache (Redis) does not answer (a miss; for `add`, no other request
    is known to be reading): the dashboard is still right, only slower."""
    try:
        return getattr(cache, method)(*args)
    except Exception:
        logger.warning("Dashboard sections: the cache did not answer (%s)", method, exc_info=True)
        return None


def _render_dashboard(request, *, scope, heading, csv_url_name, csv_kwargs, extra) -> HttpResponse:
    period_form = _period_form(request)
    period = period_form.period
    query = _query_string(
        period_form,
        **(
            {"programme": scope.programme.organisation.slug}
            if extra.get("choose") and scope.programme
            else {}
        ),
    )
    sections_html, figures_read_at = _sections_html(
        request, scope=scope, period=period, query=query, csv_url_name=csv_url_name, csv_kwargs=csv_kwargs
    )
    return render(
        request,
        "insight/dashboard.html",
        {
            "heading": heading,
            "scope": scope,
            "period": period,
            "period_form": period_form,
            "sections_html": sections_html,
            "figures_read_at": figures_read_at,
            "refresh_minutes": max(1, settings.DASHBOARD_CACHE_SECONDS // 60),
            "figures_cached": settings.DASHBOARD_CACHE_SECONDS > 0,
            "min_others": selectors.MIN_OTHERS_FOR_AVERAGE,
            **extra,
        },
    )


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    _require_staff(request)
    programme = _programme_or_404(slug)
    scope = selectors.scope_for_programme(programme)
    return _render_dashboard(
        request,
        scope=scope,
        heading=_("Programme dashboard: %(name)s") % {"name": programme.organisation.name},
        csv_url_name="insight:dashboard-csv",
        csv_kwargs={"slug": slug},
        extra={"programme": programme},
    )


@login_required
@require_GET
def organisation_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation_or_404(request, slug)
    programme, programmes = _chosen_programme(request, organisation)
    scope = selectors.scope_for_organisation(organisation, programme)
    return _render_dashboard(
        request,
        scope=scope,
        heading=_("Dashboard: %(name)s") % {"name": organisation.name},
        csv_url_name="insight:organisation-dashboard-csv",
        csv_kwargs={"slug": slug},
        extra={
            "organisation": organisation,
            "programme": programme,
            "programmes": programmes,
            "choose": True,
        },
    )


def _section_csv(request, *, scope, section: str, filename_base: str) -> HttpResponse:
    build = SECTIONS.get(section)
    if build is None:
        raise Http404
    period = _period_form(request).period
    table = build(scope, period).table
    return _csv_response(table=table, filename=f"{filename_base}-{section}-{period.first}-{period.last}.csv")


@login_required
@require_GET
def dashboard_csv(request: HttpRequest, slug: str, section: str) -> HttpResponse:
    _require_staff(request)
    if section not in SECTIONS:
        raise Http404
    programme = _programme_or_404(slug)
    return _section_csv(
        request, scope=selectors.scope_for_programme(programme), section=section, filename_base=slug
    )


@login_required
@require_GET
def organisation_dashboard_csv(request: HttpRequest, slug: str, section: str) -> HttpResponse:
    if section not in SECTIONS:
        raise Http404
    organisation = _organisation_or_404(request, slug)
    programme, _programmes = _chosen_programme(request, organisation)
    return _section_csv(
        request,
        scope=selectors.scope_for_organisation(organisation, programme),
        section=section,
        filename_base=slug,
    )


urlpatterns = [
    path("", index, name="index"),
    path("programmes/new/", programme_create, name="programme-create"),
    path("programmes/<slug:slug>/", dashboard, name="dashboard"),
    path("programmes/<slug:slug>/settings/", programme_settings, name="programme-settings"),
    path("programmes/<slug:slug>/<slug:section>.csv", dashboard_csv, name="dashboard-csv"),
    path("organisations/<slug:slug>/", organisation_dashboard, name="organisation-dashboard"),
    path(
        "organisations/<slug:slug>/<slug:section>.csv",
        organisation_dashboard_csv,
        name="organisation-dashboard-csv",
    ),
]
