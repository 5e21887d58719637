"""Bad input on staff's forms gets a field error with what was typed kept, never a 500: a capacity the
database column cannot hold (a DataError on PostgreSQL), and dates in years like 9999 or 0001 that overflow
when moved between time zones."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from exchanges.models import AgendaSession, ExchangeEvent
from exchanges.services.events import create_event, update_event
from tests.factories.exchanges import ExchangeEventFactory, ExchangeProgrammeFactory

pytestmark = pytest.mark.django_db
HUGE = "99999999999999"


def _event_post(buyer, **values) -> dict:
    return {
        "title": "Tartu exchange",
        "host": buyer.pk,
        "city": "Tartu",
        "timezone": "Europe/Tallinn",
        "starts_at": "2030-05-15T09:00",
        "ends_at": "2030-05-16T12:30",
        "capacity": "20",
        **values,
    }


def test_event_form_refuses_a_capacity_beyond_the_limit_and_keeps_it(client, staff, buyer):
    programme = ExchangeProgrammeFactory()
    client.force_login(staff)

    response = client.post(
        reverse("exchanges:event-create", args=[programme.slug]), _event_post(buyer, capacity=HUGE)
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "An exchange has at most 10000 places." in page
    assert f'value="{HUGE}"' in page
    assert not programme.events.exists()


@pytest.mark.postgres
def test_huge_capacity_is_refused_before_postgresql_sees_it(client, staff, buyer):
    """PostgreSQL's integer column overflows at 2 147 483 647 (DataError): the form and the service stop
    the value first, on the edit page too."""
    event = ExchangeEventFactory()
    client.force_login(staff)

    response = client.post(
        reverse("exchanges:event-edit", args=[event.pk]),
        _event_post(buyer, capacity=HUGE, title=event.title, timezone="Europe/Helsinki"),
    )
    with pytest.raises(ValidationError) as error:
        update_event(event=event, by=staff, capacity=int(HUGE))

    assert response.status_code == 200
    assert "An exchange has at most 10000 places." in response.content.decode()
    assert list(error.value.message_dict) == ["capacity"]
    event.refresh_from_db()
    assert event.capacity == 10


@pytest.mark.parametrize(
    "typed", ["9999-12-31T23:30", "0001-01-01T00:30", "1999-12-31T09:00", "2101-01-03T09:00"]
)
@pytest.mark.parametrize("from_template", [True, False])
def test_event_dates_outside_the_years_are_field_errors(client, staff, buyer, typed, from_template):
    programme = ExchangeProgrammeFactory()
    client.force_login(staff)
    values = _event_post(buyer, starts_at=typed, ends_at="" if from_template else "2030-05-16T12:30")
    if from_template:
        values["from_template"] = "on"

    response = client.post(reverse("exchanges:event-create", args=[programme.slug]), values)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Give a date between the years 2000 and 2100." in page
    assert f'value="{typed}"' in page
    assert 'href="#id_starts_at"' in page
    assert not ExchangeEvent.objects.filter(programme=programme).exists()


@pytest.mark.parametrize("field", ["registration_opens_at", "registration_closes_at", "cancellation_cutoff"])
def test_event_edit_refuses_far_off_years_in_every_date(client, staff, buyer, field):
    event = ExchangeEventFactory()
    client.force_login(staff)

    response = client.post(
        reverse("exchanges:event-edit", args=[event.pk]),
        _event_post(buyer, title=event.title, timezone="Pacific/Kiritimati", **{field: "0001-01-01T00:00"}),
    )

    assert response.status_code == 200
    assert "Give a date between the years 2000 and 2100." in response.content.decode()


def test_session_form_refuses_far_off_years(client, staff):
    event = ExchangeEventFactory()
    client.force_login(staff)

    response = client.post(
        reverse("exchanges:agenda-edit", args=[event.pk]),
        {
            "kind": "discussion",
            "title": "Time travel",
            "starts_at": "9999-12-31T23:00",
            "ends_at": "9999-12-31T23:59",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Give a date between the years 2000 and 2100.") >= 2
    assert 'value="9999-12-31T23:00"' in page
    assert not AgendaSession.objects.filter(event=event).exists()


def test_create_event_service_refuses_far_off_years_before_computing(staff, buyer):
    zone = datetime.timezone(datetime.timedelta(hours=-10))

    with pytest.raises(ValidationError) as error:
        create_event(
            programme=ExchangeProgrammeFactory(),
            by=staff,
            from_template=True,
            title="Far future",
            host=buyer,
            city="Tartu",
            timezone="Pacific/Honolulu",
            starts_at=datetime.datetime(9999, 12, 31, 12, 0, tzinfo=zone),
            ends_at=datetime.datetime(9999, 12, 31, 13, 0, tzinfo=zone),
            capacity=10,
        )

    assert error.value.message_dict == {
        "starts_at": ["Give a date between the years 2000 and 2100."],
        "ends_at": ["Give a date between the years 2000 and 2100."],
    }
