"""exchanges 0003: reports published as case studies become library case studies, and the agenda sessions'
links follow them. Run on a real schema: migrate back to 0002, write rows as they were, migrate forward,
read them as they are (and back again, to check it reverses)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("exchanges", "0002_agenda_publication_case_studies"), ("casestudies", "0001_initial")]
AFTER = [("exchanges", "0003_case_studies_in_the_library")]
WHEN = datetime.datetime(2026, 5, 4, 12, 0, tzinfo=datetime.UTC)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps(transactional_db):
    apps = _migrate(BEFORE)
    yield apps
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _old_rows(apps):
    Organisation = apps.get_model("accounts", "Organisation")
    Programme = apps.get_model("exchanges", "ExchangeProgramme")
    Event = apps.get_model("exchanges", "ExchangeEvent")
    Report = apps.get_model("exchanges", "ReflectionReport")
    Session = apps.get_model("exchanges", "AgendaSession")
    host = Organisation.objects.create(
        name="City of Turku", slug="turku", kind="buyer", country="FI", city="Turku"
    )
    office = Organisation.objects.create(name="Programme", slug="programme", kind="programme", country="NL")
    programme = Programme.objects.create(name="BUILD", slug="build", organiser=office)

    def event(title, days):
        start = WHEN + datetime.timedelta(days=days)
        return Event.objects.create(
            programme=programme,
            title=title,
            host=host,
            city="Turku",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=30),
            status="reflected",
        )

    case_study = Report.objects.create(
        event=event("BUILD exchange in Turku", 0),
        summary="Turku meets the market first.",
        learnings="Market dialogue early",
        commitments="Run a market day",
        status="published",
        published_at=WHEN,
        case_study_published_at=WHEN,
    )
    only_report = Report.objects.create(
        event=event("Only a report", 10), summary="S", status="published", published_at=WHEN
    )
    later = event("Later exchange", 60)
    session = Session.objects.create(
        event=later,
        kind="discussion",
        title="Learning from Turku",
        starts_at=later.starts_at,
        ends_at=later.starts_at + datetime.timedelta(hours=1),
    )
    session.case_studies.set([case_study, only_report])
    return case_study.pk, only_report.pk, session.pk


def test_migration_writes_library_case_studies_and_repoints_links(old_apps):
    report_pk, only_report_pk, session_pk = _old_rows(old_apps)

    apps = _migrate(AFTER)

    Report = apps.get_model("exchanges", "ReflectionReport")
    CaseStudy = apps.get_model("casestudies", "CaseStudy")
    Session = apps.get_model("exchanges", "AgendaSession")
    case_study = CaseStudy.objects.get()
    assert Report.objects.get(pk=report_pk).case_study_id == case_study.pk
    assert Report.objects.get(pk=only_report_pk).case_study_id is None
    assert (case_study.source, case_study.outcome, case_study.status, case_study.published_at) == (
        "exchange",
        "exchange",
        "published",
        WHEN,
    )
    assert (case_study.owner.name, str(case_study.country), case_study.challenge_id) == (
        "City of Turku",
        "FI",
        None,
    )
    assert (case_study.title, case_study.need, case_study.lessons, case_study.result) == (
        "BUILD exchange in Turku",
        "Turku meets the market first.",
        "Market dialogue early",
        "Run a market day",
    )
    assert list(Session.objects.get(pk=session_pk).case_studies.values_list("pk", flat=True)) == [
        case_study.pk
    ]

    apps = _migrate(BEFORE)

    Report = apps.get_model("exchanges", "ReflectionReport")
    Session = apps.get_model("exchanges", "AgendaSession")
    assert Report.objects.get(pk=report_pk).case_study_published_at == WHEN
    assert Report.objects.get(pk=only_report_pk).case_study_published_at is None
    assert list(Session.objects.get(pk=session_pk).case_studies.values_list("pk", flat=True)) == [report_pk]


def test_migration_forward_back_and_forward_again_keeps_one_case_study(old_apps):
    report_pk, _only_report_pk, session_pk = _old_rows(old_apps)
    apps = _migrate(AFTER)
    first = apps.get_model("casestudies", "CaseStudy").objects.get().pk

    _migrate(BEFORE)
    apps = _migrate(AFTER)

    CaseStudy = apps.get_model("casestudies", "CaseStudy")
    Report = apps.get_model("exchanges", "ReflectionReport")
    Session = apps.get_model("exchanges", "AgendaSession")
    assert list(CaseStudy.objects.values_list("pk", "status", "published_at")) == [(first, "published", WHEN)]
    assert Report.objects.get(pk=report_pk).case_study_id == first
    assert list(Session.objects.get(pk=session_pk).case_studies.values_list("pk", flat=True)) == [first]
