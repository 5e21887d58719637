from django.db import models
from django.utils.translation import gettext_lazy as _


class EventStatus(models.TextChoices):
    PLANNING = "planning", _("Planning")
    REGISTRATION_OPEN = "registration_open", _("Registration open")
    REGISTRATION_CLOSED = "registration_closed", _("Registration closed")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    REFLECTED = "reflected", _("Reflected")


# Each status may move only to the next one (registration may be reopened once closed).
NEXT_STATUSES = {
    EventStatus.PLANNING: {EventStatus.REGISTRATION_OPEN},
    EventStatus.REGISTRATION_OPEN: {EventStatus.REGISTRATION_CLOSED},
    EventStatus.REGISTRATION_CLOSED: {EventStatus.REGISTRATION_OPEN, EventStatus.RUNNING},
    EventStatus.RUNNING: {EventStatus.COMPLETED},
    EventStatus.COMPLETED: {EventStatus.REFLECTED},
    EventStatus.REFLECTED: set(),
}

# Statuses the public sees: everything but planning.
PUBLIC_STATUSES = [
    EventStatus.REGISTRATION_OPEN,
    EventStatus.REGISTRATION_CLOSED,
    EventStatus.RUNNING,
    EventStatus.COMPLETED,
    EventStatus.REFLECTED,
]


class TargetGroup(models.TextChoices):
    """Who an event is for. Each group is a set of people the portal knows (see
    exchanges.selectors.people_in_target_groups): it decides who hears that registration is open."""

    PROCUREMENT_STAFF = "procurement_staff", _("Procurement staff of buyer organisations (all members)")
    PROCUREMENT_LEADS = "procurement_leads", _("Procurement leads (administrators of buyer organisations)")
    PROGRAMME_TEAMS = "programme_teams", _("Programme and intermediary teams")


class ExchangeRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    PRESENTER = "presenter", _("Presenter")
    CASE_OWNER = "case_owner", _("Case owner")
    HOST = "host", _("Host")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


LIVE_REGISTRATION_STATUSES = [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]


class SessionKind(models.TextChoices):
    PRESENTATION = "presentation", _("Presentation")
    DISCUSSION = "discussion", _("Discussion")
    REAL_CASE = "real_case", _("Real case")
    SITE_VISIT = "site_visit", _("Site visit")
    FREE_TIME = "free_time", _("Free time")
    TRAVEL = "travel", _("Travel")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
