"""A resident shares a problem she sees in her city; the city's procurer publishes it; two neighbours
support it; the procurer turns it into a challenge draft; the city's dashboard counts the published idea
and the drafted challenge. Driven through a real Chromium by labels and roles, as a person would."""

import re

from django.utils import timezone

from challenges.models import CoachRule
from portal.accounts.enums import MembershipRole
from tests.factories.accounts import (
    BuyerFactory,
    MembershipFactory,
    ProgrammeOrganisationFactory,
    UserFactory,
)
from tests.factories.challenges import ThemeFactory
from tests.factories.insight import ProgrammeFactory

from .journey import PageChecks
from .journey import field as _field
from .journey import sign_in as _sign_in

TITLE = "Icy pavements keep older residents at home"
PROBLEM = (
    "In winter the pavements between the care homes and the shops in Lademoen stay icy for days. "
    "Older residents stop going out, and some fall. We should buy an app for this."
)


def _support(page, checks: PageChecks, email: str, supporters: str) -> None:
    from playwright.sync_api import expect

    _sign_in(page, checks, email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Citizen ideas").click()
    checks.arrived(page, "Citizen ideas")
    page.get_by_role("link", name=TITLE).click()
    checks.arrived(page, TITLE)
    page.get_by_role("button", name="I support this idea").click()
    checks.arrived(page, TITLE)
    support = page.get_by_role("complementary", name="Support")
    expect(support).to_contain_text("You support this idea.")
    expect(support).to_contain_text(supporters)


def test_idea_journey_from_resident_to_challenge_draft_and_dashboard(new_page, console_errors):
    from playwright.sync_api import expect

    city = BuyerFactory(name="Trondheim kommune", city="Trondheim", country="NO")
    ProgrammeFactory(organisation=ProgrammeOrganisationFactory(name="FORAN"), buyers=[city])
    MembershipFactory(
        organisation=city,
        role=MembershipRole.ADMIN,
        user__email="procurer@trondheim.example",
        user__full_name="Per Procurer",
    )
    for email, name in [
        ("ingrid@example.net", "Ingrid Haugen"),
        ("ola@example.net", "Ola Berg"),
        ("sara@example.net", "Sara Lie"),
    ]:
        UserFactory(email=email, full_name=name)
    # Live-server tests flush the database, seeded themes and coach rules included: make what the
    # journey relies on.
    ThemeFactory(slug="winter-maintenance", name_en="Winter maintenance", name_nb="Vintervedlikehold")
    CoachRule.objects.get_or_create(
        language="en",
        phrase="app",
        defaults={
            "category": "technology",
            "explanation": "Names a technology instead of the need.",
            "suggestion": "Describe what should happen for the people affected.",
        },
    )
    checks = PageChecks()

    # 1. A resident shares the problem; the coach points at the solution she slipped in; she sends it.
    ingrid = new_page("ingrid")
    _sign_in(ingrid, checks, "ingrid@example.net")
    ingrid.get_by_role("navigation", name="Main").get_by_role("link", name="Citizen ideas").click()
    checks.arrived(ingrid, "Citizen ideas")
    ingrid.get_by_role("link", name="Share an idea").click()
    checks.arrived(ingrid, "Share an idea for your city")
    _field(ingrid, "Your city or municipality").select_option(label="Trondheim kommune")
    _field(ingrid, "Title").fill(TITLE)
    _field(ingrid, "The problem you see").fill(PROBLEM)
    _field(ingrid, "Where in the city").fill("Lademoen")
    ingrid.get_by_role("checkbox", name="Winter maintenance", exact=True).check()
    _field(ingrid, "Name shown with your idea").fill("Ingrid from Lademoen")
    ingrid.get_by_role("button", name="Check and preview").click()
    checks.arrived(ingrid, "Share an idea for your city")
    coach = ingrid.get_by_role("region", name="Tips from the coach")
    expect(coach).to_contain_text("app")
    expect(_field(ingrid, "Title")).to_have_value(TITLE)
    ingrid.get_by_role("button", name="Send my idea").click()
    checks.arrived(ingrid, TITLE)
    expect(ingrid.get_by_role("main")).to_contain_text("waiting for the city's moderators")
    expect(ingrid.get_by_role("main")).not_to_contain_text("Ingrid Haugen")

    # 2. The city's procurer publishes it from the moderation queue.
    per = new_page("per")
    _sign_in(per, checks, "procurer@trondheim.example")
    per.get_by_role("navigation", name="Main").get_by_role("link", name="Citizen ideas").click()
    checks.arrived(per, "Citizen ideas")
    per.get_by_role("main").get_by_role("link", name="Ideas to moderate").click()
    checks.arrived(per, "Ideas to moderate")
    per.get_by_role("link", name=f"Moderate “{TITLE}”").click()
    checks.arrived(per, f"Moderate: {TITLE}")
    per.get_by_role("radio", name="Publish it", exact=True).check()
    per.get_by_role("button", name="Save the decision").click()
    checks.arrived(per, "Ideas to moderate")
    expect(per.get_by_role("main")).to_contain_text("No ideas are waiting for moderation.")

    # 3. Two neighbours support it; the page shows only the count, never who they are.
    _support(new_page("ola"), checks, "ola@example.net", "1 supporter")
    sara = new_page("sara")
    _support(sara, checks, "sara@example.net", "2 supporters")
    expect(sara.get_by_role("main")).not_to_contain_text("Ola Berg")
    expect(sara.get_by_role("main")).to_contain_text("Ingrid from Lademoen")

    # 4. The procurer turns the idea into a challenge draft and lands in the editor.
    per.get_by_role("navigation", name="Main").get_by_role("link", name="Citizen ideas").click()
    checks.arrived(per, "Citizen ideas")
    per.get_by_role("link", name=TITLE).click()
    checks.arrived(per, TITLE)
    per.get_by_role("link", name="Turn into a challenge").click()
    checks.arrived(per, "Turn the idea into a challenge")
    per.get_by_role("button", name="Make the challenge draft").click()
    checks.arrived(per, f"Edit “{TITLE}”")
    expect(_field(per, "Title")).to_have_value(TITLE)

    # 5. The city's dashboard counts the published idea and the drafted challenge this year.
    per.get_by_role("navigation", name="Main").get_by_role("link", name="Insight").click()
    checks.arrived(per, "Insight")
    per.get_by_role("link", name=re.compile(r"^Dashboard")).click()
    checks.arrived(per, "Dashboard: Trondheim kommune")
    funnel = per.get_by_role("table", name="Funnel")
    year = str(timezone.localdate().year)
    row = (
        funnel.get_by_role("row")
        .filter(has=per.get_by_role("rowheader", name=year))
        .filter(has_text="Trondheim kommune")
    )
    cells = row.get_by_role("cell")
    # Year | Organisation | ideas published | drafted | published | proposals | trials | awards
    expect(cells.nth(0)).to_have_text("Trondheim kommune")
    expect(cells.nth(1)).to_have_text("1")
    expect(cells.nth(2)).to_have_text("1")
    expect(cells.nth(3)).to_have_text("0")
    expect(per.get_by_role("img", name=re.compile("^From citizen ideas to awards"))).to_have_count(1)

    assert checks.problems == []
    assert console_errors == []
