"""The reminder schedule of staff exchanges, run by Celery beat every 15 minutes
(exchanges.send_exchange_reminders). Every stage claims a unique reminder record per person before it
mails (portal.notifications.services.claim_reminders), so beat firing twice, or a worker restarting
half-way, never reminds anyone twice.

Stages, per event:
- registration open: the people in the event's target groups (exchanges.selectors.people_in_target_groups)
  who have not registered, once registration is open and inside its window;
- pre-exchange survey not answered: confirmed participants, 14, 7 and 2 days before the start (each stage
  covers the days down to the next one, so someone who registers late still gets the next stage);
- agenda published: confirmed participants, including those who register after publication;
- the day before: confirmed participants, in the 24 hours before the start;
- reflection not answered: confirmed participants, 1 and 5 days after the end;
- waitlist promotion: each promoted registration (normally sent at promotion; this is the safety net)."""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.notifications.services import claim_reminders, notify

from .. import kinds
from ..enums import EventStatus, RegistrationStatus
from ..models import ExchangeEvent, Registration
from ..selectors import PRE, REFLECTION, confirmed_users, people_in_target_groups
from .agenda import notify_agenda_published
from .registration import promotion_key
from .surveys import pending_participants, survey_url

PRE_SURVEY_STAGES = (("14d", 14, 7), ("7d", 7, 2), ("2d", 2, 0))  # (stage, from days before, until)
REFLECTION_STAGES = (("1d", 1, 5), ("5d", 5, 10))  # (stage, from days after the end, until)
UPCOMING = [EventStatus.REGISTRATION_OPEN, EventStatus.REGISTRATION_CLOSED]


def _send(*, event, users, key: str, kind, context: dict | None = None, url: str = "") -> int:
    with transaction.atomic():
        recipients = claim_reminders(users=users, key=key)
        if recipients:
            notify(
                recipients=recipients,
                kind=kind,
                context={"event": event, **(context or {})},
                target=event,
                url=url,
            )
    return len(recipients)


def send_registration_open(*, event: ExchangeEvent) -> int:
    if not event.registration_is_open():
        return 0
    registered = set(Registration.objects.live().filter(event=event).values_list("user_id", flat=True))
    users = [user for user in people_in_target_groups(event=event) if user.pk not in registered]
    return _send(
        event=event, users=users, key=f"exchange:{event.pk}:registration-open", kind=kinds.REGISTRATION_OPEN
    )


def _survey_stage(*, event: ExchangeEvent, which: str, stage: str) -> int:
    survey = event.pre_survey if which == PRE else event.reflection_survey
    if survey is None or not survey.is_accepting_answers:
        return 0
    return _send(
        event=event,
        users=pending_participants(event=event, which=which),
        key=f"exchange:{event.pk}:{which}-survey-{stage}",
        kind=kinds.SURVEY_REMINDER,
        context={"survey": survey},
        url=survey_url(event, which),
    )


def send_exchange_reminders() -> int:
    """Send every reminder that is due and has not been sent. Returns how many mails it queued."""
    now = timezone.now()
    sent = 0
    events = ExchangeEvent.objects.select_related("pre_survey", "reflection_survey")
    for event in events.filter(status=EventStatus.REGISTRATION_OPEN):
        sent += send_registration_open(event=event)
    for stage, start, until in PRE_SURVEY_STAGES:
        window = events.filter(
            status__in=UPCOMING,
            pre_survey__isnull=False,
            starts_at__gt=now + timedelta(days=until),
            starts_at__lte=now + timedelta(days=start),
        )
        for event in window:
            sent += _survey_stage(event=event, which=PRE, stage=stage)
    for event in events.filter(
        status__in=[*UPCOMING, EventStatus.RUNNING], agenda_published_at__isnull=False
    ):
        sent += notify_agenda_published(event=event)
    for event in events.filter(
        status__in=UPCOMING, starts_at__gt=now, starts_at__lte=now + timedelta(days=1)
    ):
        sent += _send(
            event=event,
            users=confirmed_users(event=event),
            key=f"exchange:{event.pk}:day-before",
            kind=kinds.DAY_BEFORE,
            url=reverse("exchanges:event-agenda", kwargs={"pk": event.pk})
            if event.agenda_is_published
            else event.get_absolute_url(),
        )
    for stage, start, until in REFLECTION_STAGES:
        window = events.filter(
            reflection_survey__isnull=False,
            ends_at__lte=now - timedelta(days=start),
            ends_at__gt=now - timedelta(days=until),
        )
        for event in window:
            sent += _survey_stage(event=event, which=REFLECTION, stage=stage)
    promoted = Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED, promoted_at__gte=now - timedelta(days=7)
    ).select_related("user", "event")
    for registration in promoted:
        sent += _send(
            event=registration.event,
            users=[registration.user],
            key=promotion_key(registration),
            kind=kinds.PROMOTED,
        )
    return sent
