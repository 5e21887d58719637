import pytest
from django.core.management import call_command
from django.urls import reverse

from exchanges.demo import load_exchange_demo
from exchanges.enums import EventStatus
from exchanges.models import AgendaSession, ExchangeEvent, ReflectionReport, Registration
from exchanges.surveys.models import Completion, Response
from portal.accounts.models import User

pytestmark = pytest.mark.django_db


def test_demo_series_turku_tartu_rotterdam(client):
    call_command("load_demo")

    events = {e.city: e for e in ExchangeEvent.objects.all()}
    assert {city: e.status for city, e in events.items()} == {
        "Turku": EventStatus.REFLECTED,
        "Tartu": EventStatus.REGISTRATION_OPEN,
        "Rotterdam": EventStatus.PLANNING,
    }
    assert ReflectionReport.objects.get(event=events["Turku"]).is_case_study
    library = reverse("casestudies:case-study-list") + "?source=exchange"
    assert "BUILD exchange in Turku" in client.get(library).content.decode()
    tartu = events["Tartu"]
    assert Registration.objects.filter(event=tartu, status="confirmed").count() == 8
    assert Registration.objects.filter(event=tartu, status="waitlisted").count() == 2
    assert Response.objects.filter(survey=tartu.pre_survey, submitted_at__isnull=False).count() == 5
    staff = User.objects.get(email="staff@programme.example.org")
    client.force_login(staff)
    page = client.get(reverse("exchanges:survey-results", args=[tartu.pk, "pre"])).content.decode()
    assert "Discussion: Market dialogue" in page
    assert "Real case: Our market day for school meals" in page
    assert (
        client.get(ReflectionReport.objects.get(event=events["Turku"]).get_absolute_url()).status_code == 200
    )


def test_demo_twice_changes_nothing():
    call_command("load_demo")
    counts = (
        ExchangeEvent.objects.count(),
        Registration.objects.count(),
        AgendaSession.objects.count(),
        Completion.objects.count(),
    )

    assert load_exchange_demo() == 0

    assert counts == (
        ExchangeEvent.objects.count(),
        Registration.objects.count(),
        AgendaSession.objects.count(),
        Completion.objects.count(),
    )
