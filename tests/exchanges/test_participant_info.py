"""What participants are told about the cancellation cut-off and about when registration opens."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from exchanges.enums import EventStatus
from exchanges.services.registration import register_for_event
from portal.notifications.models import OutboxMail
from tests.factories.exchanges import ExchangeEventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")
START = datetime.datetime(2030, 6, 11, 9, 0, tzinfo=HELSINKI)
CUTOFF = datetime.datetime(2030, 6, 8, 17, 0, tzinfo=HELSINKI)  # 14:00 UTC


def _event(**kwargs):
    return ExchangeEventFactory(
        starts_at=START,
        ends_at=START + datetime.timedelta(days=1, hours=3, minutes=30),
        registration_opens_at=START - datetime.timedelta(days=30),
        registration_closes_at=START - datetime.timedelta(days=7),
        cancellation_cutoff=CUTOFF,
        **kwargs,
    )


@time_machine.travel(datetime.datetime(2030, 5, 20, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_event_page_and_my_registrations_show_the_cut_off_on_the_host_clock(client):
    registration = RegistrationFactory(event=_event())
    client.force_login(registration.user)

    event_page = client.get(registration.event.get_absolute_url()).content.decode()
    mine = client.get(reverse("exchanges:my-registrations")).content.decode()

    assert "Cancellation possible until" in event_page
    assert "You can cancel until 8 June 2030, 17:00." in event_page
    assert "You can cancel until 8 June 2030, 17:00." in mine


@time_machine.travel(datetime.datetime(2030, 6, 9, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_after_the_cut_off_participants_are_told_why_they_cannot_cancel(client):
    registration = RegistrationFactory(event=_event(status=EventStatus.REGISTRATION_CLOSED))
    client.force_login(registration.user)

    event_page = client.get(registration.event.get_absolute_url()).content.decode()
    mine = client.get(reverse("exchanges:my-registrations")).content.decode()

    why = (
        "You can no longer cancel yourself: cancellation was possible until 8 June 2030, 17:00. "
        "If you cannot come, tell the programme staff."
    )
    assert why in event_page
    assert why in mine
    assert reverse("exchanges:registration-cancel", args=[registration.pk]) not in mine


@time_machine.travel(datetime.datetime(2030, 5, 20, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_confirmation_mail_gives_the_cut_off(procurer, buyer):
    event = _event()

    register_for_event(event=event, user=procurer, organisation=buyer)

    mail = OutboxMail.objects.get(recipient=procurer, kind="exchanges.registered")
    expected = "You can cancel until 8 June 2030, 17:00 (Europe/Helsinki)"
    assert expected in mail.body_text
    assert expected in mail.body_html


@time_machine.travel(datetime.datetime(2030, 5, 1, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_registration_page_before_the_window_says_when_it_opens(client, procurer):
    event = _event()  # registration opens 12 May 2030, 09:00 Helsinki
    client.force_login(procurer)

    page = client.get(reverse("exchanges:event-register", args=[event.pk])).content.decode()
    event_page = client.get(event.get_absolute_url()).content.decode()

    assert "Registration for this exchange opens on 12 May 2030, 09:00 (Europe/Helsinki time)." in page
    assert "is closed" not in page
    assert "Registration opens on 12 May 2030, 09:00." in event_page


@time_machine.travel(datetime.datetime(2030, 6, 5, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_registration_page_after_the_window_still_says_closed(client, procurer):
    event = _event()
    client.force_login(procurer)

    page = client.get(reverse("exchanges:event-register", args=[event.pk])).content.decode()

    assert "Registration for this exchange is closed." in page
