"""Reads of staff exchanges, limited to what the person asking may see."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet

from portal.accounts.enums import MembershipRole, OrganisationKind
from portal.accounts.models import User

from .agenda_proposal import SurveyInput, Volunteer
from .enums import RegistrationStatus, ReportStatus, TargetGroup
from .models import AgendaSession, ExchangeEvent, ExchangeProgramme, ReflectionReport, Registration

PRE, REFLECTION = "pre", "reflection"
SURVEY_SLOTS = {PRE: "pre_survey", REFLECTION: "reflection_survey"}


def programmes_for_list() -> QuerySet[ExchangeProgramme]:
    return ExchangeProgramme.objects.select_related("organiser").order_by("name")


def events_of_programme(*, programme: ExchangeProgramme, user) -> QuerySet[ExchangeEvent]:
    return (
        ExchangeEvent.objects.visible_to(user)
        .filter(programme=programme)
        .select_related("host", "report")
        .annotate(
            confirmed_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
            )
        )
        .order_by("starts_at", "pk")
    )


def event_queryset(user) -> QuerySet[ExchangeEvent]:
    return ExchangeEvent.objects.visible_to(user).select_related(
        "programme", "host", "pre_survey", "reflection_survey"
    )


def attach_viewer_registration(event: ExchangeEvent, user) -> ExchangeEvent:
    """Read the person's live registration once, so the permission predicates run no queries."""
    event.viewer_registration = (
        Registration.objects.live().filter(event=event, user=user).first() if user.is_authenticated else None
    )
    return event


def counts_for_event(*, event: ExchangeEvent) -> dict[str, int]:
    rows = dict(
        Registration.objects.filter(event=event)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    confirmed = rows.get(RegistrationStatus.CONFIRMED, 0)
    return {
        "confirmed": confirmed,
        "waitlisted": rows.get(RegistrationStatus.WAITLISTED, 0),
        "cancelled": rows.get(RegistrationStatus.CANCELLED, 0),
        "free": max(event.capacity - confirmed, 0),
    }


def _session_links() -> tuple[Prefetch, ...]:
    """What an agenda shows of each session's links: speakers, and only the challenges and case studies
    that are public now (one withdrawn later disappears from the agenda rather than leaking its title)."""
    from challenges.casestudies.models import CaseStudy
    from challenges.models import Challenge

    return (
        Prefetch("speakers", queryset=Registration.objects.select_related("user", "organisation")),
        Prefetch("challenges", queryset=Challenge.objects.public().order_by("title")),
        Prefetch("case_studies", queryset=CaseStudy.objects.published().order_by("title", "pk")),
    )


def published_agenda(*, event: ExchangeEvent) -> QuerySet[AgendaSession]:
    """The agenda as staff published it: what the public pages show."""
    return AgendaSession.objects.published().filter(event=event).prefetch_related(*_session_links())


def agenda_for_editor(*, event: ExchangeEvent) -> QuerySet[AgendaSession]:
    """Every session, with `outside_event` set on those the event's dates no longer cover."""
    return (
        AgendaSession.objects.filter(event=event)
        .annotate(
            outside_event=ExpressionWrapper(
                Q(starts_at__lt=event.starts_at) | Q(ends_at__gt=event.ends_at), output_field=BooleanField()
            )
        )
        .prefetch_related(*_session_links())
    )


@dataclass
class AgendaDay:
    date: datetime.date
    sessions: list


def agenda_days(sessions, *, zone) -> list[AgendaDay]:
    """The sessions grouped by their day on the host's clock (not by the UTC date), in time order."""
    days: dict[datetime.date, list] = {}
    for session in sorted(sessions, key=lambda session: (session.starts_at, session.pk)):
        days.setdefault(session.starts_at.astimezone(zone).date(), []).append(session)
    return [AgendaDay(date=day, sessions=items) for day, items in days.items()]


@dataclass
class UnplacedProposal:
    key: str
    kind_label: str
    title: str
    description: str
    minutes: int
    speakers: list


def unplaced_proposals(*, event: ExchangeEvent) -> list[UnplacedProposal]:
    """The draft agenda's proposals that found no free time, with their suggested speakers (live
    registrations only: someone who cancelled is no longer suggested). One query."""
    from .enums import SessionKind

    items = list(event.unplaced_proposals or [])
    wanted = {pk for item in items for pk in item.get("speakers", [])}
    speakers = (
        {
            r.pk: r
            for r in Registration.objects.live().filter(event=event, pk__in=wanted).select_related("user")
        }
        if wanted
        else {}
    )
    return [
        UnplacedProposal(
            key=str(item.get("key", "")),
            kind_label=SessionKind(item["kind"]).label if item.get("kind") in SessionKind.values else "",
            title=str(item.get("title", "")),
            description=str(item.get("description", "")),
            minutes=int(item.get("minutes") or 0),
            speakers=[speakers[pk] for pk in item.get("speakers", []) if pk in speakers],
        )
        for item in items
    ]


def proposal_initial(*, event: ExchangeEvent, key: str) -> dict | None:
    """The session form's initial values for placing an unplaced proposal: its type, title, description
    and suggested speakers, at the start of the exchange for its length (staff choose the time)."""
    item = next((entry for entry in event.unplaced_proposals or [] if entry.get("key") == key), None)
    if item is None:
        return None
    start = event.starts_at.astimezone(event.zone).replace(tzinfo=None, second=0, microsecond=0)
    return {
        "kind": item.get("kind", ""),
        "title": item.get("title", ""),
        "description": item.get("description", ""),
        "speakers": list(item.get("speakers", [])),
        "starts_at": start,
        "ends_at": start + datetime.timedelta(minutes=int(item.get("minutes") or 60)),
        "from_proposal": key,
    }


def registrations_for_planning(*, event: ExchangeEvent) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(event=event)
        .select_related("user", "organisation")
        .order_by("status", "waitlisted_at", "created_at", "pk")
    )


def participant_list_for_participants(*, event: ExchangeEvent) -> QuerySet[Registration]:
    """Names and organisations of confirmed participants who agreed to be listed."""
    return (
        Registration.objects.confirmed()
        .filter(event=event, consent_to_list=True)
        .select_related("user", "organisation")
        .order_by("user__full_name", "pk")
    )


def registrations_of_user(*, user) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(user=user)
        .select_related("event", "event__programme", "event__host", "organisation")
        .order_by("-event__starts_at", "-created_at")
    )


def events_for_feed(*, user) -> QuerySet[ExchangeEvent]:
    """The events a person's calendar feed holds: those they have a confirmed place at."""
    return (
        ExchangeEvent.objects.filter(
            registrations__user=user, registrations__status=RegistrationStatus.CONFIRMED
        )
        .select_related("host")
        .prefetch_related(
            Prefetch("sessions", queryset=AgendaSession.objects.published().order_by("starts_at", "pk"))
        )
        .distinct()
    )


def confirmed_users(*, event: ExchangeEvent) -> list[User]:
    return [r.user for r in Registration.objects.confirmed().filter(event=event).select_related("user")]


def people_in_target_groups(*, event: ExchangeEvent) -> QuerySet[User]:
    """Who an event's target groups are: procurement staff = every member of a buyer organisation;
    procurement leads = the administrators of buyer organisations; programme teams = members of
    programme organisations. No target group means everyone in a buyer or programme organisation."""
    groups = set(event.target_groups or []) or {TargetGroup.PROCUREMENT_STAFF, TargetGroup.PROGRAMME_TEAMS}
    condition = Q()
    if TargetGroup.PROCUREMENT_STAFF in groups:
        condition |= Q(memberships__organisation__kind=OrganisationKind.BUYER)
    if TargetGroup.PROCUREMENT_LEADS in groups:
        condition |= Q(
            memberships__organisation__kind=OrganisationKind.BUYER, memberships__role=MembershipRole.ADMIN
        )
    if TargetGroup.PROGRAMME_TEAMS in groups:
        condition |= Q(memberships__organisation__kind=OrganisationKind.PROGRAMME)
    return User.objects.filter(condition, is_active=True).distinct().order_by("pk")


def survey_of(event: ExchangeEvent, which: str):
    return getattr(event, SURVEY_SLOTS[which]) if which in SURVEY_SLOTS else None


def survey_input_for_event(*, event: ExchangeEvent) -> SurveyInput:
    """The pre-exchange survey's submitted answers as the draft agenda needs them: theme counts, the
    volunteers (respondents are linked to their registration unless the survey is anonymous) and the
    free-time ranking (Borda: first of n choices scores n, the last 1)."""
    from exchanges.surveys.models import Answer, Choice, Response

    survey = event.pre_survey
    submitted = Response.objects.filter(survey=survey, submitted_at__isnull=False)
    respondents = submitted.count()
    # The labels of all the survey's choices, and the order of the themes' and free-time activities'.
    labels = {}
    order: dict[str, list[str]] = {"themes": [], "free_time": []}
    for key, value, label in (
        Choice.objects.filter(question__survey=survey)
        .order_by("question__key", "position", "pk")
        .values_list("question__key", "value", "label")
    ):
        labels[(key, value)] = label
        if key in order:
            order[key].append(value)
    choice_order = order["themes"]
    answers = Answer.objects.filter(
        response__in=submitted, question__key__in=["themes", "roles", "case_topic", "free_time"]
    ).values_list("response_id", "response__respondent_id", "question__key", "value")
    theme_values: list[list[str]] = []
    by_response: dict = {}
    borda: Counter = Counter()
    for response_id, respondent_id, key, value in answers:
        if key == "themes" and isinstance(value, list):
            theme_values.append([str(v) for v in value])
        elif key == "free_time" and isinstance(value, list):
            for position, choice in enumerate(value):
                borda[str(choice)] += len(value) - position
        elif respondent_id is not None:
            by_response.setdefault(response_id, {"user": respondent_id})[key] = value
    counter: Counter = Counter()
    for chosen in theme_values:
        counter.update(set(chosen))
    theme_counts = [
        (value, labels.get(("themes", value), value), counter.get(value, 0)) for value in choice_order
    ]
    theme_counts += [
        (value, labels.get(("themes", value), value), count)
        for value, count in counter.items()
        if value not in choice_order
    ]
    registrations = {
        r.user_id: r
        for r in Registration.objects.live()
        .filter(event=event, user_id__in=[item["user"] for item in by_response.values()])
        .select_related("user", "organisation")
    }
    volunteers = []
    for item in sorted(by_response.values(), key=lambda item: item["user"]):
        roles = item.get("roles") if isinstance(item.get("roles"), list) else []
        registration = registrations.get(item["user"])
        if registration is None or not set(roles) & {"present_case", "lead_discussion", "host_visit"}:
            continue
        volunteers.append(
            Volunteer(
                registration=registration, roles=list(roles), case_topic=str(item.get("case_topic") or "")
            )
        )
    # In the survey's order, so that ties go to the activity the survey lists first.
    ranked = [value for value in order["free_time"] if value in borda]
    ranked += [value for value in borda if value not in order["free_time"]]
    free_time = [(value, labels.get(("free_time", value), value), float(borda[value])) for value in ranked]
    return SurveyInput(
        theme_counts=theme_counts, volunteers=volunteers, free_time_ranking=free_time, respondents=respondents
    )


def attachable_surveys() -> QuerySet:
    """Surveys staff may attach to an event: built in the survey builder and not yet any event's."""
    from exchanges.surveys.enums import SurveyKind
    from exchanges.surveys.models import Survey

    return Survey.objects.filter(
        pre_exchange_event__isnull=True,
        reflection_event__isnull=True,
        kind__in=[SurveyKind.PRE_EXCHANGE, SurveyKind.REFLECTION, SurveyKind.CUSTOM],
    ).order_by("-created_at", "-pk")


def published_reports(*, programme: ExchangeProgramme | None = None) -> QuerySet[ReflectionReport]:
    reports = ReflectionReport.objects.filter(status=ReportStatus.PUBLISHED).select_related(
        "event", "event__host", "event__programme", "case_study"
    )
    if programme is not None:
        reports = reports.filter(event__programme=programme)
    return reports.order_by("event__starts_at")
