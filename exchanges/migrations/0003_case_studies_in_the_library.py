"""Case studies from exchanges move into the case-study library (challenges.casestudies).

Until now a reflection report was a case study while `case_study_published_at` was set, and agenda sessions
linked reports. Now a report publishes a library case study (`ReflectionReport.case_study`, source
"exchange"), whose own status says whether it is a case study, and sessions link library case studies of
any source. The data step writes a published library case study for every report that was one (title from
the event; need, lessons and result from the report's summary, learnings and commitments; owned by the host
organisation, in its country; published when the report was published as a case study) and re-points the
sessions' links to it. A session's link to a report that was no longer a case study was hidden on every
agenda; it is dropped. Reversible: going back restores the dates and the links of the case studies that
came from reports (the library rows stay, as the library's own data), and going forward again links each
report to its case study left in the library (same host, source "exchange", published at the report's date,
linked from no report) instead of writing a second one."""

import django.db.models.deletion
from django.db import migrations, models


def move_case_studies(apps, schema_editor):
    ReflectionReport = apps.get_model("exchanges", "ReflectionReport")
    AgendaSession = apps.get_model("exchanges", "AgendaSession")
    CaseStudy = apps.get_model("casestudies", "CaseStudy")
    for report in (
        ReflectionReport.objects.filter(status="published", case_study_published_at__isnull=False)
        .select_related("event__host")
        .order_by("pk")
    ):
        host = report.event.host
        # Back to 0002 and forward again: going back keeps the library rows (and restores the report's date
        # from its case study's), so the report's own case study is still there, unlinked. Reuse it rather
        # than publish a second, which would leave the first in public with no report behind it.
        case_study = (
            CaseStudy.objects.filter(
                source="exchange",
                owner=host,
                status="published",
                published_at=report.case_study_published_at,
                reflection_report__isnull=True,
            )
            .order_by(models.Case(models.When(title=report.event.title[:200], then=0), default=1), "pk")
            .first()
        )
        if case_study is None:
            case_study = CaseStudy.objects.create(
                source="exchange",
                outcome="exchange",
                owner=host,
                country=host.country,
                title=report.event.title[:200],
                need=report.summary.strip() or report.event.title,
                lessons=report.learnings,
                result=report.commitments,
                status="published",
                published_at=report.case_study_published_at,
            )
        report.case_study = case_study
        report.save(update_fields=["case_study"])
    old_links = AgendaSession.case_studies.through.objects.filter(reflectionreport__case_study__isnull=False)
    AgendaSession.case_study_links.through.objects.bulk_create(
        [
            AgendaSession.case_study_links.through(agendasession_id=session_id, casestudy_id=case_study_id)
            for session_id, case_study_id in old_links.values_list(
                "agendasession_id", "reflectionreport__case_study_id"
            ).distinct()
        ]
    )


def restore_case_studies(apps, schema_editor):
    ReflectionReport = apps.get_model("exchanges", "ReflectionReport")
    AgendaSession = apps.get_model("exchanges", "AgendaSession")
    reports = ReflectionReport.objects.filter(status="published", case_study__status="published")
    for report in reports.select_related("case_study"):
        report.case_study_published_at = report.case_study.published_at
        report.save(update_fields=["case_study_published_at"])
    report_of_case_study = dict(
        ReflectionReport.objects.filter(case_study__isnull=False).values_list("case_study_id", "pk")
    )
    AgendaSession.case_studies.through.objects.bulk_create(
        [
            AgendaSession.case_studies.through(
                agendasession_id=session_id, reflectionreport_id=report_of_case_study[case_study_id]
            )
            for session_id, case_study_id in AgendaSession.case_study_links.through.objects.values_list(
                "agendasession_id", "casestudy_id"
            )
            if case_study_id in report_of_case_study
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("casestudies", "0001_initial"),
        ("exchanges", "0002_agenda_publication_case_studies"),
    ]

    operations = [
        migrations.AddField(
            model_name="reflectionreport",
            name="case_study",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="reflection_report",
                to="casestudies.casestudy",
                verbose_name="case study",
            ),
        ),
        migrations.AddField(
            model_name="agendasession",
            name="case_study_links",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="casestudies.casestudy", verbose_name="linked case studies"
            ),
        ),
        migrations.RunPython(move_case_studies, restore_case_studies),
        migrations.RemoveField(model_name="agendasession", name="case_studies"),
        migrations.RenameField(
            model_name="agendasession", old_name="case_study_links", new_name="case_studies"
        ),
        migrations.AlterField(
            model_name="agendasession",
            name="case_studies",
            field=models.ManyToManyField(
                blank=True,
                related_name="exchange_sessions",
                to="casestudies.casestudy",
                verbose_name="linked case studies",
            ),
        ),
        migrations.RemoveConstraint(model_name="reflectionreport", name="exchange_case_study_is_published"),
        migrations.RemoveField(model_name="reflectionreport", name="case_study_published_at"),
    ]
