"""A procurer writes a challenge with the needs-not-solutions coach at her side, a colleague approves it,
and an anonymous visitor finds it by search and reads it. Driven through a real Chromium with the locators
a person using a screen reader relies on (label text and roles), so a missing label or role fails the
journey."""

import importlib
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone

from tests.factories.accounts import AdminMembershipFactory, BuyerFactory, MembershipFactory

from .conftest import RESULTS_DIR
from .journey import PageChecks
from .journey import field as _field
from .journey import sign_in as _sign_in

# The rows the migrations seed: CPV codes and themes (0002), the coach's starting rules (0003).
REFERENCE_DATA = ("challenges.migrations.0002_reference_data", "challenges.migrations.0003_coach_rules")
OSLO = ZoneInfo("Europe/Oslo")

TITLE = "Islanders reach their hospital appointments on time"
FLAGGED_SUMMARY = "We want an app that tells islanders when the ferry is late."
# The search word: rare enough to find only this challenge, and on PostgreSQL the English stemmer reduces
# it and the statement's "ferries" alike ("ferri").
SEARCH_WORD = "ferries"
NEED_SUMMARY = (
    "Islanders who depend on the ferries reach their hospital appointments on time, "
    "even when a crossing is delayed or cancelled."
)
OUTCOME = "Fewer islanders miss a hospital appointment because a crossing was delayed."
CRITERION, WEIGHT = "Effect on missed appointments", 60
OTHER_CRITERION, OTHER_WEIGHT = "Cost over five years", 40


def _load_reference_data() -> None:
    """Every live-server test flushes all tables when it ends, the rows the migrations seeded included, so
    an earlier browser test may have emptied them. Load them again as the migrations do: both loaders
    skip rows that exist, so this is harmless when nothing was flushed."""
    for name in REFERENCE_DATA:
        migration = importlib.import_module(name)
        with connection.schema_editor() as schema_editor:
            migration.load(django_apps, schema_editor)


def _noon_in(days: int) -> str:
    """Noon, `days` from today on the clocks of the deadlines' default time zone, as a datetime-local input
    takes it (noon: never in the hour the clocks skip)."""
    return (timezone.now() + timedelta(days=days)).astimezone(OSLO).strftime("%Y-%m-%dT12:00")


def test_challenge_journey_drafted_with_the_coach_approved_by_a_colleague_and_found_by_the_public(
    new_page, console_errors
):
    # Imported here so that a missing Playwright is the `browser` marker's skip, not a collection error.
    from playwright.sync_api import expect

    _load_reference_data()
    buyer = BuyerFactory(name="Hitra kommune", city="Hitra")
    AdminMembershipFactory(
        organisation=buyer, user__email="marit@hitra.example", user__full_name="Marit Strand"
    )
    MembershipFactory(organisation=buyer, user__email="jon@hitra.example", user__full_name="Jon Fillan")
    checks = PageChecks()

    # 1. The procurer signs in and starts a challenge from her organisation's list.
    marit = new_page("marit")
    _sign_in(marit, checks, "marit@hitra.example")
    marit.get_by_role("navigation", name="Main").get_by_role("link", name="Our challenges").click()
    checks.arrived(marit, "Challenges of Hitra kommune")
    expect(marit.get_by_role("main")).to_contain_text("Your organisation has no challenges yet.")
    marit.get_by_role("link", name="Write a new challenge").click()
    checks.arrived(marit, "Write a new challenge")

    # 2. The problem. The coach flags the app she asks for while she types, and clears once she restates
    #    it as a need. Its advice describes the field and lives in a polite live region under it.
    _field(marit, "Title").fill(TITLE)
    summary = _field(marit, "Short summary")
    summary.fill(FLAGGED_SUMMARY)
    advice = marit.locator("#id_summary-coach")
    expect(advice).to_have_attribute("aria-live", "polite")
    expect(advice.locator("mark")).to_have_text(["app"])
    expect(advice).to_contain_text("Technology named as the answer")
    expect(advice).to_contain_text("Restate it as a need:")
    expect(summary).to_have_accessible_description(
        re.compile("The coach flagged 1 phrase that may prescribe a solution")
    )
    summary.fill(NEED_SUMMARY)
    expect(advice.locator("mark")).to_have_count(0)
    expect(summary).to_have_accessible_description(re.compile("No solution-prescriptive wording found"))
    _field(marit, "Today's situation").fill(
        "Island residents travel to the hospital in Trondheim by ferry. When a crossing is delayed they "
        "arrive late, and one in eight appointments is missed or moved."
    )
    _field(marit, "Who is affected and how").fill(
        "Older island residents and their families, and the hospital's outpatient clinics."
    )
    _field(marit, "Why it matters now").fill("The ferry timetable is cut by a third from next year.")
    expect(marit.locator(".coach-feedback mark")).to_have_count(0)
    marit.get_by_role("button", name="Save and continue").click()

    # 3. Outcomes: one, with a measurable indicator and a target.
    checks.arrived(marit, f"Edit “{TITLE}”")
    expect(marit.get_by_role("status")).to_contain_text("The challenge has been saved as a draft.")
    expect(marit.get_by_role("heading", level=2, name="Outcomes", exact=True)).to_be_visible()
    outcome = marit.get_by_role("group", name=re.compile(r"^Outcome 1\b"))
    _field(outcome, "Outcome").fill(OUTCOME)
    _field(outcome, "Indicator").fill("Share of island residents' hospital appointments that are missed")
    _field(outcome, "Baseline today").fill("12 %")
    _field(outcome, "Target").fill("Below 4 % by the end of 2027")
    marit.get_by_role("button", name="Save and continue").click()

    # 4. Constraints.
    checks.arrived(marit, f"Edit “{TITLE}”")
    expect(marit.get_by_role("heading", level=2, name="Constraints")).to_be_visible()
    _field(marit, "Constraints and must-haves").fill("Health data stays in the EEA. WCAG 2.1 AA.")
    _field(marit, "Out of scope").fill("Changing the ferry timetable.")
    marit.get_by_role("button", name="Save and continue").click()

    # 5. Practicalities: budget, deadlines (questions before proposals, both ahead), route, CPV code.
    checks.arrived(marit, f"Edit “{TITLE}”")
    expect(marit.get_by_role("heading", level=2, name="Practicalities")).to_be_visible()
    expect(_field(marit, "Time zone of the deadlines")).to_have_value("Europe/Oslo")
    _field(marit, "Budget from").fill("100000")
    _field(marit, "Budget up to").fill("400000")
    _field(marit, "Deadline for questions").fill(_noon_in(20))
    _field(marit, "Deadline for proposals").fill(_noon_in(30))
    _field(marit, "Procurement route").select_option(label="Innovation partnership")
    cpv = marit.get_by_role("combobox", name=re.compile(r"^\s*CPV codes"))
    cpv.press_sequentially("hospital services", delay=10)
    marit.get_by_role("option", name=re.compile(r"^85111000 Hospital services")).click()
    expect(marit.get_by_role("list", name="Chosen CPV codes")).to_contain_text("85111000")
    _field(marit, "Health and care").check()
    _field(marit, "Contact person").fill("Marit Strand")
    _field(marit, "Contact email").fill("marit@hitra.example")
    marit.get_by_role("button", name="Save and continue").click()

    # 6. Criteria: two rows whose weights add up to 100, the second added with the editor's button.
    checks.arrived(marit, f"Edit “{TITLE}”")
    expect(marit.get_by_role("heading", level=2, name="Evaluation criteria")).to_be_visible()
    first = marit.get_by_role("group", name=re.compile(r"^Criterion 1\b"))
    _field(first, "Criterion").fill(CRITERION)
    _field(first, "What evaluators look for").fill("How many more appointments are kept, and how soon.")
    _field(first, "Weight (points out of 100)").fill(str(WEIGHT))
    marit.get_by_role("button", name="Add another criterion").click()
    second = marit.get_by_role("group", name=re.compile(r"^New criterion\b"))
    _field(second, "Criterion").fill(OTHER_CRITERION)
    _field(second, "Weight (points out of 100)").fill(str(OTHER_WEIGHT))
    expect(marit.get_by_text("The weights add up to 100.")).to_be_visible()
    marit.get_by_role("button", name="Save and continue").click()

    # 7. No documents; on to the review, where nothing is missing.
    checks.arrived(marit, f"Edit “{TITLE}”")
    expect(marit.get_by_role("heading", level=2, name="Documents")).to_be_visible()
    marit.get_by_role("link", name="Continue to the review").click()
    checks.arrived(marit, f"Edit “{TITLE}”")
    expect(marit.get_by_role("status").filter(has_text="Nothing is missing")).to_be_visible()

    # 8. She submits it for review; the coach's checklist has nothing left to flag.
    marit.get_by_role("link", name="Submit for review").click()
    checks.arrived(marit, "Submit for review")
    coach = marit.get_by_role("region", name="Needs, not solutions")
    expect(coach).to_contain_text("No solution-prescriptive wording found.")
    expect(coach.locator("mark")).to_have_count(0)
    expect(marit.get_by_role("region", name="Is the statement complete?")).to_contain_text(
        "Everything review needs is there"
    )
    marit.get_by_role("main").get_by_role("button", name="Submit for review").click()
    checks.arrived(marit, TITLE)
    expect(marit.get_by_role("status")).to_contain_text("The challenge has been sent for review.")

    # 9. The colleague, in a browser of his own, follows the notification to the review and approves.
    jon = new_page("jon")
    _sign_in(jon, checks, "jon@hitra.example")
    jon.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(r"^Notifications")).click()
    checks.arrived(jon, "Notifications")
    jon.get_by_role("link", name=f"Review requested: {TITLE}").click()
    checks.arrived(jon, f"Review: {TITLE}")
    expect(jon.get_by_role("main")).to_contain_text("Submitted for review by Marit Strand of Hitra kommune.")
    expect(
        jon.get_by_role("table", name="Evaluation criteria and their weights").get_by_role("row")
    ).to_have_count(3)
    jon.get_by_role("radio", name="Approve and publish").check()
    jon.get_by_role("button", name="Send decision").click()
    checks.arrived(jon, TITLE)
    expect(jon.get_by_role("status")).to_contain_text("The challenge is published.")

    # 10. An anonymous visitor searches the public list for a word of the summary and reads the challenge.
    visitor = new_page("visitor")
    visitor.goto("/challenges/")
    checks.arrived(visitor, "Challenges")
    search = visitor.get_by_role("search", name="Search and filter")
    _field(search, "Search words").fill(SEARCH_WORD)
    search.get_by_role("button", name="Search").click()
    checks.arrived(visitor, "Challenges")
    expect(visitor.get_by_role("heading", name="1 challenge found")).to_be_visible()
    result = visitor.get_by_role("article", name=TITLE)
    expect(result).to_contain_text("Hitra kommune")
    expect(result).to_contain_text(NEED_SUMMARY)
    result.get_by_role("link", name=TITLE).click()
    checks.arrived(visitor, TITLE)
    expect(visitor.get_by_role("main")).to_contain_text("Open for proposals")
    outcomes = visitor.get_by_role("region", name="Outcomes we want")
    expect(outcomes.get_by_role("listitem").first).to_contain_text(OUTCOME)
    criteria = visitor.get_by_role("table", name="Evaluation criteria and their weights")
    expect(criteria.get_by_role("row").filter(has_text=CRITERION)).to_contain_text(f"{WEIGHT} %")
    expect(criteria.get_by_role("row").filter(has_text=OTHER_CRITERION)).to_contain_text(f"{OTHER_WEIGHT} %")
    RESULTS_DIR.mkdir(exist_ok=True)
    visitor.screenshot(path=str(RESULTS_DIR / "challenge-detail.png"), full_page=True)

    # 11. Nothing a person would notice went wrong on any page: headings, tab titles, failed requests,
    #     script errors, CSP violations.
    noticed = [*checks.problems, *console_errors]
    assert noticed == [], f"on {len(checks.visited)} pages:\n" + "\n".join(noticed)
