"""Every chart on the dashboards has its data table: in each section that draws an SVG chart there is a
<table>, and every category the chart names and every value it prints on a bar is in that table's cells
(a chart's "12.5 %" is the cell "12.5" under a "share (%)" header). The browser test in
tests/e2e/test_accessibility.py checks the same on the demo data, the capability chart included."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]


class _Sections(HTMLParser):
    """Per <section>: the texts of its charts' category and value labels, and of its table cells."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[dict] = []
        self.sections: list[dict] = []
        self._collect: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "section":
            self.stack.append({"id": dict(attrs).get("aria-labelledby", "?"), "charts": 0, "cells": []})
            self.stack[-1].update(categories=[], values=[])
        elif not self.stack:
            return
        elif tag == "svg" and dict(attrs).get("role") == "img":
            self.stack[-1]["charts"] += 1
        elif tag == "text" and ("chart-value" in classes or "chart-category" in classes):
            self._collect = ("values" if "chart-value" in classes else "categories", [])
        elif tag in ("th", "td"):
            self._collect = ("cells", [])

    def handle_data(self, data):
        if self._collect is not None:
            self._collect[1].append(data)

    def handle_endtag(self, tag):
        if self._collect is not None and tag in ("text", "th", "td"):
            kind, parts = self._collect
            self.stack[-1][kind].append("".join(parts))
            self._collect = None
        elif tag == "section" and self.stack:
            self.sections.append(self.stack.pop())


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _number(text: str) -> float | None:
    bare = _squeeze(text).removesuffix("%").replace(",", "")
    return float(bare) if re.fullmatch(r"-?\d+(\.\d+)?", bare) else None


def _missing_from_tables(html: str, *, only=None, skip=()) -> tuple[int, list[str]]:
    parser = _Sections()
    parser.feed(html)
    charted, problems = 0, []
    for section in parser.sections:
        if not section["charts"] or section["id"] in skip or (only and section["id"] != only):
            continue
        charted += 1
        if not section["cells"]:
            problems.append(f"section {section['id']}: a chart without a data table")
            continue
        if not section["categories"]:
            problems.append(f"section {section['id']}: a chart that names no categories")
        words = {_squeeze(cell) for cell in section["cells"]}
        numbers = [n for n in map(_number, section["cells"]) if n is not None]
        for text in section["categories"] + section["values"]:
            value = _number(text)
            found = _squeeze(text) in words if value is None else any(abs(n - value) < 0.051 for n in numbers)
            if not found:
                problems.append(f"section {section['id']}: “{text.strip()}” is drawn but not in the table")
    return charted, problems


# The funnel chart draws the totals for the whole period, but its table has only a row per year, so a
# total such as "Challenges drafted: 7" (6 + 1) is in no cell. Fixed by adding the period's totals as
# rows of the funnel table (portal/insight/views/dashboard.py, funnel_section); until then the funnel is
# checked on its own, as a known failure.
FUNNEL = "section-funnel"


def _dashboard(client, world, actors, which: str) -> str:
    client.force_login(actors["staff"])
    if which == "programme":
        url = reverse("insight:dashboard", kwargs={"slug": world.programme.organisation.slug})
    else:
        url = reverse("insight:organisation-dashboard", kwargs={"slug": world.alpha.slug})
    return client.get(url).content.decode()


@pytest.mark.parametrize("which", ["programme", "organisation"])
def test_every_chart_of_the_dashboards_has_a_table_with_its_figures(client, world, actors, which):
    charted, problems = _missing_from_tables(_dashboard(client, world, actors, which), skip=(FUNNEL,))

    assert problems == []
    assert charted == 4  # the innovative share, SME participation, timing and exchanges


def test_the_funnel_chart_of_the_programme_dashboard_has_a_table_with_its_figures(client, world, actors):
    charted, problems = _missing_from_tables(_dashboard(client, world, actors, "programme"), only=FUNNEL)

    assert (charted, problems) == (1, [])


def test_a_figure_missing_from_the_table_is_reported():
    html = (
        '<section aria-labelledby="s"><svg role="img"><text class="chart-category">2025</text>'
        '<text class="chart-value">12.5 %</text><text class="chart-value">7.0 %</text></svg>'
        "<table><tr><th>2025</th><td>12.5</td></tr></table></section>"
    )

    assert _missing_from_tables(html) == (1, ["section s: “7.0 %” is drawn but not in the table"])
