from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from exchanges.enums import RegistrationStatus
from exchanges.models import Registration
from exchanges.services.events import ExchangeStateError
from exchanges.services.registration import cancel_registration, register_for_event
from portal.notifications.models import Notification, OutboxMail
from tests.factories.accounts import BuyerFactory, MembershipFactory, SupplierFactory
from tests.factories.exchanges import ExchangeEventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _person():
    organisation = BuyerFactory()
    return MembershipFactory(organisation=organisation).user, organisation


def _register(event, **values):
    user, organisation = _person()
    return register_for_event(event=event, user=user, organisation=organisation, **values)


def test_register_gives_a_confirmed_place_and_tells_the_person():
    event = ExchangeEventFactory(capacity=2)

    registration = _register(event, dietary="vegetarian", consent_to_list=True)

    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.dietary == "vegetarian"
    assert list(OutboxMail.objects.filter(recipient=registration.user).values_list("kind", flat=True)) == [
        "exchanges.registered"
    ]


def test_register_over_capacity_puts_the_person_on_the_waiting_list():
    event = ExchangeEventFactory(capacity=1)
    _register(event)

    second = _register(event)

    assert second.status == RegistrationStatus.WAITLISTED
    assert second.waitlisted_at is not None
    assert "waiting list" in OutboxMail.objects.get(recipient=second.user).subject.lower()


def test_register_after_the_window_is_refused_clearly():
    event = ExchangeEventFactory(
        registration_closes_at=timezone.now() - timedelta(minutes=1),
        registration_opens_at=timezone.now() - timedelta(days=3),
    )

    with pytest.raises(ExchangeStateError, match="Registration for this exchange is closed"):
        _register(event)
    assert Registration.objects.count() == 0


def test_register_before_the_window_is_refused_clearly():
    event = ExchangeEventFactory(registration_opens_at=timezone.now() + timedelta(days=1))

    with pytest.raises(ExchangeStateError, match="has not opened yet"):
        _register(event)


def test_register_twice_is_refused():
    event = ExchangeEventFactory()
    user, organisation = _person()
    register_for_event(event=event, user=user, organisation=organisation)

    with pytest.raises(ExchangeStateError, match="already registered"):
        register_for_event(event=event, user=user, organisation=organisation)


def test_register_for_a_supplier_organisation_is_refused():
    event = ExchangeEventFactory()
    supplier = SupplierFactory()
    user = MembershipFactory(organisation=supplier).user

    with pytest.raises(ValidationError) as error:
        register_for_event(event=event, user=user, organisation=supplier)
    assert "organisation" in error.value.message_dict


def test_register_refuses_departure_before_arrival():
    event = ExchangeEventFactory()
    day = event.starts_at.date()

    with pytest.raises(ValidationError) as error:
        _register(event, arrival=day, departure=day - timedelta(days=1))
    assert error.value.message_dict == {"departure": ["Departure cannot be before arrival."]}


def test_database_allows_one_live_registration_per_person_per_event():
    registration = RegistrationFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            event=registration.event, user=registration.user, organisation=registration.organisation
        )
    registration.status = RegistrationStatus.CANCELLED
    registration.save()
    Registration.objects.create(
        event=registration.event, user=registration.user, organisation=registration.organisation
    )


def test_cancel_promotes_the_oldest_on_the_waiting_list_and_tells_them():
    event = ExchangeEventFactory(capacity=1)
    first = _register(event)
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        oldest = _register(event)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        youngest = _register(event)

    cancel_registration(registration=first, by=first.user)

    first.refresh_from_db(), oldest.refresh_from_db(), youngest.refresh_from_db()
    assert (first.status, oldest.status, youngest.status) == ("cancelled", "confirmed", "waitlisted")
    assert oldest.promoted_at is not None
    assert list(Notification.objects.filter(recipient=oldest.user).values_list("kind", flat=True)) == [
        "exchanges.registered",
        "exchanges.promoted",
    ]
    assert Notification.objects.filter(recipient=youngest.user, kind="exchanges.promoted").count() == 0


def test_cancel_of_a_waitlisted_spot_promotes_nobody():
    event = ExchangeEventFactory(capacity=1)
    _register(event)
    waiting = _register(event)
    last = _register(event)

    cancel_registration(registration=waiting, by=waiting.user)

    last.refresh_from_db()
    assert last.status == RegistrationStatus.WAITLISTED


def test_cancel_after_the_cutoff_is_refused_for_the_participant_but_not_for_staff(staff):
    event = ExchangeEventFactory(cancellation_cutoff=timezone.now() + timedelta(hours=1))
    registration = _register(event)

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        with pytest.raises(ExchangeStateError, match="cut-off has passed"):
            cancel_registration(registration=registration, by=registration.user)
        cancel_registration(registration=registration, by=staff)

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_raising_the_capacity_promotes_from_the_waiting_list(staff):
    from exchanges.services.events import update_event

    event = ExchangeEventFactory(capacity=1)
    _register(event)
    waiting = _register(event)

    update_event(event=event, by=staff, capacity=2)

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
