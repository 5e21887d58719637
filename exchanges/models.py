"""Staff exchanges: programmes of events hosted in turn by cities, registrations with a waiting list,
agenda sessions, reflection reports and personal calendar feeds. The surveys live in exchanges.surveys
(label "surveys"), which knows nothing of exchanges: an event points at its two surveys."""

import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.casestudies.enums import CaseStudyStatus
from challenges.models import known_zone

from .enums import (
    LIVE_REGISTRATION_STATUSES,
    PUBLIC_STATUSES,
    EventStatus,
    ExchangeRole,
    RegistrationStatus,
    ReportStatus,
    SessionKind,
)


class ExchangeProgramme(models.Model):
    """A series of exchanges, e.g. a project's Turku → Tartu → Rotterdam exchanges."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    organiser = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="exchange_programmes",
        verbose_name=_("organising programme"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("exchange programme")
        verbose_name_plural = _("exchange programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("exchanges:programme-detail", kwargs={"slug": self.slug})


class ExchangeEventQuerySet(models.QuerySet):
    def public(self) -> "ExchangeEventQuerySet":
        return self.filter(status__in=PUBLIC_STATUSES)

    def visible_to(self, user) -> "ExchangeEventQuerySet":
        """Events past planning for everyone; programme staff also see those still in planning."""
        if user.is_authenticated and user.is_programme_staff:
            return self.all()
        return self.public()


class ExchangeEvent(models.Model):
    """One exchange: one and a half working days hosted by a buyer organisation in its city."""

    programme = models.ForeignKey(
        ExchangeProgramme, on_delete=models.PROTECT, related_name="events", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=200)
    host = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="hosted_exchanges",
        verbose_name=_("host organisation"),
    )
    city = models.CharField(_("city"), max_length=120)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Oslo")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("places"), default=30)
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    cancellation_cutoff = models.DateTimeField(_("cancellation possible until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=EventStatus.choices, default=EventStatus.PLANNING
    )
    pre_survey = models.OneToOneField(
        "surveys.Survey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pre_exchange_event",
        verbose_name=_("pre-exchange survey"),
    )
    reflection_survey = models.OneToOneField(
        "surveys.Survey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reflection_event",
        verbose_name=_("reflection survey"),
    )
    agenda_published_at = models.DateTimeField(_("agenda published"), null=True, blank=True)
    # What the last draft agenda proposed but could not fit in the free time, for staff to place by hand
    # (exchanges.services.agenda.generate_draft_agenda): [{key, kind, title, description, minutes,
    # speakers: [registration ids]}]. Staff-only; never shown publicly.
    unplaced_proposals = models.JSONField(_("proposals that did not fit"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExchangeEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("exchange event")
        verbose_name_plural = _("exchange events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="exchange_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_opens_at__lt=models.F("registration_closes_at")),
                name="exchange_registration_window_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("exchanges:event-detail", kwargs={"pk": self.pk})

    @property
    def zone(self) -> ZoneInfo:
        """The host's time zone: every date and time of the event is typed and shown in it."""
        return known_zone(self.timezone)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def agenda_is_published(self) -> bool:
        return self.agenda_published_at is not None

    @property
    def status_label(self) -> str:
        return EventStatus(self.status).label

    def registration_is_open(self, now=None) -> bool:
        """Open for registrations now: in the registration-open status and inside the window."""
        now = now or timezone.now()
        return (
            self.status == EventStatus.REGISTRATION_OPEN
            and (self.registration_opens_at is None or self.registration_opens_at <= now)
            and (self.registration_closes_at is None or now < self.registration_closes_at)
            and now < self.starts_at
        )

    @property
    def registration_opens_later(self) -> bool:
        """Registration will open (it is announced with an opening time that has not come yet)."""
        return (
            self.status in {EventStatus.PLANNING, EventStatus.REGISTRATION_OPEN}
            and self.registration_opens_at is not None
            and timezone.now() < self.registration_opens_at
        )

    @property
    def cancellation_deadline(self):
        """Until when participants may cancel themselves: the cut-off, or else the start."""
        return self.cancellation_cutoff or self.starts_at

    def can_cancel_registration(self, now=None) -> bool:
        now = now or timezone.now()
        return now < self.cancellation_deadline and self.status in {
            EventStatus.PLANNING,
            EventStatus.REGISTRATION_OPEN,
            EventStatus.REGISTRATION_CLOSED,
        }

    @property
    def local_days(self) -> list:
        """The calendar days the event covers, in the host's zone."""
        first = self.starts_at.astimezone(self.zone).date()
        last = self.ends_at.astimezone(self.zone).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]


class RegistrationQuerySet(models.QuerySet):
    def live(self) -> "RegistrationQuerySet":
        return self.filter(status__in=LIVE_REGISTRATION_STATUSES)

    def confirmed(self) -> "RegistrationQuerySet":
        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waitlisted(self) -> "RegistrationQuerySet":
        # Oldest first: the order the waiting list is promoted in.
        return self.filter(status=RegistrationStatus.WAITLISTED).order_by("waitlisted_at", "pk")

    def visible_to(self, user) -> "RegistrationQuerySet":
        if not user.is_authenticated:
            return self.none()
        if user.is_programme_staff:
            return self.all()
        return self.filter(user=user)


class Registration(models.Model):
    """A person's place, or waiting-list spot, at an event."""

    event = models.ForeignKey(ExchangeEvent, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exchange_registrations"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="exchange_registrations",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role in the exchange"),
        max_length=20,
        choices=ExchangeRole.choices,
        default=ExchangeRole.PARTICIPANT,
    )
    dietary = models.CharField(_("dietary needs"), max_length=300, blank=True)
    accessibility = models.CharField(_("accessibility needs"), max_length=300, blank=True)
    arrival = models.DateField(_("arrival"), null=True, blank=True)
    departure = models.DateField(_("departure"), null=True, blank=True)
    consent_to_list = models.BooleanField(
        _("show my name and organisation on the participant list"), default=False
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.CONFIRMED
    )
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(status__in=LIVE_REGISTRATION_STATUSES),
                name="exchange_one_live_registration_per_person",
            ),
            models.CheckConstraint(
                condition=Q(arrival__isnull=True)
                | Q(departure__isnull=True)
                | Q(departure__gte=models.F("arrival")),
                name="exchange_departure_not_before_arrival",
            ),
        ]
        indexes = [models.Index(fields=["event", "status"], name="exchange_registration_status")]

    def __str__(self) -> str:
        return f"{self.user} – {self.event}"

    def get_absolute_url(self) -> str:
        return reverse("exchanges:my-registrations")

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_REGISTRATION_STATUSES


class AgendaSessionQuerySet(models.QuerySet):
    def published(self) -> "AgendaSessionQuerySet":
        """What the public, the calendar file and the personal feeds show: sessions as staff published them
        (a proposed, new or changed session waits for "Publish the changes")."""
        return self.filter(published=True)


class AgendaSession(models.Model):
    """A session of an event's agenda. `proposed`: suggested by the draft agenda, not yet confirmed.
    `published`: on the public agenda; staff adding or changing a session switches it off until they
    publish the agenda (exchanges.services.agenda.publish_agenda)."""

    event = models.ForeignKey(ExchangeEvent, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(_("type"), max_length=20, choices=SessionKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    speakers = models.ManyToManyField(
        Registration, blank=True, related_name="sessions", verbose_name=_("speakers (registered)")
    )
    speaker_names = models.CharField(
        _("other speakers"),
        max_length=300,
        blank=True,
        help_text=_("Names of speakers who are not registered, e.g. guests of the host."),
    )
    challenges = models.ManyToManyField(
        "challenges.Challenge",
        blank=True,
        related_name="exchange_sessions",
        verbose_name=_("linked challenges"),
    )
    case_studies = models.ManyToManyField(
        "casestudies.CaseStudy",
        blank=True,
        related_name="exchange_sessions",
        verbose_name=_("linked case studies"),
    )
    proposed = models.BooleanField(
        _("proposed"),
        default=False,
        help_text=_("Suggested by the draft agenda; not yet confirmed by staff."),
    )
    published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("On the public agenda as it stands; changes wait until staff publish them."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgendaSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda session")
        verbose_name_plural = _("agenda sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="exchange_session_ends_after_start"
            ),
            # A proposal is published only once staff confirm it (publishing the agenda does).
            models.CheckConstraint(
                condition=Q(proposed=False) | Q(published=False), name="exchange_session_proposal_unpublished"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("exchanges:event-agenda", kwargs={"pk": self.event_id})

    @property
    def kind_label(self) -> str:
        return SessionKind(self.kind).label

    @property
    def rating_key(self) -> str:
        """The key of this session's rating question in the event's reflection survey."""
        return f"session-{self.pk}"


class ReflectionReportQuerySet(models.QuerySet):
    def published(self) -> "ReflectionReportQuerySet":
        return self.filter(status=ReportStatus.PUBLISHED)

    def case_studies(self) -> "ReflectionReportQuerySet":
        """Published reports that staff offered to other cities as case studies (their case study is
        published in the library)."""
        return self.published().filter(case_study__status=CaseStudyStatus.PUBLISHED)

    def visible_to(self, user) -> "ReflectionReportQuerySet":
        if user.is_authenticated and user.is_programme_staff:
            return self.all()
        return self.published()


class ReflectionReport(models.Model):
    """What an event's participants learnt, written by staff from the reflection survey and published as a
    public page. Staff may also publish a published report as a case study for other cities: a case study
    of the library (`case_study`, source "exchange") is written from it and published. Whether the report
    is a case study is the case study's own status, the one place it is kept: the library's unpublishing
    and the report's withdrawing are the same change. The link stays when the case study is withdrawn, so
    publishing again brings back the same case study, with the agenda sessions that link it."""

    event = models.OneToOneField(ExchangeEvent, on_delete=models.CASCADE, related_name="report")
    summary = models.TextField(_("summary"), blank=True)
    learnings = models.TextField(_("key learnings"), blank=True, help_text=_("One learning per line."))
    quotes = models.TextField(
        _("selected quotes"),
        blank=True,
        help_text=_("One quote per line, only from respondents who agreed to be quoted."),
    )
    session_ratings = models.JSONField(_("session ratings"), default=list, blank=True)
    commitments = models.TextField(
        _("actions participants committed to"), blank=True, help_text=_("One action per line.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    case_study = models.OneToOneField(
        "casestudies.CaseStudy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reflection_report",
        verbose_name=_("case study"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReflectionReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("reflection report")
        verbose_name_plural = _("reflection reports")
        ordering = ["-published_at", "-created_at"]

    def __str__(self) -> str:
        return str(_("Reflection: %(event)s") % {"event": self.event})

    def get_absolute_url(self) -> str:
        return reverse("exchanges:report-detail", kwargs={"pk": self.event_id})

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED

    @property
    def is_case_study(self) -> bool:
        """Published, and its case study published too (load `case_study` with the report: the permission
        predicates ask this and run no queries)."""
        return self.is_published and self.case_study_id is not None and self.case_study.is_published

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip().lstrip("-•").strip() for line in text.splitlines() if line.strip()]

    @property
    def learning_list(self) -> list[str]:
        return self._lines(self.learnings)

    @property
    def quote_list(self) -> list[str]:
        return self._lines(self.quotes)

    @property
    def commitment_list(self) -> list[str]:
        return self._lines(self.commitments)


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's private, subscribable calendar of the exchanges they are registered for. The token is a
    random secret in the feed's address (calendar apps cannot sign in); regenerating it cuts off old links."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exchange_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.user)

    def get_absolute_url(self) -> str:
        return reverse("exchanges:calendar-feed", kwargs={"token": self.token})
