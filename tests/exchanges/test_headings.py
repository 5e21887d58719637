"""Every exchange page's outline: one h1, and no heading skips a level (h1 → h3), so a screen reader's list
of headings reads as the page's structure."""

import itertools
import re

import pytest
from django.urls import reverse

from exchanges.models import ExchangeEvent
from exchanges.services.agenda import publish_agenda
from tests.factories.exchanges import (
    AgendaSessionFactory,
    CaseStudyReportFactory,
    ExchangeEventFactory,
    PublishedReflectionReportFactory,
)

pytestmark = pytest.mark.django_db


def outline(page: str) -> list[int]:
    main = page[page.index("<main") : page.index("</main>")]
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", main)]


def assert_no_skipped_level(levels: list[int]) -> None:
    assert levels.count(1) == 1, levels
    assert levels[0] == 1, levels
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels


@pytest.fixture
def agenda_event(staff):
    event = ExchangeEventFactory()
    AgendaSessionFactory(event=event, title="Welcome")
    publish_agenda(event=event, by=staff)
    # Not event.save(): this instance predates the publication and would write it back as unpublished.
    ExchangeEvent.objects.filter(pk=event.pk).update(
        unplaced_proposals=[
            {"key": "k1", "kind": "discussion", "title": "Left over", "minutes": 75, "speakers": []}
        ]
    )
    return event


def test_public_agenda_outline(client, agenda_event):
    page = client.get(reverse("exchanges:event-agenda", args=[agenda_event.pk])).content.decode()

    assert outline(page) == [1, 2]


def test_event_page_outline(client, agenda_event):
    assert_no_skipped_level(outline(client.get(agenda_event.get_absolute_url()).content.decode()))


def test_agenda_editor_outline(client, staff, agenda_event):
    client.force_login(staff)

    levels = outline(client.get(reverse("exchanges:agenda-edit", args=[agenda_event.pk])).content.decode())

    assert levels == [1, 2, 3, 2, 2]  # Sessions › the day, proposals that did not fit, add a session
    assert_no_skipped_level(levels)


def test_report_page_outline(client):
    report = PublishedReflectionReportFactory(session_ratings=[{"title": "Welcome", "mean": 4.0, "count": 2}])

    levels = outline(client.get(report.get_absolute_url()).content.decode())

    assert levels == [1, 2, 2, 2, 2]
    assert_no_skipped_level(levels)


def test_programme_reports_and_case_study_outlines(client):
    report = CaseStudyReportFactory()

    for url in (
        reverse("exchanges:programme-reports", args=[report.event.programme.slug]),
        reverse("casestudies:case-study-list") + "?source=exchange",
        report.case_study.get_absolute_url(),
    ):
        assert_no_skipped_level(outline(client.get(url).content.decode()))


def test_planning_page_outline(client, staff, agenda_event):
    client.force_login(staff)

    assert_no_skipped_level(
        outline(client.get(reverse("exchanges:event-planning", args=[agenda_event.pk])).content.decode())
    )
