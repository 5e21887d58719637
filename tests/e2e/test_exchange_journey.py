"""Staff create an exchange from the BUILD template and open it; a procurer registers and answers the
pre-exchange survey; staff generate the draft agenda from the answers and publish it; the procurer downloads
the calendar file. Driven through a real Chromium by labels and roles, as a person using a screen reader
would."""

import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
from django.utils import timezone

from tests.factories.accounts import (
    BuyerFactory,
    MembershipFactory,
    ProgrammeOrganisationFactory,
    TOTPAuthenticatorFactory,
)
from tests.factories.exchanges import ExchangeProgrammeFactory

from .journey import PageChecks
from .journey import field as _field
from .journey import sign_in as _sign_in

TALLINN = ZoneInfo("Europe/Tallinn")
TITLE = "BUILD exchange in Tartu"


def test_exchange_journey_from_template_to_calendar_file(new_page, console_errors, tmp_path: Path):
    from playwright.sync_api import expect

    BuyerFactory(name="City of Tartu", city="Tartu", country="EE")
    programme = ExchangeProgrammeFactory(
        name="BUILD staff exchanges", organiser=ProgrammeOrganisationFactory()
    )
    staff = TOTPAuthenticatorFactory(
        user__email="coordinator@build.example", user__full_name="Eva Coordinator"
    ).user
    MembershipFactory(user=staff, organisation=programme.organiser)
    MembershipFactory(
        organisation=BuyerFactory(name="City of Turku", city="Turku"),
        user__email="aino@turku.example",
        user__full_name="Aino Virtanen",
    )
    first_day = (timezone.now() + timedelta(days=40)).astimezone(TALLINN).date()
    while first_day.weekday() >= 4:
        first_day += timedelta(days=1)
    checks = PageChecks()

    # 1. Staff create the exchange from the template, create and open the pre-exchange survey, and open
    #    registration.
    eva = new_page("eva")
    _sign_in(eva, checks, "coordinator@build.example", totp=True)
    eva.get_by_role("navigation", name="Main").get_by_role("link", name="Staff exchanges").click()
    checks.arrived(eva, "Staff exchanges")
    eva.get_by_role("link", name="BUILD staff exchanges").click()
    checks.arrived(eva, "BUILD staff exchanges")
    eva.get_by_role("link", name="New exchange").click()
    checks.arrived(eva, "New exchange")
    expect(_field(eva, "Use the BUILD exchange template")).to_be_checked()
    _field(eva, "Title").fill(TITLE)
    _field(eva, "Host organisation").select_option(label="City of Tartu")
    _field(eva, "City").fill("Tartu")
    _field(eva, "Time zone of the host").select_option("Europe/Tallinn")
    _field(eva, "Starts").fill(f"{first_day.isoformat()}T09:00")
    _field(eva, "Venue").fill("Tartu Town Hall")
    _field(eva, "Places").fill("12")
    eva.get_by_role("button", name="Create the exchange").click()
    checks.arrived(eva, f"Planning: {TITLE}")
    expect(eva.get_by_role("link", name="Agenda (6 sessions)")).to_be_visible()
    pre = eva.get_by_role("region", name="Pre-exchange survey")
    pre.get_by_role("button", name="Create from the template").click()
    checks.arrived(eva, f"Planning: {TITLE}")
    pre.get_by_role("button", name="Open for answers").click()
    checks.arrived(eva, f"Planning: {TITLE}")
    eva.get_by_role("button", name="Move to “Registration open”").click()
    checks.arrived(eva, f"Planning: {TITLE}")
    expect(eva.get_by_text("Registration open", exact=True)).to_be_visible()

    # 2. A procurer from Turku registers and answers the survey; the case question appears once she
    #    offers to present a case.
    aino = new_page("aino")
    _sign_in(aino, checks, "aino@turku.example")
    aino.get_by_role("navigation", name="Main").get_by_role("link", name="Staff exchanges").click()
    checks.arrived(aino, "Staff exchanges")
    aino.get_by_role("link", name="BUILD staff exchanges").click()
    checks.arrived(aino, "BUILD staff exchanges")
    aino.get_by_role("link", name=TITLE).click()
    checks.arrived(aino, TITLE)
    aino.get_by_role("link", name="Register").click()
    checks.arrived(aino, f"Register: {TITLE}")
    _field(aino, "Role in the exchange").select_option(label="Presenter")
    _field(aino, "Dietary needs").fill("Vegetarian")
    _field(aino, "Show my name and organisation on the participant list").check()
    aino.get_by_role("main").get_by_role("button", name="Register").click()
    checks.arrived(aino, TITLE)
    expect(aino.get_by_role("main")).to_contain_text("You are registered.")
    aino.get_by_role("link", name="Answer the pre-exchange survey").click()
    checks.arrived(aino, f"Before the exchange: {TITLE}")
    aino.get_by_role("checkbox", name="Market dialogue").check()
    aino.get_by_role("checkbox", name="Sustainability").check()
    aino.get_by_label("What do you want to learn?").fill("How Tartu talks to the market.")
    case_question = aino.get_by_label("Which case would you present?")
    expect(case_question).to_be_hidden()
    aino.get_by_role("checkbox", name="Present a case from my city").check()
    expect(case_question).to_be_visible()
    case_question.fill("Our market day for school meals")
    aino.get_by_label("1st choice").select_option(label="Sauna")
    aino.get_by_role("button", name="Submit answers").click()
    checks.arrived(aino, TITLE)
    expect(aino.get_by_role("main")).to_contain_text("Thank you: your answers are submitted.")

    # 3. Staff see the proposal on the results page, put it on the agenda and publish it.
    eva.reload()
    checks.arrived(eva, f"Planning: {TITLE}")
    pre.get_by_role("link", name="Results").click()
    checks.arrived(eva, f"Results: Before the exchange: {TITLE}")
    proposal = eva.get_by_role("table", name="Proposed sessions")
    expect(proposal).to_contain_text("Discussion: Market dialogue")
    expect(proposal).to_contain_text("Real case: Our market day for school meals")
    expect(proposal).to_contain_text("Aino Virtanen")
    eva.get_by_role("button", name="Put this draft on the agenda").click()
    checks.arrived(eva, f"Agenda editor: {TITLE}")
    expect(eva.get_by_role("main")).to_contain_text("3 sessions proposed, 1 did not fit.")
    expect(eva.get_by_text("proposed", exact=True).first).to_be_visible()
    expect(eva.get_by_role("region", name="Proposals that did not fit")).to_contain_text(
        "Discussion: Sustainability"
    )
    eva.get_by_role("button", name="Publish the agenda").click()
    checks.arrived(eva, f"Agenda: {TITLE}")
    expect(eva.get_by_role("main")).to_contain_text("Real case: Our market day for school meals")

    # 4. The procurer reads the agenda and downloads the calendar file.
    aino.reload()
    checks.arrived(aino, TITLE)
    expect(aino.get_by_role("heading", name="Agenda")).to_be_visible()
    with aino.expect_download() as download_info:
        aino.get_by_role("link", name="Add to your calendar (.ics)").click()
    path = tmp_path / "exchange.ics"
    download_info.value.save_as(path)
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert summaries[0] == TITLE
    assert f"Real case: Our market day for school meals ({TITLE})" in summaries
    assert calendar.walk("VEVENT")[0]["DTSTART"].params["TZID"] == "Europe/Tallinn"
    assert re.match(r"\d{2}:\d{2}", calendar.walk("VEVENT")[0].decoded("DTSTART").strftime("%H:%M"))

    assert checks.problems == []
    assert console_errors == []
