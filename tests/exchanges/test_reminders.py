"""The reminder schedule over a simulated month and a half: beat fires every six hours, twice each time
(as if two beats ran), and each person gets exactly the mails of their stages."""

import datetime
from collections import Counter

import pytest
import time_machine

from exchanges.enums import EventStatus
from exchanges.services.agenda import publish_agenda
from exchanges.services.events import change_event_status
from exchanges.services.registration import cancel_registration, register_for_event
from exchanges.services.surveys import close_event_survey, create_event_survey, open_event_survey
from exchanges.surveys.services import save_answers
from exchanges.tasks import send_exchange_reminders_task
from portal.notifications.models import OutboxMail
from tests.factories.accounts import BuyerFactory, MembershipFactory, SupplierFactory
from tests.factories.exchanges import AgendaSessionFactory, ExchangeEventFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2030, 3, 2, 7, 0, tzinfo=datetime.UTC)
STEP = datetime.timedelta(hours=6)
PRE_ANSWERS = {
    "themes": ["market-dialogue"],
    "learn": "Market dialogue",
    "roles": ["participate"],
    "free_time": ["sauna"],
}
REFLECTION_ANSWERS = {
    "differences": "d",
    "surprises": "s",
    "learnings": "l",
    "bring_back_to": "b",
    "overall": 4,
    "commitment": "c",
    "quote_consent": "no",
}


def day(n: float) -> datetime.datetime:
    return T0 + datetime.timedelta(days=n)


def _person(organisation=None):
    organisation = organisation or BuyerFactory()
    return MembershipFactory(organisation=organisation).user, organisation


def test_reminder_schedule_over_a_month(staff):
    with time_machine.travel(T0, tick=False) as clock:
        event = ExchangeEventFactory(
            capacity=3,
            starts_at=day(30),
            ends_at=day(31) + datetime.timedelta(hours=3, minutes=30),
            registration_opens_at=T0,
            registration_closes_at=day(25),
            cancellation_cutoff=day(27),
            target_groups=["procurement_staff"],
        )
        AgendaSessionFactory(event=event, starts_at=day(30), ends_at=day(30) + datetime.timedelta(hours=1))
        pre = create_event_survey(event=event, which="pre", by=staff)
        open_event_survey(event=event, which="pre", by=staff)
        a, b, x, w, c = (_person() for _ in range(5))
        supplier, _supplier_org = _person(SupplierFactory())
        registrations = {}
        now = T0

        def run_until(moment):
            nonlocal now
            while now < moment:
                now += STEP
                clock.move_to(now)
                send_exchange_reminders_task()
                send_exchange_reminders_task()  # beat fires twice
            clock.move_to(moment)
            now = moment

        run_until(day(0.1))
        for name, (user, organisation) in {"a": a, "b": b, "x": x, "w": w}.items():
            registrations[name] = register_for_event(event=event, user=user, organisation=organisation)
        run_until(day(10))
        cancel_registration(registration=registrations["x"], by=x[0])  # w moves up from the waiting list
        run_until(day(18))
        save_answers(survey=pre, user=b[0], data=PRE_ANSWERS, submit=True)
        run_until(day(20))
        publish_agenda(event=event, by=staff)
        run_until(day(25))
        change_event_status(event=event, status=EventStatus.REGISTRATION_CLOSED, by=staff)
        run_until(day(30))
        close_event_survey(event=event, which="pre", by=staff)
        change_event_status(event=event, status=EventStatus.RUNNING, by=staff)
        run_until(day(31.2))
        change_event_status(event=event, status=EventStatus.COMPLETED, by=staff)
        reflection = create_event_survey(event=event, which="reflection", by=staff)
        open_event_survey(event=event, which="reflection", by=staff)
        save_answers(survey=reflection, user=b[0], data={**REFLECTION_ANSWERS}, submit=True)
        run_until(day(45))

    mails = Counter((mail.recipient_id, mail.kind) for mail in OutboxMail.objects.all())

    def kinds_of(user):
        return {kind.removeprefix("exchanges."): n for (pk, kind), n in mails.items() if pk == user.pk}

    assert registrations["w"].status == "waitlisted"
    assert kinds_of(a[0]) == {
        "registration_open": 1,
        "registered": 1,
        "survey_reminder": 5,
        "agenda_published": 1,
        "day_before": 1,
    }
    assert kinds_of(b[0]) == {
        "registration_open": 1,
        "registered": 1,
        "survey_reminder": 1,
        "agenda_published": 1,
        "day_before": 1,
    }
    assert kinds_of(x[0]) == {"registration_open": 1, "registered": 1}
    assert kinds_of(w[0]) == {
        "registration_open": 1,
        "registered": 1,
        "promoted": 1,
        "survey_reminder": 5,
        "agenda_published": 1,
        "day_before": 1,
    }
    assert kinds_of(c[0]) == {"registration_open": 1}
    assert kinds_of(supplier) == {}
    assert kinds_of(staff) == {}
    subjects = sorted(
        OutboxMail.objects.filter(recipient=a[0], kind="exchanges.survey_reminder").values_list(
            "subject", flat=True
        )
    )
    assert len([s for s in subjects if "Before the exchange" in s]) == 3
    assert len([s for s in subjects if "Reflection" in s]) == 2


@pytest.mark.django_db(transaction=True)
def test_beat_claims_the_agenda_reminder_only_with_its_notification(monkeypatch):
    """The beat path claims and notifies in one transaction: if the worker dies between the two (here:
    the notification raises), the claim is rolled back and the next run still tells the participant. A
    real, committing transaction is needed to see it, hence transaction=True."""
    from django.utils import timezone

    import exchanges.services.agenda as agenda_service
    from exchanges.services.agenda import agenda_key
    from portal.notifications.models import ReminderRecord
    from tests.factories.exchanges import RegistrationFactory

    event = ExchangeEventFactory(agenda_published_at=timezone.now())
    registration = RegistrationFactory(event=event)

    def worker_lost(**kwargs):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(agenda_service, "notify", worker_lost)
    with pytest.raises(RuntimeError):
        send_exchange_reminders_task()
    assert not ReminderRecord.objects.filter(key=agenda_key(event)).exists()
    monkeypatch.undo()

    send_exchange_reminders_task()
    send_exchange_reminders_task()

    mails = OutboxMail.objects.filter(recipient=registration.user, kind="exchanges.agenda_published")
    assert mails.count() == 1
