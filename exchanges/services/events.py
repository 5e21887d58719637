"""Exchange programmes and events: creation (optionally from the BUILD template), edits and the status
transitions planning → registration open → registration closed → running → completed → reflected."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from challenges.casestudies.services import sync_exchange_case_study
from portal.audit.services import record_audit

from ..enums import NEXT_STATUSES, EventStatus, ReportStatus, SessionKind, TargetGroup
from ..models import AgendaSession, ExchangeEvent, ExchangeProgramme, ReflectionReport


class ExchangeStateError(Exception):
    """The event's state does not allow the action; the message says why, for the person."""


# Places an exchange may have: the column holds far more, but a bigger number is a typo.
MAX_CAPACITY = 10_000
# The years an exchange's dates may fall in. Beyond them a date is a typo, and the first and last years
# Python can hold overflow when a time is moved between zones.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


EVENT_FIELDS = (
    "title",
    "host",
    "city",
    "timezone",
    "starts_at",
    "ends_at",
    "venue",
    "address",
    "capacity",
    "target_groups",
    "description",
    "registration_opens_at",
    "registration_closes_at",
    "cancellation_cutoff",
)
DATE_FIELDS = (
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "cancellation_cutoff",
)


@dataclass(frozen=True)
class TemplateSession:
    day: int  # 0 = first day, 1 = the half day
    start: datetime.time
    end: datetime.time
    kind: str
    title: str
    description: str = ""


# The BUILD exchange: one and a half working days of presentations, discussions, a real case and a site
# visit, balanced with free time. The morning of the half day is left open for what the pre-exchange
# survey asks for (the draft agenda fills it). Times are on the host's clock.
BUILD_TEMPLATE = (
    TemplateSession(
        0,
        datetime.time(9, 0),
        datetime.time(9, 45),
        SessionKind.PRESENTATION,
        gettext_lazy("Welcome and introductions"),
    ),
    TemplateSession(
        0,
        datetime.time(9, 45),
        datetime.time(10, 45),
        SessionKind.PRESENTATION,
        gettext_lazy("How the host city buys innovation"),
    ),
    TemplateSession(
        0,
        datetime.time(11, 0),
        datetime.time(12, 0),
        SessionKind.REAL_CASE,
        gettext_lazy("Real case from the host city"),
    ),
    TemplateSession(
        0, datetime.time(12, 0), datetime.time(13, 0), SessionKind.FREE_TIME, gettext_lazy("Lunch")
    ),
    TemplateSession(
        0, datetime.time(13, 0), datetime.time(15, 0), SessionKind.SITE_VISIT, gettext_lazy("Site visit")
    ),
    TemplateSession(
        1,
        datetime.time(10, 45),
        datetime.time(12, 0),
        SessionKind.DISCUSSION,
        gettext_lazy("Reflection and next steps"),
    ),
)
TEMPLATE_DAY_START = datetime.time(9, 0)
TEMPLATE_LAST_DAY_END = datetime.time(12, 30)


def next_working_day(day: datetime.date) -> datetime.date:
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def local_moment(day: datetime.date, time: datetime.time, zone) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=zone).astimezone(datetime.UTC)


def template_times(*, first_day: datetime.date, zone) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of a BUILD exchange beginning on first_day: 09:00 to 12:30 the next working day."""
    return (
        local_moment(first_day, TEMPLATE_DAY_START, zone),
        local_moment(next_working_day(first_day), TEMPLATE_LAST_DAY_END, zone),
    )


def _check_years(values: dict) -> None:
    """Refuse dates outside EARLIEST_YEAR to LATEST_YEAR before anything computes with them."""
    errors = {
        name: _("Give a date between the years %(first)s and %(last)s.")
        % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
        for name in DATE_FIELDS
        if isinstance(values.get(name), datetime.datetime)
        and not EARLIEST_YEAR <= values[name].year <= LATEST_YEAR
    }
    if errors:
        raise ValidationError(errors)


def _check_event(values: dict) -> None:
    _check_years(values)
    errors = {}
    capacity = values.get("capacity")
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = _("An exchange has between 1 and %(max)s places.") % {"max": MAX_CAPACITY}
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts and ends and ends <= starts:
        errors["ends_at"] = _("The exchange must end after it starts.")
    opens, closes = values.get("registration_opens_at"), values.get("registration_closes_at")
    if opens and closes and closes <= opens:
        errors["registration_closes_at"] = _("Registration must close after it opens.")
    if closes and starts and closes > starts:
        errors["registration_closes_at"] = _("Registration must close before the exchange starts.")
    cutoff = values.get("cancellation_cutoff")
    if cutoff and starts and cutoff > starts:
        errors["cancellation_cutoff"] = _("Cancellations must end before the exchange starts.")
    unknown = set(values.get("target_groups") or []) - set(TargetGroup.values)
    if unknown:
        errors["target_groups"] = _("Unknown target group.")
    if values.get("host") is not None and not values["host"].is_buyer:
        errors["host"] = _("The host must be a buyer organisation (a city or municipality).")
    if errors:
        raise ValidationError(errors)


# Paths under /exchanges/ that a programme's short name would hide.
RESERVED_SLUGS = frozenset(
    {"programmes", "my", "calendar", "events", "registrations", "sessions", "case-studies"}
)


def create_programme(*, name: str, slug: str, organiser, description: str = "", by) -> ExchangeProgramme:
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": _("This short name is reserved. Choose another one.")})
    with transaction.atomic():
        if ExchangeProgramme.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": _("Another programme already uses this short name.")})
        programme = ExchangeProgramme.objects.create(
            name=name, slug=slug, organiser=organiser, description=description
        )
        record_audit(actor=by, action="exchange.programme_created", target=programme)
    return programme


def create_event(*, programme: ExchangeProgramme, by, from_template: bool = False, **values) -> ExchangeEvent:
    """A new event in planning. From the BUILD template, `starts_at`'s local day becomes the first day
    (09:00 to 12:30 the next working day) and the template's sessions are added to the agenda."""
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    _check_years(values)
    event = ExchangeEvent(programme=programme, created_by=by, **values)
    if from_template:
        event.starts_at, event.ends_at = template_times(
            first_day=event.starts_at.astimezone(event.zone).date(), zone=event.zone
        )
    _check_event({name: getattr(event, name) for name in EVENT_FIELDS})
    with transaction.atomic():
        event.save()
        if from_template:
            days = event.local_days
            AgendaSession.objects.bulk_create(
                AgendaSession(
                    event=event,
                    kind=item.kind,
                    title=str(item.title),
                    description=str(item.description),
                    starts_at=local_moment(days[0 if item.day == 0 else -1], item.start, event.zone),
                    ends_at=local_moment(days[0 if item.day == 0 else -1], item.end, event.zone),
                    place=event.venue,
                )
                for item in BUILD_TEMPLATE
            )
        record_audit(
            actor=by, action="exchange.event_created", target=event, data={"from_template": from_template}
        )
    return event


def _rename_case_study(*, event: ExchangeEvent, by) -> None:
    """The event's title is its case study's title: a renamed event renames the case study its report
    published in the library (in the caller's transaction)."""
    report = ReflectionReport.objects.select_related("case_study").filter(event=event).first()
    if report is not None and report.is_case_study:
        sync_exchange_case_study(case_study=report.case_study, by=by, title=event.title)


def update_event(*, event: ExchangeEvent, by, **values) -> ExchangeEvent:
    """Change an event's details. Raising the capacity promotes people from the waiting list. Sessions are
    not moved: if the dates change, the agenda editor flags the sessions that fall outside, and the agenda
    cannot be published until they are moved or deleted. A new title reaches the case study the event's
    reflection report published in the library."""
    from .registration import promote_from_waitlist

    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    with transaction.atomic():
        event = ExchangeEvent.objects.select_for_update().get(pk=event.pk)
        if event.status in {EventStatus.COMPLETED, EventStatus.REFLECTED}:
            raise ExchangeStateError(_("A completed exchange can no longer be changed."))
        previous_title = event.title
        for name, value in values.items():
            setattr(event, name, value)
        _check_event({name: getattr(event, name) for name in EVENT_FIELDS})
        renamed = "title" in values and event.title != previous_title
        event.save()
        record_audit(actor=by, action="exchange.event_updated", target=event, data={"fields": sorted(values)})
        if renamed:
            _rename_case_study(event=event, by=by)
        promote_from_waitlist(event=event)
    return event


def change_event_status(*, event: ExchangeEvent, status: str, by) -> ExchangeEvent:
    """Move the event one step on. Opening registration sends the target groups their invitation (through
    the reminder schedule, so nobody hears it twice)."""
    with transaction.atomic():
        event = ExchangeEvent.objects.select_for_update().get(pk=event.pk)
        if status not in NEXT_STATUSES.get(event.status, set()):
            raise ExchangeStateError(
                _("An exchange that is “%(current)s” cannot become “%(new)s”.")
                % {"current": EventStatus(event.status).label, "new": EventStatus(status).label}
            )
        if (
            status == EventStatus.REFLECTED
            and not ReflectionReport.objects.filter(event=event, status=ReportStatus.PUBLISHED).exists()
        ):
            raise ExchangeStateError(_("Publish the reflection report first."))
        previous = event.status
        event.status = status
        event.save(update_fields=["status", "updated_at"])
        record_audit(
            actor=by, action="exchange.status_changed", target=event, data={"from": previous, "to": status}
        )
    if status == EventStatus.REGISTRATION_OPEN:
        from .reminders import send_registration_open

        send_registration_open(event=event)
    return event
