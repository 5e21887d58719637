"""Case studies from exchanges: staff publish a published reflection report as a case study; the public
list pages them; agenda sessions link them (only while they are case studies)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from exchanges.enums import SessionKind
from exchanges.models import AgendaSession
from exchanges.services.agenda import add_session, publish_agenda
from exchanges.services.events import ExchangeStateError
from exchanges.services.reports import publish_case_study, unpublish_report, withdraw_case_study
from tests.factories.exchanges import (
    AgendaSessionFactory,
    CaseStudyFactory,
    ExchangeEventFactory,
    PublishedReflectionReportFactory,
    ReflectionReportFactory,
)

pytestmark = pytest.mark.django_db


# Rules


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [("anonymous", False), ("supplier", False), ("procurer", False), ("participant", False), ("staff", True)],
)
def test_only_staff_may_publish_a_published_report_as_a_case_study(actors, actor, allowed):
    from django.contrib.auth.models import AnonymousUser

    user = actors[actor] or AnonymousUser()
    published, draft, case_study = (
        PublishedReflectionReportFactory(),
        ReflectionReportFactory(),
        CaseStudyFactory(),
    )

    assert user.has_perm("exchanges.publish_case_study", published) is allowed
    assert user.has_perm("exchanges.publish_case_study", draft) is False
    assert user.has_perm("exchanges.publish_case_study", case_study) is False
    assert user.has_perm("exchanges.withdraw_case_study", case_study) is allowed
    assert user.has_perm("exchanges.withdraw_case_study", published) is False


def test_publish_case_study_needs_a_published_report(staff):
    with pytest.raises(ExchangeStateError, match="Publish the report first"):
        publish_case_study(report=ReflectionReportFactory(), by=staff)


def test_publish_and_withdraw_case_study(staff):
    report = PublishedReflectionReportFactory()

    publish_case_study(report=report, by=staff)
    report.refresh_from_db()
    assert report.is_case_study
    with pytest.raises(ExchangeStateError, match="already published as a case study"):
        publish_case_study(report=report, by=staff)
    withdraw_case_study(report=report, by=staff)

    report.refresh_from_db()
    assert (report.is_published, report.is_case_study) == (True, False)


def test_unpublishing_the_report_withdraws_the_case_study(staff):
    report = CaseStudyFactory()

    unpublish_report(report=report, by=staff)

    report.refresh_from_db()
    assert (report.is_published, report.case_study_published_at) == (False, None)


def test_database_refuses_a_case_study_of_a_draft_report():
    with pytest.raises(IntegrityError):
        ReflectionReportFactory(case_study_published_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))


def test_staff_publish_a_case_study_from_the_report_editor(client, staff):
    report = PublishedReflectionReportFactory()
    client.force_login(staff)
    editor = reverse("exchanges:report-edit", args=[report.event_id])
    assert "Publish as a case study" in client.get(editor).content.decode()

    client.post(reverse("exchanges:report-action", args=[report.event_id]), {"action": "case_study"})

    report.refresh_from_db()
    assert report.is_case_study
    assert "Withdraw the case study" in client.get(editor).content.decode()


def test_report_editor_offers_no_case_study_for_a_draft(client, staff):
    report = ReflectionReportFactory()
    client.force_login(staff)

    response = client.post(
        reverse("exchanges:report-action", args=[report.event_id]), {"action": "case_study"}, follow=True
    )

    report.refresh_from_db()
    assert report.case_study_published_at is None
    page = response.content.decode()
    assert "Publish the report first" in page
    assert "Publish as a case study" not in page


# The public list


def test_case_study_list_shows_case_studies_only(client):
    case_study = CaseStudyFactory(event__title="BUILD exchange in Turku", event__city="Turku")
    PublishedReflectionReportFactory(event__title="Only a report")
    ReflectionReportFactory(event__title="A draft")

    page = client.get(reverse("exchanges:case-study-list")).content.decode()

    assert "BUILD exchange in Turku" in page
    assert case_study.get_absolute_url() in page
    assert "Only a report" not in page
    assert "A draft" not in page


def test_case_study_list_is_paginated(client):
    CaseStudyFactory.create_batch(21)

    first = client.get(reverse("exchanges:case-study-list")).content.decode()
    second = client.get(reverse("exchanges:case-study-list") + "?page=2").content.decode()

    assert "Page 1 of 2" in first
    assert second.count("<article") == 1


@pytest.mark.parametrize("rows", [1, 5])
def test_case_study_list_query_count(client, django_assert_num_queries, rows):
    CaseStudyFactory.create_batch(rows)

    with django_assert_num_queries(2):  # the count for the pages, then the page
        client.get(reverse("exchanges:case-study-list"))


def test_case_studies_are_linked_from_the_exchange_pages(client):
    event = ExchangeEventFactory()
    target = reverse("exchanges:case-study-list")

    for url in (
        reverse("exchanges:programme-list"),
        event.programme.get_absolute_url(),
        event.get_absolute_url(),
    ):
        assert f'href="{target}"' in client.get(url).content.decode(), url


def test_report_page_says_it_is_a_case_study(client):
    report = CaseStudyFactory()

    page = client.get(report.get_absolute_url()).content.decode()

    assert "Published as a case study for other cities." in page


# Sessions link case studies


def test_session_form_links_a_case_study_and_the_agenda_shows_it(client, staff):
    case_study = CaseStudyFactory(event__title="BUILD exchange in Turku")
    event = ExchangeEventFactory()
    client.force_login(staff)
    start = event.starts_at.astimezone(event.zone)

    client.post(
        reverse("exchanges:agenda-edit", args=[event.pk]),
        {
            "kind": "discussion",
            "title": "What Turku taught us",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "case_studies": [case_study.pk],
        },
    )
    publish_agenda(event=event, by=staff)
    client.logout()

    session = AgendaSession.objects.get(event=event)
    assert list(session.case_studies.all()) == [case_study]
    page = client.get(reverse("exchanges:event-agenda", args=[event.pk])).content.decode()
    assert f'<a href="{case_study.get_absolute_url()}">BUILD exchange in Turku</a>' in page
    withdraw_case_study(report=case_study, by=staff)
    page = client.get(reverse("exchanges:event-agenda", args=[event.pk])).content.decode()
    assert case_study.get_absolute_url() not in page


def test_session_form_offers_only_case_studies(client, staff):
    report = PublishedReflectionReportFactory(event__title="Not offered")
    event = ExchangeEventFactory()
    client.force_login(staff)
    start = event.starts_at.astimezone(event.zone)

    response = client.post(
        reverse("exchanges:agenda-edit", args=[event.pk]),
        {
            "kind": "discussion",
            "title": "Talk",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "case_studies": [report.pk],
        },
    )

    assert response.status_code == 200
    assert "Not offered" not in response.content.decode()
    assert not AgendaSession.objects.filter(event=event).exists()


def test_add_session_refuses_a_report_that_is_not_a_case_study(staff):
    event = ExchangeEventFactory()

    with pytest.raises(ValidationError) as error:
        add_session(
            event=event,
            by=staff,
            kind=SessionKind.DISCUSSION,
            title="Talk",
            starts_at=event.starts_at,
            ends_at=event.starts_at + datetime.timedelta(hours=1),
            case_studies=[PublishedReflectionReportFactory()],
        )

    assert error.value.message_dict == {"case_studies": ["Only published case studies can be linked."]}


def test_agenda_shows_only_public_challenges(client, staff):
    from challenges.enums import ChallengeStatus
    from tests.factories.challenges import PublishedChallengeFactory

    event = ExchangeEventFactory()
    session = AgendaSessionFactory(event=event)
    public, withdrawn = (
        PublishedChallengeFactory(title="Public need"),
        PublishedChallengeFactory(title="Gone"),
    )
    session.challenges.set([public, withdrawn])
    publish_agenda(event=event, by=staff)
    withdrawn.status = ChallengeStatus.DRAFT
    withdrawn.save()

    page = client.get(reverse("exchanges:event-agenda", args=[event.pk])).content.decode()

    assert "Public need" in page
    assert "Gone" not in page
