"""Server-rendered bar charts for the dashboards (templates/insight/_chart.html draws them as inline SVG).

Accessible by construction: each chart has a title and a description that states every value (the SVG
is role="img", labelled by both), the data table sits beside it, series differ by pattern as well as
colour (and every bar carries its value as text), and the colours have at least 4.5:1 contrast on white.
Geometry is computed here and handed to the template as preformatted strings, so a locale that writes
decimal commas cannot break the SVG's attributes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 44
# Dark enough for text and for graphics on white (WCAG AA): navy, dark orange, green, purple.
COLOURS = ["#1f4e79", "#a04000", "#2e6b30", "#5b2a86"]
PATTERNS = ["solid", "stripes", "dots", "cross"]
TARGET_COLOUR = "#b00020"
# Beyond this many bars their value labels would overlap: the table holds the numbers.
MAX_LABELLED_BARS = 24


def _fmt(number: float) -> str:
    """A coordinate for an SVG attribute: a dot, never a comma, whatever the language."""
    return f"{number:.1f}"


def display_value(value, unit: str = "") -> str:
    if value is None:
        return _("no data")
    text = number_format(value, decimal_pos=1 if isinstance(value, Decimal | float) else None)
    return f"{text}{unit}"


@dataclass
class Series:
    name: str
    values: list  # one per category: a number or None


@dataclass
class Bar:
    x: str
    y: str
    width: str
    height: str
    label: str
    label_x: str
    label_y: str
    series: int


@dataclass
class Chart:
    id: str
    title: str
    description: str
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    ticks: list[dict] = field(default_factory=list)
    categories: list[dict] = field(default_factory=list)
    legend: list[dict] = field(default_factory=list)
    target: dict | None = None
    show_labels: bool = True
    plot_left: str = _fmt(LEFT)
    plot_right: str = _fmt(WIDTH - RIGHT)
    plot_bottom: str = _fmt(HEIGHT - BOTTOM)

    @property
    def title_id(self) -> str:
        return f"{self.id}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.id}-desc"


def _nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times 10^n at or above value (and at least 1), for the axis top."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return float(candidate)
    return float(10 ** (exponent + 1))


def bar_chart(
    *,
    chart_id: str,
    title: str,
    categories: list[str],
    series: list[Series],
    unit: str = "",
    target: Decimal | None = None,
    intro: str = "",
) -> Chart:
    """Grouped vertical bars: one group per category, one bar per series (at most four). A missing value
    (None) draws no bar and is described as "no data"."""
    series = series[: len(COLOURS)]
    values = [float(v) for s in series for v in s.values if v is not None]
    if target is not None:
        values.append(float(target))
    top = _nice_max(max(values, default=0.0))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    bottom = HEIGHT - BOTTOM

    def y_of(value: float) -> float:
        return bottom - plot_height * value / top

    chart = Chart(id=chart_id, title=title, description="")
    group = plot_width / max(len(categories), 1)
    bar_width = group * 0.8 / max(len(series), 1)
    for index, category in enumerate(categories):
        chart.categories.append(
            {"lines": _wrap(category, group), "x": _fmt(LEFT + group * (index + 0.5)), "y": _fmt(bottom + 16)}
        )
        for number, serie in enumerate(series):
            value = serie.values[index] if index < len(serie.values) else None
            if value is None:
                continue
            x = LEFT + group * index + group * 0.1 + bar_width * number
            y = y_of(float(value))
            chart.bars.append(
                Bar(
                    x=_fmt(x),
                    y=_fmt(y),
                    width=_fmt(max(bar_width - 2, 1)),
                    height=_fmt(max(bottom - y, 0)),
                    label=display_value(value, unit),
                    label_x=_fmt(x + bar_width / 2),
                    label_y=_fmt(y - 4),
                    series=number,
                )
            )
    chart.show_labels = len(chart.bars) <= MAX_LABELLED_BARS
    for step in range(5):
        value = top * step / 4
        chart.ticks.append({"y": _fmt(y_of(value)), "label": display_value(_tick(value), unit)})
    chart.legend = [
        {"name": serie.name, "colour": COLOURS[number], "pattern": PATTERNS[number], "index": number}
        for number, serie in enumerate(series)
    ]
    if target is not None:
        chart.target = {
            "y": _fmt(y_of(float(target))),
            "label": _("Target %(value)s") % {"value": display_value(target, unit)},
            "colour": TARGET_COLOUR,
        }
    chart.description = _describe(intro or title, categories, series, unit, target)
    return chart


def _wrap(label: str, room: float) -> list[str]:
    """A category label in at most two lines that fit under its group (about 6 pixels a letter)."""
    width = max(int(room // 6), 4)
    lines: list[str] = []
    for word in str(label).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines if len(lines) <= 2 else [lines[0], " ".join(lines[1:])]


def _tick(value: float):
    return int(value) if float(value).is_integer() else Decimal(str(round(value, 1)))


def _describe(intro: str, categories: list[str], series: list[Series], unit: str, target) -> str:
    parts = []
    for index, category in enumerate(categories):
        values = "; ".join(
            f"{serie.name}: {display_value(serie.values[index] if index < len(serie.values) else None, unit)}"
            for serie in series
        )
        parts.append(f"{category}: {values}.")
    text = f"{intro}. " + " ".join(parts)
    if target is not None:
        text += " " + _("The target is %(value)s.") % {"value": display_value(target, unit)}
    return text
