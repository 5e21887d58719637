"""The main journeys done with the keyboard alone: Tab and Shift+Tab to move, typing to fill fields, arrow
keys in selects and radio groups, Space for checkboxes, Enter to follow links and press buttons. No
mouse click anywhere. At every stop Tab makes, the focused element must show a focus indicator (an outline
or a box shadow), and each journey starts with the "skip to main content" link, the first thing Tab
reaches, which moves focus to the main content."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from tests.factories.accounts import PASSWORD

from .journey import HOME, PageChecks, field

# What the focused element looks like: a visible focus indicator is an outline or a box shadow, judged
# once any transition has finished.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  el.getAnimations().forEach(animation => animation.finish());  // judge the ring, not a fade-in
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  // A shadow counts when it has a colour that is not fully transparent and a length that is not zero.
  const shadow = style.boxShadow !== "none" && !/^rgba\\([^)]*, 0\\)/.test(style.boxShadow)
    && /[1-9]/.test(style.boxShadow.replace(/rgba?\\([^)]*\\)/g, ""));
  const box = el.getBoundingClientRect();
  const name = (el.getAttribute("aria-label") || el.labels?.[0]?.textContent || el.textContent || "")
    .replace(/\\s+/g, " ").trim().slice(0, 60);
  return {
    visible: (outline || shadow) && box.width > 0 && box.height > 0,
    what: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} “${name}”`,
  };
}"""
MAX_TABS = 250


class Keys:
    """One person's keyboard. Every Tab stop is checked for a visible focus indicator; problems are
    collected (once each) so that one run reports them all."""

    def __init__(self, page, problems: list[str]) -> None:
        self.page = page
        self.problems = problems

    def _note_focus(self) -> None:
        state = self.page.evaluate(FOCUS_STATE)
        if state and not state["visible"]:
            problem = f"{self.page.url.split('?')[0]}: no visible focus indicator on {state['what']}"
            if problem not in self.problems:
                self.problems.append(problem)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def tab_to(self, locator, *, backwards: bool = False) -> None:
        """Tab (or Shift+Tab) until `locator` has the focus."""
        element = locator.element_handle()
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            self._note_focus()
            if element.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"{MAX_TABS} presses of Tab never reached {locator} on {self.page.url}")

    def type_into(self, locator, text: str) -> None:
        self.tab_to(locator)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def activate(self, locator, *, key: str = "Enter") -> None:
        """Tab to a link or button and press Enter (or Space), waiting for the page it loads."""
        self.tab_to(locator)
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.page.wait_for_load_state()

    def check(self, locator) -> None:
        self.tab_to(locator)
        if not locator.is_checked():
            self.page.keyboard.press("Space")
        assert locator.is_checked(), f"Space did not check {locator}"

    def choose_radio(self, locator) -> None:
        """Tab into the radio group (one Tab stop), then arrow keys until `locator` is the chosen one."""
        name = locator.get_attribute("name")
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Tab")
            self._note_focus()
            if self.page.evaluate("n => document.activeElement.name === n", name):
                break
        for _ in range(20):
            if locator.is_checked():
                return
            if locator.evaluate("el => el === document.activeElement"):
                self.page.keyboard.press("Space")
            else:
                self.page.keyboard.press("ArrowDown")
        assert locator.is_checked(), f"arrow keys never chose {locator}"

    def type_datetime(self, locator, when) -> None:
        """A datetime-local field, typed segment by segment as Chromium's en-US control takes it (month,
        day, year, hour, minute, AM/PM): noon on the day `when` falls on in Oslo."""
        day = when.astimezone(ZoneInfo("Europe/Oslo")).date()
        self.tab_to(locator)
        # The year takes up to six digits, so Tab (inside the control) moves on from it to the hour.
        self.page.keyboard.type(f"{day:%m%d%Y}")
        self.page.keyboard.press("Tab")
        self.page.keyboard.type("1200P")
        value = locator.input_value()
        assert value == f"{day:%Y-%m-%d}T12:00", f"typing the date gave {value!r} in {locator}"

    def select(self, locator, label: str) -> None:
        """Tab to a <select> and move with the arrow keys to the option labelled `label`."""
        self.tab_to(locator)
        self.page.keyboard.press("Home")
        for _ in range(400):
            if locator.evaluate("el => el.selectedOptions[0] && el.selectedOptions[0].label.trim()") == label:
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"the arrow keys never reached “{label}” in {locator}")

    def skip_to_content(self) -> None:
        """The skip link is the first Tab stop, visible when focused, and moves focus to the main content."""
        from playwright.sync_api import expect

        self.page.keyboard.press("Tab")
        skip = self.page.locator(":focus")
        expect(skip).to_have_text(re.compile("Skip to main content"))
        box = skip.bounding_box()
        assert box and box["width"] > 1 and box["height"] > 1, "the focused skip link is not visible"
        self._note_focus()
        self.page.keyboard.press("Enter")
        expect(self.page.get_by_role("main")).to_be_focused()


def _sign_in(page, keys: Keys, checks: PageChecks, email: str, *, totp: bool = False) -> None:
    """From the home page by the keyboard: skip link, then the menu's Sign in link (Shift+Tab back up from
    the main content), the form, and back home signed in."""
    from playwright.sync_api import expect

    from tests.factories.accounts import current_totp_code

    page.goto("/")
    checks.arrived(page, HOME)
    keys.skip_to_content()
    nav = page.get_by_role("navigation", name="Main")
    keys.activate(nav.get_by_role("link", name="Sign in"))
    checks.arrived(page, "Sign In")
    main = page.get_by_role("main")
    keys.type_into(main.get_by_label("Email"), email)
    keys.type_into(main.get_by_label("Password"), PASSWORD)
    keys.activate(main.get_by_role("button", name="Sign In"))
    if totp:
        checks.arrived(page, "Two-Factor Authentication")
        keys.type_into(page.locator("input[name=code]"), current_totp_code())
        keys.activate(page.get_by_role("main").get_by_role("button", name="Sign In"))
    checks.arrived(page, HOME)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _nav_link(page, keys: Keys, name) -> None:
    """Follow a link of the main menu: Tab down to it on a fresh page, Shift+Tab back up to it when the focus
    is already further down the page."""
    further_down = page.evaluate("document.activeElement && document.activeElement !== document.body")
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name=name)
    keys.tab_to(link, backwards=bool(further_down))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def _assert_clean(checks: PageChecks, problems: list[str], console_errors: list[str]) -> None:
    noticed = [*checks.problems, *problems, *console_errors]
    assert noticed == [], f"on {len(checks.visited)} pages:\n" + "\n".join(noticed)


def test_a_resident_submits_an_idea_with_the_keyboard_alone(new_page, console_errors):
    from playwright.sync_api import expect

    from challenges.models import CoachRule
    from tests.factories.accounts import BuyerFactory, UserFactory
    from tests.factories.challenges import ThemeFactory

    BuyerFactory(name="Trondheim kommune", city="Trondheim", country="NO")
    UserFactory(email="ingrid@example.net", full_name="Ingrid Haugen")
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
    checks, problems = PageChecks(), []
    page = new_page("ingrid")
    keys = Keys(page, problems)
    title = "Icy pavements keep older residents at home"

    _sign_in(page, keys, checks, "ingrid@example.net")
    _nav_link(page, keys, "Citizen ideas")
    checks.arrived(page, "Citizen ideas")
    keys.skip_to_content()
    keys.activate(page.get_by_role("main").get_by_role("link", name="Share an idea"))
    checks.arrived(page, "Share an idea for your city")
    keys.skip_to_content()
    main = page.get_by_role("main")
    keys.select(field(main, "Your city or municipality"), "Trondheim kommune")
    keys.type_into(field(main, "Title"), title)
    keys.type_into(
        field(main, "The problem you see"),
        "In winter the pavements between the care homes and the shops stay icy for days, so older "
        "residents stop going out. We should buy an app for this.",
    )
    keys.type_into(field(main, "Where in the city"), "Lademoen")
    keys.check(main.get_by_role("checkbox", name="Winter maintenance", exact=True))
    keys.type_into(field(main, "Name shown with your idea"), "Ingrid from Lademoen")
    keys.activate(main.get_by_role("button", name="Check and preview"))
    checks.arrived(page, "Share an idea for your city")
    expect(page.get_by_role("region", name="Tips from the coach")).to_contain_text("app")
    keys.activate(page.get_by_role("main").get_by_role("button", name="Send my idea"))
    checks.arrived(page, title)
    expect(page.get_by_role("main")).to_contain_text("waiting for the city's moderators")
    _assert_clean(checks, problems, console_errors)


def test_a_participant_registers_for_an_exchange_and_answers_the_survey_with_the_keyboard_alone(
    new_page, console_errors
):
    from playwright.sync_api import expect

    from exchanges.services.surveys import PRE, create_event_survey, open_event_survey
    from tests.factories.accounts import BuyerFactory, MembershipFactory, ProgrammeStaffFactory
    from tests.factories.exchanges import ExchangeEventFactory, ExchangeProgrammeFactory

    title = "BUILD exchange in Tartu"
    programme = ExchangeProgrammeFactory(name="BUILD staff exchanges")
    event = ExchangeEventFactory(programme=programme, title=title, city="Tartu", timezone="Europe/Tallinn")
    staff = ProgrammeStaffFactory()
    create_event_survey(event=event, which=PRE, by=staff)
    open_event_survey(event=event, which=PRE, by=staff)
    MembershipFactory(
        organisation=BuyerFactory(name="City of Turku", city="Turku"),
        user__email="aino@turku.example",
        user__full_name="Aino Virtanen",
    )
    checks, problems = PageChecks(), []
    page = new_page("aino")
    keys = Keys(page, problems)

    _sign_in(page, keys, checks, "aino@turku.example")
    _nav_link(page, keys, "Staff exchanges")
    checks.arrived(page, "Staff exchanges")
    keys.activate(page.get_by_role("main").get_by_role("link", name="BUILD staff exchanges"))
    checks.arrived(page, "BUILD staff exchanges")
    keys.activate(page.get_by_role("main").get_by_role("link", name=title))
    checks.arrived(page, title)
    keys.activate(page.get_by_role("main").get_by_role("link", name="Register"))
    checks.arrived(page, f"Register: {title}")
    main = page.get_by_role("main")
    keys.select(field(main, "Role in the exchange"), "Presenter")
    keys.type_into(field(main, "Dietary needs"), "Vegetarian")
    keys.check(field(main, "Show my name and organisation on the participant list"))
    keys.activate(main.get_by_role("button", name="Register"))
    checks.arrived(page, title)
    expect(page.get_by_role("main")).to_contain_text("You are registered.")

    keys.activate(page.get_by_role("main").get_by_role("link", name="Answer the pre-exchange survey"))
    checks.arrived(page, f"Before the exchange: {title}")
    main = page.get_by_role("main")
    keys.check(main.get_by_role("checkbox", name="Market dialogue"))
    keys.type_into(main.get_by_label("What do you want to learn?"), "How Tartu talks to the market.")
    case_question = main.get_by_label("Which case would you present?")
    expect(case_question).to_be_hidden()
    keys.check(main.get_by_role("checkbox", name="Present a case from my city"))
    expect(case_question).to_be_visible()
    keys.type_into(case_question, "Our market day for school meals")
    keys.select(main.get_by_label("1st choice"), "Sauna")
    keys.activate(main.get_by_role("button", name="Submit answers"))
    checks.arrived(page, title)
    expect(page.get_by_role("main")).to_contain_text("Thank you: your answers are submitted.")
    _assert_clean(checks, problems, console_errors)


def test_an_evaluator_declares_and_scores_a_proposal_with_the_keyboard_alone(new_page, console_errors):
    from playwright.sync_api import expect

    from challenges.evaluation.services.panel import appoint_evaluator, open_evaluation, set_chair
    from tests.factories.accounts import (
        AdminMembershipFactory,
        BuyerFactory,
        MembershipFactory,
        SupplierFactory,
    )
    from tests.factories.challenges import PublishedChallengeFactory
    from tests.factories.suppliers import SubmittedProposalFactory

    impact, feasibility = "Impact on the outcomes", "Feasibility and cost"
    buyer = BuyerFactory(name="Hitra kommune")
    marit = AdminMembershipFactory(organisation=buyer, user__email="marit@hitra.example").user
    jon = MembershipFactory(
        organisation=buyer, user__email="jon@hitra.example", user__full_name="Jon Berg"
    ).user
    challenge = PublishedChallengeFactory(owner=buyer, title="Islanders reach the hospital", scoring_scale=5)
    SubmittedProposalFactory(
        challenge=challenge, title="Ferry-aware booking", supplier=SupplierFactory(name="Fjord Data AS")
    )
    challenge.submission_deadline = timezone.now() - timedelta(minutes=5)
    challenge.questions_deadline = challenge.submission_deadline - timedelta(days=1)
    challenge.status = "closed"
    challenge.save()
    set_chair(evaluator=appoint_evaluator(challenge=challenge, by=marit, user=jon), by=marit)
    open_evaluation(challenge=challenge, by=marit)
    checks, problems = PageChecks(), []
    page = new_page("jon")
    keys = Keys(page, problems)

    _sign_in(page, keys, checks, "jon@hitra.example")
    _nav_link(page, keys, re.compile(r"^Notifications"))
    checks.arrived(page, "Notifications")
    keys.activate(page.get_by_role("main").get_by_role("link", name=re.compile("Declare your conflicts")))
    checks.arrived(page, "Conflicts of interest")
    group = page.get_by_role("group", name=re.compile("Fjord Data AS"))
    keys.choose_radio(group.get_by_role("radio", name="No"))
    keys.activate(page.get_by_role("button", name="Record my declarations"))
    checks.arrived(page, "Proposals to score")
    row = page.get_by_role("row", name=re.compile("Ferry-aware booking"))
    keys.activate(row.get_by_role("link", name="Score"))
    checks.arrived(page, "Score sheet")
    main = page.get_by_role("main")
    keys.type_into(field(main, f"Score for “{impact}” (0 to 5)"), "4")
    keys.type_into(field(main, f"Justification for “{impact}”"), "Uses the ferry operator's live data.")
    keys.type_into(field(main, f"Score for “{feasibility}” (0 to 5)"), "3")
    keys.type_into(field(main, f"Justification for “{feasibility}”"), "Realistic plan, tight budget.")
    keys.activate(main.get_by_role("button", name="Submit and lock"))
    checks.arrived(page, "Score sheet")
    expect(page.get_by_role("status")).to_contain_text("Your scores are submitted and locked.")
    _assert_clean(checks, problems, console_errors)


def test_an_sme_finds_a_challenge_and_submits_a_proposal_with_the_keyboard_alone(new_page, console_errors):
    from playwright.sync_api import expect

    from challenges.search import refresh_search_vector
    from portal.accounts.enums import MembershipRole
    from tests.factories.accounts import BuyerFactory, MembershipFactory, SupplierFactory
    from tests.factories.challenges import CriterionFactory, OutcomeFactory, PublishedChallengeFactory

    title = "Older residents stay safe at home after a fall"
    challenge = PublishedChallengeFactory(
        title=title,
        summary="Residents who live alone get help quickly when they fall at home.",
        owner=BuyerFactory(name="Bergen kommune", city="Bergen"),
        submission_deadline=timezone.now() + timedelta(days=20),
        questions_deadline=timezone.now() + timedelta(days=10),
        with_outcome_and_criteria=False,
    )
    OutcomeFactory(challenge=challenge, description="Help arrives within 15 minutes of a fall.")
    CriterionFactory(challenge=challenge, name="Effect on response time", weight=70, position=0)
    CriterionFactory(challenge=challenge, name="Privacy", weight=30, position=1)
    refresh_search_vector(challenge_id=challenge.pk)
    MembershipFactory(
        organisation=SupplierFactory(name="Fjordsense AS", city="Bergen"),
        role=MembershipRole.ADMIN,
        user__email="anna@fjordsense.example",
    )
    checks, problems = PageChecks(), []
    page = new_page("anna")
    keys = Keys(page, problems)

    _sign_in(page, keys, checks, "anna@fjordsense.example")
    _nav_link(page, keys, "Challenges")
    checks.arrived(page, "Challenges")
    search = page.get_by_role("search", name="Search and filter")
    keys.type_into(field(search, "Search words"), "fall")
    keys.activate(search.get_by_role("button", name="Search"))
    checks.arrived(page, "Challenges")
    expect(page.get_by_role("heading", name="1 challenge found")).to_be_visible()
    keys.activate(page.get_by_role("article", name=title).get_by_role("link", name=title))
    checks.arrived(page, title)
    keys.activate(page.get_by_role("main").get_by_role("button", name="Start a proposal"))
    checks.arrived(page, f"Your proposal to “{title}”")
    main = page.get_by_role("main")
    for label, text in [
        ("Title of your proposal", "Fall sensors with a human at the other end"),
        ("Summary", "Privacy-friendly fall sensors, answered around the clock by a care centre."),
        ("Approach", "Co-design with ten residents, then a pilot in 60 homes."),
        ("How you reach outcome 1", "Alerts reach the care centre in under a minute."),
        ("Your answer to “Effect on response time”", "Piloted in Askøy: 9 minutes on average."),
        ("Your answer to “Privacy”", "No cameras; data stays in Norway."),
        ("Total price (EUR)", "90000"),
        ("Team", "Two engineers, a nurse and a project lead."),
        ("Timeline", "Months 1–2 co-design, months 3–9 pilot."),
    ]:
        keys.type_into(field(main, label), text)
    keys.activate(main.get_by_role("button", name="Save draft"))
    checks.arrived(page, f"Your proposal to “{title}”")
    keys.activate(page.get_by_role("main").get_by_role("link", name="Submit the proposal"))
    checks.arrived(page, "Submit the proposal")
    main = page.get_by_role("main")
    keys.check(
        main.get_by_label("We have checked the proposal and submit it as our answer to this challenge.")
    )
    keys.activate(main.get_by_role("button", name="Submit the proposal"))
    checks.arrived(page, "Receipt no. 1")
    _assert_clean(checks, problems, console_errors)


def test_a_procurer_drafts_a_challenge_and_submits_it_for_review_with_the_keyboard_alone(
    new_page, console_errors
):
    import importlib

    from django.apps import apps as django_apps
    from django.db import connection
    from playwright.sync_api import expect

    from tests.factories.accounts import AdminMembershipFactory, BuyerFactory

    # Live-server tests flush the CPV codes, themes and coach rules the migrations seed: load them again.
    for name in ("challenges.migrations.0002_reference_data", "challenges.migrations.0003_coach_rules"):
        with connection.schema_editor() as schema_editor:
            importlib.import_module(name).load(django_apps, schema_editor)
    AdminMembershipFactory(
        organisation=BuyerFactory(name="Hitra kommune", city="Hitra"), user__email="marit@hitra.example"
    )
    title = "Islanders reach their hospital appointments on time"
    checks, problems = PageChecks(), []
    page = new_page("marit")
    keys = Keys(page, problems)

    def save_and_continue(step_heading: str) -> None:
        keys.activate(page.get_by_role("main").get_by_role("button", name="Save and continue"))
        checks.arrived(page, f"Edit “{title}”")
        expect(page.get_by_role("heading", level=2, name=step_heading, exact=True)).to_be_visible()

    _sign_in(page, keys, checks, "marit@hitra.example")
    _nav_link(page, keys, "Our challenges")
    checks.arrived(page, "Challenges of Hitra kommune")
    keys.activate(page.get_by_role("main").get_by_role("link", name="Write a new challenge"))
    checks.arrived(page, "Write a new challenge")
    main = page.get_by_role("main")
    keys.type_into(field(main, "Title"), title)
    keys.type_into(
        field(main, "Short summary"),
        "Islanders who depend on the ferries reach their hospital appointments on time.",
    )
    keys.type_into(field(main, "Today's situation"), "When a crossing is delayed, islanders arrive late.")
    keys.type_into(field(main, "Who is affected and how"), "Older island residents and the hospital.")
    keys.type_into(field(main, "Why it matters now"), "The ferry timetable is cut by a third next year.")
    save_and_continue("Outcomes")

    outcome = page.get_by_role("group", name=re.compile(r"^Outcome 1\b"))
    keys.type_into(field(outcome, "Outcome"), "Fewer islanders miss a hospital appointment.")
    keys.type_into(field(outcome, "Indicator"), "Share of appointments missed")
    keys.type_into(field(outcome, "Baseline today"), "12 %")
    keys.type_into(field(outcome, "Target"), "Below 4 % by the end of 2027")
    save_and_continue("Constraints")
    keys.type_into(
        field(page.get_by_role("main"), "Constraints and must-haves"), "Health data stays in the EEA."
    )
    save_and_continue("Practicalities")

    main = page.get_by_role("main")
    keys.type_into(field(main, "Budget from"), "100000")
    keys.type_into(field(main, "Budget up to"), "400000")
    keys.type_datetime(field(main, "Deadline for questions"), timezone.now() + timedelta(days=20))
    keys.type_datetime(field(main, "Deadline for proposals"), timezone.now() + timedelta(days=30))
    keys.select(field(main, "Procurement route"), "Innovation partnership")
    cpv = main.get_by_role("combobox", name=re.compile(r"^\s*CPV codes"))
    keys.tab_to(cpv)
    page.keyboard.type("hospital services", delay=10)
    expect(page.get_by_role("option", name=re.compile(r"^85111000 Hospital services"))).to_be_visible()
    keys.press("ArrowDown")
    keys.press("Enter")
    expect(main.get_by_role("list", name="Chosen CPV codes")).to_contain_text("85111000")
    keys.type_into(field(main, "Contact person"), "Marit Strand")
    keys.type_into(field(main, "Contact email"), "marit@hitra.example")
    save_and_continue("Evaluation criteria")

    criterion = page.get_by_role("group", name=re.compile(r"^Criterion 1\b"))
    keys.type_into(field(criterion, "Criterion"), "Effect on missed appointments")
    keys.type_into(field(criterion, "Weight (points out of 100)"), "100")
    save_and_continue("Documents")
    keys.activate(page.get_by_role("main").get_by_role("link", name="Continue to the review"))
    checks.arrived(page, f"Edit “{title}”")
    expect(page.get_by_role("status").filter(has_text="Nothing is missing")).to_be_visible()
    keys.activate(page.get_by_role("main").get_by_role("link", name="Submit for review"))
    checks.arrived(page, "Submit for review")
    keys.activate(page.get_by_role("main").get_by_role("button", name="Submit for review"))
    checks.arrived(page, title)
    expect(page.get_by_role("status")).to_contain_text("The challenge has been sent for review.")
    _assert_clean(checks, problems, console_errors)
