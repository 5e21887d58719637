"""Case studies from exchanges: staff publish a published reflection report as a case study of the library
(challenges.casestudies); the old list redirects to the library; agenda sessions link published case
studies of any source."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse

from challenges.casestudies.enums import CaseOutcome, CaseSource, CaseStudyStatus
from challenges.casestudies.models import CaseStudy
from challenges.casestudies.services import unpublish_case_study
from exchanges.enums import EventStatus, SessionKind
from exchanges.models import AgendaSession, ReflectionReport
from exchanges.services.agenda import add_session, publish_agenda
from exchanges.services.events import ExchangeStateError, update_event
from exchanges.services.reports import (
    publish_case_study,
    unpublish_report,
    update_report,
    withdraw_case_study,
)
from portal.audit.models import AuditEvent
from tests.factories.casestudies import CaseStudyFactory, PublishedCaseStudyFactory
from tests.factories.exchanges import (
    AgendaSessionFactory,
    CaseStudyReportFactory,
    ExchangeEventFactory,
    PublishedReflectionReportFactory,
    ReflectionReportFactory,
)

pytestmark = pytest.mark.django_db


def _report(report: ReflectionReport) -> ReflectionReport:
    return ReflectionReport.objects.select_related("case_study").get(pk=report.pk)


# Rules


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [("anonymous", False), ("supplier", False), ("procurer", False), ("participant", False), ("staff", True)],
)
def test_only_staff_may_publish_a_published_report_as_a_case_study(actors, actor, allowed):
    user = actors[actor] or AnonymousUser()
    published, draft, case_study = (
        _report(PublishedReflectionReportFactory()),
        _report(ReflectionReportFactory()),
        _report(CaseStudyReportFactory()),
    )

    assert user.has_perm("exchanges.publish_case_study", published) is allowed
    assert user.has_perm("exchanges.publish_case_study", draft) is False
    assert user.has_perm("exchanges.publish_case_study", case_study) is False
    assert user.has_perm("exchanges.withdraw_case_study", case_study) is allowed
    assert user.has_perm("exchanges.withdraw_case_study", published) is False


def test_publish_case_study_needs_a_published_report(staff):
    with pytest.raises(ExchangeStateError, match="Publish the report first"):
        publish_case_study(report=ReflectionReportFactory(), by=staff)
    assert not CaseStudy.objects.exists()


def test_publishing_a_report_as_a_case_study_writes_it_in_the_library(staff):
    report = PublishedReflectionReportFactory(
        event__title="BUILD exchange in Turku",
        event__host__name="City of Turku",
        event__host__country="FI",
        summary="Turku meets the market first.",
        learnings="Market dialogue early\nWrite needs",
        commitments="Run a market day",
    )

    publish_case_study(report=report, by=staff)

    report = _report(report)
    case_study = report.case_study
    assert report.is_case_study
    assert (case_study.source, case_study.outcome, case_study.status) == (
        CaseSource.EXCHANGE,
        CaseOutcome.EXCHANGE,
        CaseStudyStatus.PUBLISHED,
    )
    assert (case_study.owner, str(case_study.country), case_study.challenge) == (
        report.event.host,
        "FI",
        None,
    )
    assert (case_study.title, case_study.need, case_study.lessons, case_study.result) == (
        "BUILD exchange in Turku",
        "Turku meets the market first.",
        "Market dialogue early\nWrite needs",
        "Run a market day",
    )
    assert case_study.published_at is not None
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"exchange.case_study_published", "casestudy.published"} <= actions


def test_publish_withdraw_and_publish_again_keeps_one_case_study(staff):
    report = PublishedReflectionReportFactory()

    publish_case_study(report=report, by=staff)
    with pytest.raises(ExchangeStateError, match="already published as a case study"):
        publish_case_study(report=report, by=staff)
    withdraw_case_study(report=report, by=staff)

    report = _report(report)
    assert (report.is_published, report.is_case_study, report.case_study.status) == (
        True,
        False,
        CaseStudyStatus.DRAFT,
    )
    first = report.case_study_id
    ReflectionReport.objects.filter(pk=report.pk).update(summary="Written again.")
    publish_case_study(report=report, by=staff)

    report = _report(report)
    assert report.is_case_study
    assert (report.case_study_id, report.case_study.need) == (first, "Written again.")
    assert CaseStudy.objects.count() == 1


def test_withdrawing_what_is_not_a_case_study_is_refused(staff):
    with pytest.raises(ExchangeStateError, match="not published as a case study"):
        withdraw_case_study(report=PublishedReflectionReportFactory(), by=staff)


def test_unpublishing_the_report_unpublishes_the_case_study(staff):
    report = CaseStudyReportFactory()

    unpublish_report(report=report, by=staff)

    report = _report(report)
    assert (report.is_published, report.is_case_study, report.case_study.status) == (
        False,
        False,
        CaseStudyStatus.DRAFT,
    )
    assert not CaseStudy.objects.published().exists()


def test_unpublishing_in_the_library_withdraws_the_report_as_a_case_study(staff):
    report = CaseStudyReportFactory()

    unpublish_case_study(case_study=report.case_study, by=staff)

    report = _report(report)
    assert (report.is_published, report.is_case_study) == (True, False)
    assert not ReflectionReport.objects.case_studies().exists()
    assert staff.has_perm("exchanges.publish_case_study", report)


def test_staff_publish_a_case_study_from_the_report_editor(client, staff):
    report = PublishedReflectionReportFactory()
    client.force_login(staff)
    editor = reverse("exchanges:report-edit", args=[report.event_id])
    assert "Publish as a case study" in client.get(editor).content.decode()

    client.post(reverse("exchanges:report-action", args=[report.event_id]), {"action": "case_study"})

    report = _report(report)
    assert report.is_case_study
    page = client.get(editor).content.decode()
    assert "Withdraw the case study" in page
    assert report.case_study.get_absolute_url() in page


def test_report_editor_offers_no_case_study_for_a_draft(client, staff):
    report = ReflectionReportFactory()
    client.force_login(staff)

    response = client.post(
        reverse("exchanges:report-action", args=[report.event_id]), {"action": "case_study"}, follow=True
    )

    assert _report(report).case_study is None
    page = response.content.decode()
    assert "Publish the report first" in page
    assert "Publish as a case study" not in page


# The old list moved to the library


def test_old_case_study_list_redirects_to_the_library_filtered_to_exchanges(client):
    response = client.get(reverse("exchanges:case-study-list"))

    assert response.status_code == 301
    assert response["Location"] == reverse("casestudies:case-study-list") + "?source=exchange"


def test_library_filtered_to_exchanges_shows_their_case_studies_only(client):
    CaseStudyReportFactory(event__title="BUILD exchange in Turku")
    PublishedReflectionReportFactory(event__title="Only a report")
    PublishedCaseStudyFactory(title="A challenge's case study")

    page = client.get(reverse("exchanges:case-study-list"), follow=True).content.decode()

    assert "BUILD exchange in Turku" in page
    assert "Only a report" not in page
    assert "A challenge&#x27;s case study" not in page


def test_case_studies_are_linked_from_the_exchange_pages(client):
    event = ExchangeEventFactory()
    target = reverse("casestudies:case-study-list") + "?source=exchange"

    for url in (
        reverse("exchanges:programme-list"),
        event.programme.get_absolute_url(),
        event.get_absolute_url(),
    ):
        assert f'href="{target}"' in client.get(url).content.decode(), url


def test_report_page_says_it_is_a_case_study_and_links_it(client):
    report = CaseStudyReportFactory()

    page = client.get(report.get_absolute_url()).content.decode()

    assert "Published as a case study for other cities." in page
    assert f'href="{report.case_study.get_absolute_url()}"' in page


def test_library_page_of_an_exchange_case_study_links_the_event_and_report(client):
    report = CaseStudyReportFactory(event__title="BUILD exchange in Turku")

    page = client.get(report.case_study.get_absolute_url()).content.decode()

    assert f'href="{report.event.get_absolute_url()}"' in page
    assert f'href="{report.get_absolute_url()}"' in page


# Sessions link case studies of any source


def _session_data(event, title, case_studies):
    start = event.starts_at.astimezone(event.zone)
    return {
        "kind": "discussion",
        "title": title,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "case_studies": [case_study.pk for case_study in case_studies],
    }


def test_session_form_links_case_studies_and_the_agenda_shows_them(client, staff):
    from_exchange = CaseStudyReportFactory(event__title="BUILD exchange in Turku").case_study
    from_challenge = PublishedCaseStudyFactory(title="Fewer falls at home")
    event = ExchangeEventFactory()
    client.force_login(staff)

    client.post(
        reverse("exchanges:agenda-edit", args=[event.pk]),
        _session_data(event, "What others taught us", [from_exchange, from_challenge]),
    )
    publish_agenda(event=event, by=staff)
    client.logout()

    session = AgendaSession.objects.get(event=event)
    assert set(session.case_studies.all()) == {from_exchange, from_challenge}
    agenda = reverse("exchanges:event-agenda", args=[event.pk])
    page = client.get(agenda).content.decode()
    assert f'<a href="{from_exchange.get_absolute_url()}">BUILD exchange in Turku</a>' in page
    assert f'<a href="{from_challenge.get_absolute_url()}">Fewer falls at home</a>' in page
    unpublish_case_study(case_study=from_challenge, by=staff)
    page = client.get(agenda).content.decode()
    assert from_challenge.get_absolute_url() not in page
    assert from_exchange.get_absolute_url() in page


def test_session_form_offers_only_published_case_studies(client, staff):
    draft = CaseStudyFactory(title="Not offered")
    event = ExchangeEventFactory()
    client.force_login(staff)

    response = client.post(
        reverse("exchanges:agenda-edit", args=[event.pk]), _session_data(event, "Talk", [draft])
    )

    assert response.status_code == 200
    assert "Not offered" not in response.content.decode()
    assert not AgendaSession.objects.filter(event=event).exists()


def test_add_session_refuses_a_case_study_that_is_not_published(staff):
    event = ExchangeEventFactory()

    with pytest.raises(ValidationError) as error:
        add_session(
            event=event,
            by=staff,
            kind=SessionKind.DISCUSSION,
            title="Talk",
            starts_at=event.starts_at,
            ends_at=event.starts_at + datetime.timedelta(hours=1),
            case_studies=[CaseStudyFactory()],
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


# Edits of a report that is a case study reach the library


def test_editing_the_report_updates_its_case_study_in_the_library(staff):
    report = CaseStudyReportFactory(summary="Turku met 40 suppliers.", learnings="Meet early")

    update_report(
        report=report,
        by=staff,
        summary="Turku met 14 suppliers.",
        learnings="Meet early\nName no one without consent",
        commitments="A market day in May",
    )

    case_study = CaseStudy.objects.get(pk=report.case_study_id)
    assert (case_study.need, case_study.lessons, case_study.result) == (
        "Turku met 14 suppliers.",
        "Meet early\nName no one without consent",
        "A market day in May",
    )
    entry = AuditEvent.objects.get(action="casestudy.updated")
    assert (entry.actor, entry.organisation, entry.target_id) == (
        staff,
        report.event.host,
        str(case_study.pk),
    )
    assert entry.data == {"fields": ["lessons", "need", "result"], "from": "reflection report"}


def test_editing_the_report_page_updates_the_public_case_study(client, staff):
    report = CaseStudyReportFactory(summary="Turku met 40 suppliers.")
    client.force_login(staff)
    data = {
        "summary": "Turku met 14 suppliers.",
        "learnings": report.learnings,
        "quotes": report.quotes,
        "commitments": report.commitments,
    }

    client.post(reverse("exchanges:report-edit", args=[report.event_id]), data)

    client.logout()
    page = client.get(report.case_study.get_absolute_url()).content.decode()
    assert "Turku met 14 suppliers." in page
    assert "Turku met 40 suppliers." not in page


def test_a_report_without_summary_keeps_a_need_in_its_case_study(staff):
    report = CaseStudyReportFactory(event__title="BUILD exchange in Turku")

    update_report(report=report, by=staff, summary="  ")

    assert CaseStudy.objects.get(pk=report.case_study_id).need == "BUILD exchange in Turku"


def test_editing_a_report_without_a_published_case_study_leaves_the_library_alone(staff):
    report = CaseStudyReportFactory(summary="Before")
    withdraw_case_study(report=report, by=staff)

    update_report(report=report, by=staff, summary="After")

    assert CaseStudy.objects.get(pk=report.case_study_id).need == "Before"
    assert not AuditEvent.objects.filter(action="casestudy.updated").exists()


def test_an_unchanged_report_writes_no_case_study_audit(staff):
    report = CaseStudyReportFactory()

    update_report(report=report, by=staff, summary=report.summary)

    assert not AuditEvent.objects.filter(action="casestudy.updated").exists()


def test_renaming_the_event_renames_its_case_study(staff):
    # A completed exchange cannot be edited, but nothing waits for the end to close the reflection survey
    # and publish the report.
    report = CaseStudyReportFactory(event__title="BUILD exchange", event__status=EventStatus.RUNNING)

    update_event(event=report.event, by=staff, title="BUILD exchange in Turku")

    assert CaseStudy.objects.get(pk=report.case_study_id).title == "BUILD exchange in Turku"
    entry = AuditEvent.objects.get(action="casestudy.updated")
    assert (entry.organisation, entry.data) == (
        report.event.host,
        {"fields": ["title"], "from": "reflection report"},
    )


def test_other_event_edits_leave_the_case_study_alone(staff):
    report = CaseStudyReportFactory(event__title="BUILD exchange", event__status=EventStatus.RUNNING)

    update_event(event=report.event, by=staff, venue="Library")

    assert CaseStudy.objects.get(pk=report.case_study_id).title == "BUILD exchange"
    assert not AuditEvent.objects.filter(action="casestudy.updated").exists()
