import datetime

import pytest
from django.urls import reverse

from exchanges.enums import EventStatus, ReportStatus
from exchanges.models import ReflectionReport
from exchanges.services.events import ExchangeStateError
from exchanges.services.reports import publish_report, start_report
from exchanges.services.surveys import close_event_survey, create_event_survey, open_event_survey
from exchanges.surveys.models import Question
from exchanges.surveys.services import save_answers
from portal.notifications.models import OutboxMail
from tests.factories.exchanges import (
    AgendaSessionFactory,
    ExchangeEventFactory,
    PublishedAgendaSessionFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db


def _reflection(data_by_person: list[dict], staff, *, anonymous=False):
    event = ExchangeEventFactory(status=EventStatus.COMPLETED)
    first = PublishedAgendaSessionFactory(event=event, title="Market dialogue")
    second = PublishedAgendaSessionFactory(
        event=event,
        title="Site visit",
        starts_at=first.ends_at,
        ends_at=first.ends_at + datetime.timedelta(hours=1),
    )
    survey = create_event_survey(event=event, which="reflection", by=staff, is_anonymous=anonymous)
    open_event_survey(event=event, which="reflection", by=staff)
    for data in data_by_person:
        registration = RegistrationFactory(event=event)
        ratings = {f"session-{first.pk}": data.pop("first"), f"session-{second.pk}": data.pop("second")}
        save_answers(
            survey=survey,
            user=registration.user,
            data={
                "differences": "They plan longer",
                "surprises": "Nothing much",
                "bring_back_to": "My team",
                "overall": 4,
                **ratings,
                **data,
            },
            submit=True,
        )
    close_event_survey(event=event, which="reflection", by=staff)
    return event


def test_reflection_survey_asks_for_a_rating_of_each_session(staff):
    event = ExchangeEventFactory()
    first = PublishedAgendaSessionFactory(event=event, title="Welcome")
    unpublished = AgendaSessionFactory(event=event, title="Not agreed yet")  # a new session, not published

    survey = create_event_survey(event=event, which="reflection", by=staff)

    assert not Question.objects.filter(survey=survey, key=f"session-{unpublished.pk}").exists()
    question = Question.objects.get(survey=survey, key=f"session-{first.pk}")
    assert (question.kind, question.scale_min, question.scale_max, question.required) == (
        "scale",
        1,
        5,
        False,
    )
    assert question.text == "How useful was “Welcome”?"


@pytest.mark.parametrize("anonymous", [False, True])
def test_report_is_prefilled_with_consenting_texts_and_ratings_only(staff, anonymous):
    event = _reflection(
        [
            {
                "learnings": "Talk to the market early",
                "commitment": "Hold a market day",
                "quote_consent": "yes",
                "surprises": "Tartu buys with a 3-page need",
                "first": 5,
                "second": 3,
            },
            {
                "learnings": "Secret learning",
                "commitment": "Secret action",
                "quote_consent": "no",
                "surprises": "Secret surprise",
                "first": 4,
                "second": 2,
            },
        ],
        staff,
        anonymous=anonymous,
    )

    report = start_report(event=event, by=staff)

    assert report.learnings == "Talk to the market early"
    assert report.commitments == "Hold a market day"
    assert report.quotes == "Tartu buys with a 3-page need\nThey plan longer"
    assert report.session_ratings == [
        {"title": "Market dialogue", "kind": "presentation", "mean": 4.5, "count": 2},
        {"title": "Site visit", "kind": "presentation", "mean": 2.5, "count": 2},
    ]
    assert report.status == ReportStatus.DRAFT


def test_report_waits_for_the_reflection_survey_to_close(staff):
    event = ExchangeEventFactory(status=EventStatus.COMPLETED)
    PublishedAgendaSessionFactory(event=event)
    create_event_survey(event=event, which="reflection", by=staff)

    with pytest.raises(ExchangeStateError, match="Close the reflection survey first"):
        start_report(event=event, by=staff)


def test_publish_report_makes_it_public_marks_the_event_reflected_and_tells_participants(client, staff):
    event = _reflection(
        [{"learnings": "L", "commitment": "C", "quote_consent": "yes", "first": 5, "second": 5}], staff
    )
    report = start_report(event=event, by=staff)
    with pytest.raises(ExchangeStateError, match="Write a summary"):
        publish_report(report=report, by=staff)
    ReflectionReport.objects.filter(pk=report.pk).update(summary="A good exchange.")
    assert client.get(report.get_absolute_url()).status_code == 404

    publish_report(report=report, by=staff)

    event.refresh_from_db()
    assert event.status == EventStatus.REFLECTED
    page = client.get(report.get_absolute_url()).content.decode()
    assert "A good exchange." in page
    assert "Market dialogue" in page
    assert OutboxMail.objects.filter(kind="exchanges.report_published").count() == 1
    programme_page = client.get(
        reverse("exchanges:programme-reports", args=[event.programme.slug])
    ).content.decode()
    assert "A good exchange." in programme_page


def test_report_editor_starts_edits_and_publishes_through_the_pages(client, staff):
    event = _reflection(
        [{"learnings": "L", "commitment": "C", "quote_consent": "yes", "first": 5, "second": 4}], staff
    )
    client.force_login(staff)
    url = reverse("exchanges:report-edit", args=[event.pk])

    assert "Start the report" in client.get(url).content.decode()
    client.post(url)
    response = client.post(
        url, {"summary": "What we learnt", "learnings": "L", "quotes": "", "commitments": "C"}
    )
    assert response.status_code == 302
    response = client.post(reverse("exchanges:report-action", args=[event.pk]), {"action": "publish"})

    report = ReflectionReport.objects.get(event=event)
    assert response["Location"] == report.get_absolute_url()
    assert (report.summary, report.status) == ("What we learnt", ReportStatus.PUBLISHED)
