"""Reads of the procurement volumes and the capability self-assessment: an organisation's history, the
programme's average to compare with (only when enough others answered that no one's answers can be read
from it), the chart of the results over time, and the suggestions for the weakest areas."""

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from challenges.casestudies.enums import Capability
from challenges.casestudies.models import CaseStudy
from exchanges.enums import EventStatus
from exchanges.models import AgendaSession, ExchangeEvent
from portal.accounts.models import Organisation

from .capabilities import LEVEL_NAMES, LEVELS, level_description
from .models import MATURITY_MAX, CapabilityAssessment, ProcurementVolume, Programme

# The programme average of a year is shown only when at least this many other organisations answered it.
MIN_OTHERS_FOR_AVERAGE = 3
# Suggestions: how many of the weakest capabilities, and how many case studies and exchanges with them.
WEAKEST_COUNT = 2
CASE_STUDIES_PER_CAPABILITY = 3
UPCOMING_EXCHANGES = 3
# The chart shows the most recent years (the table beside it has them all).
CHART_YEARS = 5


def volumes_of(*, organisation: Organisation) -> QuerySet[ProcurementVolume]:
    return (
        ProcurementVolume.objects.filter(organisation=organisation)
        .select_related("recorded_by")
        .order_by("-year")
    )


def assessments_of(*, organisation: Organisation) -> QuerySet[CapabilityAssessment]:
    return (
        CapabilityAssessment.objects.filter(organisation=organisation)
        .select_related("submitted_by")
        .order_by("-year")
    )


def programmes_of(*, organisation: Organisation) -> QuerySet[Programme]:
    """The programmes that follow the organisation (its comparison group)."""
    return (
        Programme.objects.filter(buyers=organisation)
        .select_related("organisation")
        .order_by("organisation__name")
    )


@dataclass
class ProgrammeAverage:
    year: int
    others: int  # how many other organisations of the programme(s) answered that year
    levels: dict[str, float] = field(default_factory=dict)  # empty when too few answered

    @property
    def shown(self) -> bool:
        return self.others >= MIN_OTHERS_FOR_AVERAGE


def programme_averages(*, organisation: Organisation, years) -> dict[int, ProgrammeAverage]:
    """{year: the average answer of the other buying organisations in the organisation's programmes}, in
    one query. An organisation in two programmes counts each other organisation once."""
    years = list(years)
    # A second join through the programmes' buyers (filtering on buyers=organisation and reading buyers
    # in one queryset would reuse the first join and find only the organisation itself).
    others = Organisation.objects.filter(
        insight_programmes__in=Programme.objects.filter(buyers=organisation)
    ).values("pk")
    rows = (
        CapabilityAssessment.objects.filter(organisation_id__in=others, year__in=years)
        .exclude(organisation=organisation)
        .values("year")
        .annotate(others=Count("organisation", distinct=True), **{key: Avg(key) for key in Capability.values})
        .order_by("year")
    )
    averages = {year: ProgrammeAverage(year=year, others=0) for year in years}
    for row in rows:
        average = ProgrammeAverage(year=row["year"], others=row["others"])
        if average.shown:
            average.levels = {key: round(float(row[key]), 1) for key in Capability.values}
        averages[row["year"]] = average
    return averages


def weakest_capabilities(assessment: CapabilityAssessment) -> list[str]:
    """The lowest-rated capabilities below the top level, two at most; ties go in the FORAN order."""
    order = {key: index for index, key in enumerate(Capability.values)}
    below_top = [
        (level, order[key], key) for key, level in assessment.levels().items() if level < MATURITY_MAX
    ]
    return [key for _level, _order, key in sorted(below_top)[:WEAKEST_COUNT]]


@dataclass
class Suggestion:
    capability: str
    level: int
    case_studies: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return Capability(self.capability).label

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]

    @property
    def next_level(self) -> int:
        return self.level + 1

    @property
    def next_level_name(self) -> str:
        return LEVEL_NAMES[self.next_level]

    @property
    def next_step(self) -> str:
        return level_description(self.capability, self.next_level)


def suggestions_for(*, assessment: CapabilityAssessment) -> list[Suggestion]:
    """For the weakest areas of an assessment: the next level to aim for and the latest published case
    studies that illustrate the capability. One query, however many areas and case studies."""
    suggestions = [
        Suggestion(capability=key, level=getattr(assessment, key)) for key in weakest_capabilities(assessment)
    ]
    if not suggestions:
        return []
    case_studies = (
        CaseStudy.objects.published()
        .filter(capability__in=[suggestion.capability for suggestion in suggestions])
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("capability")],
                order_by=[F("published_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=CASE_STUDIES_PER_CAPABILITY)
        .select_related("owner")
        .order_by("capability", "rank")
    )
    by_capability = {suggestion.capability: suggestion for suggestion in suggestions}
    for case_study in case_studies:
        by_capability[case_study.capability].case_studies.append(case_study)
    return suggestions


def _on_the_agenda(capabilities) -> Exists:
    """Whether an event's published agenda has a session linking a published case study tagged with one
    of the capabilities (a correlated subquery on the event)."""
    return Exists(
        AgendaSession.objects.published().filter(
            event_id=OuterRef("pk"),
            case_studies__in=CaseStudy.objects.published().filter(capability__in=list(capabilities)),
        )
    )


@dataclass
class UpcomingExchange:
    event: ExchangeEvent
    # The weakest capabilities that a case study on its agenda is about (empty: an exchange in general).
    capabilities: list[str] = field(default_factory=list)

    @property
    def capability_labels(self) -> list[str]:
        return [Capability(key).label for key in self.capabilities]


def upcoming_exchanges(*, capabilities=()) -> list[UpcomingExchange]:
    """Public exchange events that start in the future and take registrations now, three at most: first
    those whose published agenda links a case study on one of the capabilities (the weakest areas), then
    the others; soonest first within each. One query, however many capabilities (two at most)."""
    now = timezone.now()
    capabilities = list(capabilities)
    flags = {f"on_{index}": _on_the_agenda([key]) for index, key in enumerate(capabilities)}
    events = (
        ExchangeEvent.objects.public()
        .filter(status=EventStatus.REGISTRATION_OPEN, starts_at__gt=now)
        .filter(Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now))
        .filter(Q(registration_closes_at__isnull=True) | Q(registration_closes_at__gt=now))
        .select_related("programme")
    )
    if capabilities:
        events = events.annotate(relevant=_on_the_agenda(capabilities), **flags).order_by(
            F("relevant").desc(), "starts_at", "pk"
        )
    else:
        events = events.order_by("starts_at", "pk")
    return [
        UpcomingExchange(
            event=event,
            capabilities=[key for index, key in enumerate(capabilities) if getattr(event, f"on_{index}")],
        )
        for event in events[:UPCOMING_EXCHANGES]
    ]


# The chart: one row per capability, one bar per year, the programme's average as a mark across the bar.
CHART_WIDTH = 720
LABEL_RIGHT = 300
PLOT_LEFT, PLOT_RIGHT = 310, 700
PLOT_TOP = 30
BAR_HEIGHT, BAR_GAP, GROUP_GAP = 12, 2, 14
# Distinguishable for the common colour-vision deficiencies; the newest year is the darkest.
YEAR_COLOURS = ["#9ecae1", "#6baed6", "#e66100", "#5d3a9b", "#0b5ed7"]


def _x(level: float) -> float:
    return round(PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * level / MATURITY_MAX, 1)


def capability_chart(assessments: list[CapabilityAssessment], averages: dict[int, ProgrammeAverage]) -> dict:
    """The geometry of the results chart for the most recent years (oldest first), ready for the
    template: only presentation attributes, so it holds under a strict CSP."""
    shown = sorted(assessments, key=lambda assessment: assessment.year)[-CHART_YEARS:]
    colours = YEAR_COLOURS[-len(shown) :] if shown else []
    group_height = len(shown) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP + GROUP_GAP
    rows, y = [], PLOT_TOP + GROUP_GAP // 2
    for key in Capability.values:
        bars = []
        for index, assessment in enumerate(shown):
            bar_y = y + index * (BAR_HEIGHT + BAR_GAP)
            level = getattr(assessment, key)
            average = averages.get(assessment.year)
            mark = average.levels.get(key) if average and average.shown else None
            bars.append(
                {
                    "year": assessment.year,
                    "colour": colours[index],
                    "y": bar_y,
                    "width": _x(level) - PLOT_LEFT,
                    "mark_x": _x(mark) if mark is not None else None,
                    "mark_y1": bar_y - 2,
                    "mark_y2": bar_y + BAR_HEIGHT + 2,
                }
            )
        rows.append(
            {"label": Capability(key).label, "label_y": y + (group_height - GROUP_GAP) / 2 + 4, "bars": bars}
        )
        y += group_height
    plot_bottom = y
    legend_y = plot_bottom + 24
    legend = [
        {"year": assessment.year, "colour": colours[index], "x": PLOT_LEFT + index * 70, "y": legend_y}
        for index, assessment in enumerate(shown)
    ]
    return {
        "width": CHART_WIDTH,
        "height": legend_y + 36,
        "label_right": LABEL_RIGHT,
        "plot_left": PLOT_LEFT,
        "plot_width": PLOT_RIGHT - PLOT_LEFT,
        "plot_top": PLOT_TOP,
        "plot_bottom": plot_bottom,
        "bar_height": BAR_HEIGHT,
        "ticks": [{"level": level, "x": _x(level)} for level in (0, *LEVELS)],
        "rows": rows,
        "legend": legend,
        "mark_legend_x": PLOT_LEFT + len(shown) * 70,
        "legend_y": legend_y,
        "years": [assessment.year for assessment in shown],
        "has_marks": any(averages.get(assessment.year, ProgrammeAverage(0, 0)).shown for assessment in shown),
    }


def results_table(assessments: list[CapabilityAssessment], averages: dict[int, ProgrammeAverage]) -> dict:
    """The data table of the results: a row per capability; per year (oldest first) the organisation's
    level and the programme's average (None when too few others answered)."""
    ordered = sorted(assessments, key=lambda assessment: assessment.year)
    no_average = ProgrammeAverage(year=0, others=0)
    return {
        "years": [
            {"year": assessment.year, "average": averages.get(assessment.year, no_average)}
            for assessment in ordered
        ],
        "rows": [
            {
                "label": Capability(key).label,
                "cells": [
                    {
                        "level": getattr(assessment, key),
                        "average": averages.get(assessment.year, no_average).levels.get(key),
                    }
                    for assessment in ordered
                ],
            }
            for key in Capability.values
        ],
    }
