"""The reflection report: prefilled from the closed reflection survey, edited by staff and published as a
public page, and offered to other cities as a case study of the library (challenges.casestudies).
What appears word for word comes only from respondents who agreed to be quoted
(consenting_texts); everyone's answers reach the report as numbers (session ratings) and through the
staff's own summary, written from the results page."""

import contextlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.casestudies.services import (
    CaseStudyStateError,
    publish_exchange_case_study,
    sync_exchange_case_study,
)
from challenges.casestudies.services import unpublish_case_study as unpublish_library_case_study
from exchanges.surveys.enums import SurveyStatus
from exchanges.surveys.selectors import consenting_texts
from portal.audit.services import record_audit
from portal.notifications.services import notify

from .. import kinds
from ..enums import EventStatus, ReportStatus
from ..models import AgendaSession, ExchangeEvent, ReflectionReport
from ..selectors import confirmed_users
from .events import ExchangeStateError

REPORT_FIELDS = ("summary", "learnings", "quotes", "commitments")


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def session_ratings(*, event: ExchangeEvent) -> list[dict]:
    """[{title, kind, mean, count}] per agenda session, from the reflection survey's submitted ratings."""
    from exchanges.surveys.models import Answer

    survey = event.reflection_survey
    if survey is None:
        return []
    values: dict[str, list[int]] = {}
    for key, value in Answer.objects.filter(
        response__survey=survey, response__submitted_at__isnull=False, question__key__startswith="session-"
    ).values_list("question__key", "value"):
        if isinstance(value, int) and not isinstance(value, bool):
            values.setdefault(key, []).append(value)
    ratings = []
    for session in AgendaSession.objects.filter(event=event, proposed=False).order_by("starts_at"):
        scores = values.get(session.rating_key, [])
        if not session.published and not scores:
            continue  # a session staff have not published (yet) is not named in a report
        ratings.append(
            {"title": session.title, "kind": session.kind, "mean": _mean(scores), "count": len(scores)}
        )
    return ratings


def report_prefill(*, event: ExchangeEvent) -> dict:
    survey = event.reflection_survey

    def lines(key: str) -> str:
        return "\n".join(
            " ".join(text.split()) for text in consenting_texts(survey=survey, key=key) if text.strip()
        )

    quotes = "\n".join(part for part in (lines("surprises"), lines("differences")) if part)
    return {
        "learnings": lines("learnings"),
        "quotes": quotes,
        "commitments": lines("commitment"),
        "session_ratings": session_ratings(event=event),
    }


def start_report(*, event: ExchangeEvent, by) -> ReflectionReport:
    """The event's draft report, prefilled from the reflection survey once it has closed (an existing
    report is returned as it is)."""
    with transaction.atomic():
        event = ExchangeEvent.objects.select_for_update().get(pk=event.pk)
        existing = ReflectionReport.objects.filter(event=event).first()
        if existing is not None:
            return existing
        survey = event.reflection_survey
        if survey is None or survey.status != SurveyStatus.CLOSED:
            raise ExchangeStateError(
                _("Close the reflection survey first: the report is written from its answers.")
            )
        report = ReflectionReport.objects.create(event=event, **report_prefill(event=event))
        record_audit(actor=by, action="exchange.report_started", target=event)
    return report


def refresh_report_ratings(*, report: ReflectionReport, by) -> ReflectionReport:
    with transaction.atomic():
        report = ReflectionReport.objects.select_for_update().select_related("event").get(pk=report.pk)
        report.session_ratings = session_ratings(event=report.event)
        report.save(update_fields=["session_ratings", "updated_at"])
        record_audit(actor=by, action="exchange.report_ratings_refreshed", target=report.event)
    return report


def case_study_values(*, report: ReflectionReport, title: str) -> dict:
    """What a report's case study says, from the report and its event's title: the summary is the need
    (the title when the summary is empty), the learnings the lessons, the commitments the result."""
    return {
        "title": title,
        "need": report.summary if report.summary.strip() else title,
        "lessons": report.learnings,
        "result": report.commitments,
    }


def update_report(*, report: ReflectionReport, by, **values) -> ReflectionReport:
    """Change the report's text. When it is a case study, its case study in the library follows in the
    same transaction (corrections reach the public copy; audited in the library as casestudy.updated)."""
    unknown = set(values) - set(REPORT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown report fields: {sorted(unknown)}")
    with transaction.atomic():
        report = (
            ReflectionReport.objects.select_for_update(of=("self",))
            .select_related("event", "case_study")
            .get(pk=report.pk)
        )
        for name, value in values.items():
            setattr(report, name, value)
        report.save()
        record_audit(
            actor=by, action="exchange.report_updated", target=report.event, data={"fields": sorted(values)}
        )
        if report.is_case_study:
            values = case_study_values(report=report, title=report.event.title)
            report.case_study = sync_exchange_case_study(case_study=report.case_study, by=by, **values)
    return report


def publish_report(*, report: ReflectionReport, by) -> ReflectionReport:
    """Publish the report as a public page; a completed event becomes reflected. Tells the participants."""
    with transaction.atomic():
        # The event first, then the report: the order every service locks them in.
        event = ExchangeEvent.objects.select_for_update().get(pk=report.event_id)
        report = ReflectionReport.objects.select_for_update().get(pk=report.pk)
        if report.is_published:
            raise ExchangeStateError(_("The report is already published."))
        if not report.summary.strip():
            raise ExchangeStateError(_("Write a summary before publishing the report."))
        report.status, report.published_at = ReportStatus.PUBLISHED, timezone.now()
        report.save(update_fields=["status", "published_at", "updated_at"])
        if event.status == EventStatus.COMPLETED:
            event.status = EventStatus.REFLECTED
            event.save(update_fields=["status", "updated_at"])
        record_audit(actor=by, action="exchange.report_published", target=event)
        notify(
            recipients=confirmed_users(event=event),
            kind=kinds.REPORT_PUBLISHED,
            context={"event": event},
            target=report,
        )
    return report


def unpublish_report(*, report: ReflectionReport, by) -> ReflectionReport:
    """Back to draft: the public no longer sees the report, nor the case study it was (the case study is
    unpublished in the library and stays linked, to be published again with the report)."""
    with transaction.atomic():
        ExchangeEvent.objects.select_for_update().get(pk=report.event_id)  # the order every service locks in
        report = (
            ReflectionReport.objects.select_for_update(of=("self",))
            .select_related("case_study")
            .get(pk=report.pk)
        )
        if not report.is_published:
            raise ExchangeStateError(_("The report is not published."))
        if report.is_case_study:
            # Unpublished in the library a moment ago is what we want too.
            with contextlib.suppress(CaseStudyStateError):
                unpublish_library_case_study(case_study=report.case_study, by=by)
        report.status, report.published_at = ReportStatus.DRAFT, None
        report.save(update_fields=["status", "published_at", "updated_at"])
        record_audit(actor=by, action="exchange.report_unpublished", target=report.event)
    return report


def publish_case_study(*, report: ReflectionReport, by) -> ReflectionReport:
    """Offer a published report to other cities as a case study: a case study of the library is written
    from it (the event's title; the report's summary as the need, its learnings as the lessons and its
    commitments as the result; owned by the host organisation, in its country) and published, or the one
    written before is brought up to date and published again. The library lists it and agenda sessions of
    any exchange may link it."""
    with transaction.atomic():
        event = (
            ExchangeEvent.objects.select_for_update(of=("self",))
            .select_related("host")
            .get(pk=report.event_id)
        )
        report = (
            ReflectionReport.objects.select_for_update(of=("self",))
            .select_related("case_study")
            .get(pk=report.pk)
        )
        if not report.is_published:
            raise ExchangeStateError(
                _("Publish the report first: only a published report can be a case study.")
            )
        if report.is_case_study:
            raise ExchangeStateError(_("The report is already published as a case study."))
        try:
            case_study = publish_exchange_case_study(
                case_study=report.case_study,
                owner=event.host,
                **case_study_values(report=report, title=event.title),
                by=by,
            )
        except CaseStudyStateError as error:  # published in the library a moment ago
            raise ExchangeStateError(str(error)) from error
        report.case_study = case_study
        report.save(update_fields=["case_study", "updated_at"])
        record_audit(
            actor=by, action="exchange.case_study_published", target=event, data={"case_study": case_study.pk}
        )
    return report


def withdraw_case_study(*, report: ReflectionReport, by) -> ReflectionReport:
    """No longer a case study: its case study is unpublished, so it leaves the library and the agendas that
    linked it (the report itself stays published)."""
    with transaction.atomic():
        ExchangeEvent.objects.select_for_update().get(pk=report.event_id)
        report = (
            ReflectionReport.objects.select_for_update(of=("self",))
            .select_related("case_study")
            .get(pk=report.pk)
        )
        if not report.is_case_study:
            raise ExchangeStateError(_("The report is not published as a case study."))
        try:
            report.case_study = unpublish_library_case_study(case_study=report.case_study, by=by)
        except CaseStudyStateError as error:  # unpublished in the library a moment ago
            raise ExchangeStateError(str(error)) from error
        record_audit(
            actor=by,
            action="exchange.case_study_withdrawn",
            target=report.event,
            data={"case_study": report.case_study_id},
        )
    return report
