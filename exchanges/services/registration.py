"""Registration: a place while there is one, the waiting list after that, cancellation until the cut-off
and automatic promotion from the waiting list, oldest first.

The event's row is locked for every change of places, so two people taking the last place at once are
decided one after the other. The clock is Django's (timezone.now()), not the database's, so the schedule
can be tested with time-machine; inside the locked transaction the difference does not matter."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import record_audit
from portal.notifications.services import claim_reminders, notify

from .. import kinds
from ..enums import EventStatus, ExchangeRole, RegistrationStatus
from ..models import ExchangeEvent, Registration
from .events import ExchangeStateError

REGISTRATION_FIELDS = ("role", "dietary", "accessibility", "arrival", "departure", "consent_to_list")


def eligible_organisations(user) -> list[int]:
    """The organisations a person may register for: their buyer and programme organisations."""
    return [pk for pk, _role, kind in user.organisation_memberships if kind in {"buyer", "programme"}]


def _check_details(event: ExchangeEvent, values: dict) -> None:
    errors = {}
    arrival, departure = values.get("arrival"), values.get("departure")
    if arrival and departure and departure < arrival:
        errors["departure"] = _("Departure cannot be before arrival.")
    days = event.local_days
    if arrival and arrival > days[-1]:
        errors.setdefault("arrival", _("Arrival must be on or before the last day of the exchange."))
    if departure and departure < days[0]:
        errors.setdefault("departure", _("Departure must be on or after the first day of the exchange."))
    if values.get("role") and values["role"] not in ExchangeRole.values:
        errors["role"] = _("Choose a role from the list.")
    if errors:
        raise ValidationError(errors)


def register_for_event(*, event: ExchangeEvent, user, organisation, by=None, **values) -> Registration:
    """A confirmed place if one is free (and nobody is waiting), a waiting-list spot otherwise. Refused
    outside the registration window or for a second live registration. Tells the person which it is."""
    by = by or user
    unknown = set(values) - set(REGISTRATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown registration fields: {sorted(unknown)}")
    if organisation.pk not in eligible_organisations(user):
        raise ValidationError(
            {"organisation": _("Register for a buyer or programme organisation you belong to.")}
        )
    with transaction.atomic():
        event = ExchangeEvent.objects.select_for_update().get(pk=event.pk)
        now = timezone.now()
        if not event.registration_is_open(now):
            if (
                event.registration_opens_at
                and now < event.registration_opens_at
                and event.status
                in {
                    EventStatus.PLANNING,
                    EventStatus.REGISTRATION_OPEN,
                }
            ):
                raise ExchangeStateError(_("Registration for this exchange has not opened yet."))
            raise ExchangeStateError(_("Registration for this exchange is closed."))
        if Registration.objects.live().filter(event=event, user=user).exists():
            raise ExchangeStateError(_("You are already registered for this exchange."))
        _check_details(event, values)
        confirmed = Registration.objects.confirmed().filter(event=event).count()
        waiting = Registration.objects.waitlisted().filter(event=event).exists()
        full = confirmed >= event.capacity or waiting
        registration = Registration.objects.create(
            event=event,
            user=user,
            organisation=organisation,
            status=RegistrationStatus.WAITLISTED if full else RegistrationStatus.CONFIRMED,
            waitlisted_at=now if full else None,
            **values,
        )
        record_audit(
            actor=by,
            action="exchange.registered",
            target=event,
            organisation=organisation,
            data={"registration": registration.pk, "status": registration.status},
        )
        notify(
            recipients=[user],
            kind=kinds.REGISTERED,
            context={"event": event, "registration": registration},
            target=event,
        )
    return registration


def update_registration(*, registration: Registration, by, **values) -> Registration:
    unknown = set(values) - set(REGISTRATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown registration fields: {sorted(unknown)}")
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
        )
        if not registration.is_live:
            raise ExchangeStateError(_("A cancelled registration cannot be changed."))
        _check_details(registration.event, values)
        for name, value in values.items():
            setattr(registration, name, value)
        registration.save()
        record_audit(
            actor=by,
            action="exchange.registration_updated",
            target=registration.event,
            data={"registration": registration.pk},
        )
    return registration


def cancel_registration(*, registration: Registration, by) -> Registration:
    """Cancel a place or waiting-list spot: the person themself until the cut-off, programme staff at any
    time. A freed place goes to the oldest person on the waiting list."""
    with transaction.atomic():
        event = ExchangeEvent.objects.select_for_update().get(pk=registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_live:
            raise ExchangeStateError(_("This registration is already cancelled."))
        is_staff = bool(getattr(by, "is_programme_staff", False))
        if not is_staff and not event.can_cancel_registration():
            raise ExchangeStateError(
                _("The cancellation cut-off has passed. Contact the programme staff if you cannot come.")
            )
        was = registration.status
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at", "updated_at"])
        record_audit(
            actor=by,
            action="exchange.registration_cancelled",
            target=event,
            data={"registration": registration.pk, "was": was},
        )
        promote_from_waitlist(event=event)
    return registration


def promote_from_waitlist(*, event: ExchangeEvent) -> list[Registration]:
    """Fill free places from the waiting list, oldest first, and tell each promoted person (once: the
    reminder record of the promotion). Call inside a transaction that holds the event's lock."""
    with transaction.atomic():
        event = ExchangeEvent.objects.select_for_update().get(pk=event.pk)
        if event.status in {EventStatus.COMPLETED, EventStatus.REFLECTED}:
            return []
        free = event.capacity - Registration.objects.confirmed().filter(event=event).count()
        if free <= 0:
            return []
        promoted = list(
            Registration.objects.waitlisted()
            .filter(event=event)
            .select_for_update()
            .select_related("user")[:free]
        )
        now = timezone.now()
        for registration in promoted:
            registration.status = RegistrationStatus.CONFIRMED
            registration.promoted_at = now
            registration.save(update_fields=["status", "promoted_at", "updated_at"])
            record_audit(
                actor=None,
                action="exchange.registration_promoted",
                target=event,
                data={"registration": registration.pk},
            )
            recipients = claim_reminders(users=[registration.user], key=promotion_key(registration))
            if recipients:
                notify(recipients=recipients, kind=kinds.PROMOTED, context={"event": event}, target=event)
    return promoted


def promotion_key(registration: Registration) -> str:
    return f"exchange:{registration.event_id}:promoted:{registration.pk}"
