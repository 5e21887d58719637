"""Reads of staff exchanges, limited to what the person asking may see."""

from collections import Counter

from django.db.models import Count, Prefetch, Q, QuerySet

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


def agenda_of_event(*, event: ExchangeEvent) -> QuerySet[AgendaSession]:
    return AgendaSession.objects.filter(event=event).prefetch_related(
        Prefetch("speakers", queryset=Registration.objects.select_related("user", "organisation")),
        "challenges",
    )


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
        .prefetch_related(Prefetch("sessions", queryset=AgendaSession.objects.order_by("starts_at")))
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
    labels = {
        (key, value): label
        for key, value, label in Choice.objects.filter(question__survey=survey).values_list(
            "question__key", "value", "label"
        )
    }
    order: dict[str, list[str]] = {"themes": [], "free_time": []}
    for key, value in (
        Choice.objects.filter(question__survey=survey, question__key__in=list(order))
        .order_by("question__key", "position", "pk")
        .values_list("question__key", "value")
    ):
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


def published_reports(*, programme: ExchangeProgramme | None = None) -> QuerySet[ReflectionReport]:
    reports = ReflectionReport.objects.filter(status=ReportStatus.PUBLISHED).select_related(
        "event", "event__host", "event__programme"
    )
    if programme is not None:
        reports = reports.filter(event__programme=programme)
    return reports.order_by("event__starts_at")
