"""An SME signs up, registers its company, completes its supplier profile (found in the directory), finds a
published challenge by search, starts a proposal, invites a partner company (which accepts in its own
browser), completes and submits the proposal, and downloads the receipt. Driven through a real Chromium with
the locators a person using a screen reader relies on (label text and roles)."""

import importlib
import re
from datetime import timedelta
from pathlib import Path

from django.apps import apps as django_apps
from django.core import mail
from django.db import connection
from django.utils import timezone

from challenges.search import refresh_search_vector
from portal.accounts.enums import MembershipRole
from suppliers.models import Proposal, SupplierProfile
from tests.factories.accounts import PASSWORD as FACTORY_PASSWORD
from tests.factories.accounts import BuyerFactory, MembershipFactory, SupplierFactory
from tests.factories.challenges import CriterionFactory, OutcomeFactory, PublishedChallengeFactory

from .conftest import RESULTS_DIR
from .journey import PageChecks
from .journey import field as _field

REFERENCE_DATA = ("challenges.migrations.0002_reference_data",)
HOME = "Buy what your city needs, not what you already know"
PASSWORD = "Harbour-crane-7319"
URL_IN_MAIL = re.compile(r"https?://[^\s<>\"]+")
COMPANY = "Fjordsense AS"
PARTNER = "Kystdata AS"
CHALLENGE_TITLE = "Older residents stay safe at home after a fall"
SEARCH_WORD = "fall"


def _load_reference_data() -> None:
    """Live-server tests flush every table when they end, the CPV codes the migrations seed included: load
    them again as the migration does (it skips rows that exist)."""
    for name in REFERENCE_DATA:
        migration = importlib.import_module(name)
        with connection.schema_editor() as schema_editor:
            migration.load(django_apps, schema_editor)


def _link_in_last_mail(to: str, path_part: str) -> str:
    messages = [message for message in mail.outbox if to in message.to]
    assert messages, f"no mail to {to}; outbox: {[(m.to, m.subject) for m in mail.outbox]}"
    links = [url for url in URL_IN_MAIL.findall(messages[-1].body) if path_part in url]
    assert links, f"no {path_part} link in the mail to {to}:\n{messages[-1].body}"
    return links[0]


def _published_challenge():
    challenge = PublishedChallengeFactory(
        title=CHALLENGE_TITLE,
        summary="Residents who live alone get help quickly when they fall at home.",
        owner=BuyerFactory(name="Bergen kommune", city="Bergen"),
        submission_deadline=timezone.now() + timedelta(days=20),
        questions_deadline=timezone.now() + timedelta(days=10),
        with_outcome_and_criteria=False,
    )
    OutcomeFactory(
        challenge=challenge,
        description="Help arrives within 15 minutes of a fall.",
        indicator="Minutes from a fall to help arriving",
        baseline="45 minutes",
        target="15 minutes within a year",
    )
    CriterionFactory(challenge=challenge, name="Effect on response time", weight=70, position=0)
    CriterionFactory(challenge=challenge, name="Privacy", weight=30, position=1)
    refresh_search_vector(challenge_id=challenge.pk)
    return challenge


def test_supplier_journey_sme_profiles_finds_challenge_teams_up_submits_and_keeps_the_receipt(
    new_page, console_errors
):
    # Imported here so that a missing Playwright is the `browser` marker's skip, not a collection error.
    from playwright.sync_api import expect

    _load_reference_data()
    challenge = _published_challenge()
    partner_organisation = SupplierFactory(name=PARTNER, city="Tromsø")
    MembershipFactory(
        organisation=partner_organisation,
        role=MembershipRole.ADMIN,
        user__email="siri@kystdata.example",
        user__full_name="Siri Berg",
    )
    checks = PageChecks()
    RESULTS_DIR.mkdir(exist_ok=True)

    # 1. The SME's founder signs up and verifies her address from the mail.
    anna = new_page("anna")
    anna.goto("/")
    checks.arrived(anna, HOME)
    anna.get_by_role("main").get_by_role("link", name="Create an account").click()
    checks.arrived(anna, "Sign Up")
    _field(anna, "Full name").fill("Anna Lie")
    _field(anna, "Email").fill("anna@fjordsense.example")
    _field(anna, "Password").fill(PASSWORD)
    _field(anna, "Password (again)").fill(PASSWORD)
    anna.get_by_role("button", name="Sign up").click()
    checks.arrived(anna, re.compile("verify your email", re.IGNORECASE))
    anna.goto(_link_in_last_mail("anna@fjordsense.example", "/accounts/confirm-email/"))
    checks.arrived(anna, "Confirm Email Address")
    anna.get_by_role("button", name="Confirm").click()
    checks.arrived(anna, HOME)

    # 2. She registers her company as a supplier.
    anna.get_by_role("navigation", name="Main").get_by_role("link", name="Organisations").click()
    checks.arrived(anna, "Your organisations")
    anna.get_by_role("link", name="Register an organisation").click()
    checks.arrived(anna, "Register an organisation")
    _field(anna, "Name").fill(COMPANY)
    _field(anna, "Kind").select_option(label="Supplier")
    _field(anna, "Size class").select_option(label="Micro (fewer than 10 staff)")
    _field(anna, "Country").select_option(label="Norway")
    _field(anna, "City").fill("Bergen")
    anna.get_by_role("button", name="Register").click()
    checks.arrived(anna, COMPANY)

    # 3. Her supplier profile: from the organisation's page to the editor. A bad CPV code is named at the
    #    field and what she typed stays; then she picks a code with the picker, adds a reference and lists
    #    the profile in the directory.
    anna.get_by_role("link", name="Your supplier profile").click()
    checks.arrived(anna, COMPANY)
    expect(anna.get_by_role("main")).to_contain_text("Your organisation has no supplier profile yet.")
    anna.get_by_role("link", name="Edit the profile").click()
    checks.arrived(anna, f"Supplier profile of {COMPANY}")
    _field(anna, "What the company does").fill("Fall sensors that respect privacy, for people living alone.")
    _field(anna, "Website").fill("fjordsense.example")
    cpv = anna.get_by_role("combobox", name=re.compile(r"^\s*Sectors \(CPV codes\)"))
    cpv.press_sequentially("software package", delay=10)
    anna.get_by_role("option", name=re.compile(r"^48000000 ")).click()
    expect(anna.get_by_role("list", name="Chosen CPV codes")).to_contain_text("48000000")
    _field(anna, "Capability tags").fill("Fall detection, IoT, privacy by design")
    _field(anna, "Countries served").select_option(label="Norway")
    reference = anna.get_by_role("group", name="Reference 1")
    _field(reference, "Project").fill("Fall sensor pilot in 40 homes")
    _field(reference, "Client").fill("Askøy kommune")
    _field(reference, "Year").fill("1800")
    _field(reference, "Public-sector client").check()
    _field(anna, "Has sold to the public sector before").check()
    _field(anna, "Show in the public supplier directory").check()
    anna.get_by_role("button", name="Save the profile").click()
    anna.screenshot(path=str(RESULTS_DIR / "supplier-profile-editor.png"), full_page=True)
    checks.arrived(anna, f"Supplier profile of {COMPANY}")
    expect(anna.get_by_role("alert")).to_contain_text(
        "Year: Ensure this value is greater than or equal to 1950"
    )
    expect(_field(anna, "What the company does")).to_have_value(
        "Fall sensors that respect privacy, for people living alone."
    )
    _field(anna.get_by_role("group", name="Reference 1"), "Year").fill("2025")
    anna.get_by_role("button", name="Save the profile").click()
    checks.arrived(anna, COMPANY)
    expect(anna.get_by_role("status")).to_contain_text("Your supplier profile has been saved.")
    expect(anna.get_by_role("main")).to_contain_text("shown in the public supplier directory")
    expect(anna.get_by_role("main")).to_contain_text("Fall sensor pilot in 40 homes")
    assert SupplierProfile.objects.get(organisation__name=COMPANY).cpv_codes.get().code == "48000000"

    # 4. Anyone finds the company in the directory, by a tag and a filter.
    visitor = new_page("visitor")
    visitor.goto("/")
    visitor.get_by_role("navigation", name="Main").get_by_role("link", name="Supplier directory").click()
    checks.arrived(visitor, "Supplier directory")
    search = visitor.get_by_role("search", name="Search and filter")
    _field(search, "Search words").fill("privacy")
    _field(search, "Has public-sector references").check()
    search.get_by_role("button", name="Search").click()
    checks.arrived(visitor, "Supplier directory")
    expect(visitor.get_by_role("heading", name="1 supplier found")).to_be_visible()
    visitor.screenshot(path=str(RESULTS_DIR / "supplier-directory.png"), full_page=True)
    visitor.get_by_role("link", name=COMPANY).click()
    checks.arrived(visitor, COMPANY)
    expect(visitor.get_by_role("main")).to_contain_text("Fall sensor pilot in 40 homes")
    visitor.screenshot(path=str(RESULTS_DIR / "supplier-profile.png"), full_page=True)

    # 5. She finds the challenge by search and starts a proposal.
    anna.get_by_role("navigation", name="Main").get_by_role("link", name="Challenges").click()
    checks.arrived(anna, "Challenges")
    _field(anna, "Search words").fill(SEARCH_WORD)
    anna.get_by_role("search").get_by_role("button", name="Search").click()
    checks.arrived(anna, "Challenges")
    anna.get_by_role("link", name=CHALLENGE_TITLE).click()
    checks.arrived(anna, CHALLENGE_TITLE)
    anna.get_by_role("button", name="Start a proposal").click()
    checks.arrived(anna, f"Your proposal to “{CHALLENGE_TITLE}”")
    expect(anna.locator(".messages")).to_contain_text("Your proposal has been started.")
    proposal = Proposal.objects.get(challenge=challenge)
    assert proposal.supplier.name == COMPANY

    # 6. She drafts the proposal and saves it.
    _field(anna, "Title of your proposal").fill("Fall sensors with a human at the other end")
    _field(anna, "Summary").fill("Privacy-friendly fall sensors, answered around the clock by a care centre.")
    _field(anna, "Approach").fill("Co-design with ten residents, then a pilot in 60 homes.")
    _field(anna, "How you reach outcome 1").fill("Alerts reach the care centre in under a minute.")
    _field(anna, "Your answer to “Effect on response time”").fill("Piloted in Askøy: 9 minutes on average.")
    _field(anna, "Your answer to “Privacy”").fill("No cameras; data stays in Norway.")
    _field(anna, "Total price (EUR)").fill("90000")
    _field(anna, "Team").fill("Two engineers, a nurse and a project lead.")
    _field(anna, "Timeline").fill("Months 1–2 co-design, months 3–9 pilot.")
    anna.get_by_role("button", name="Save draft").click()
    checks.arrived(anna, f"Your proposal to “{CHALLENGE_TITLE}”")

    # 7. She invites a partner company found by its exact name (it is not in the public directory, so part
    #    of its name would not find it), and states her own part.
    anna.get_by_role("link", name="Invite or manage partners").click()
    checks.arrived(anna, "Consortium")
    invite = anna.get_by_role("region", name="Invite a partner organisation")
    _field(invite, "Organisation name").fill("Kystdata")
    invite.get_by_role("button", name="Search").click()
    checks.arrived(anna, "Consortium")
    invite = anna.get_by_role("region", name="Invite a partner organisation")
    expect(invite).to_contain_text("No supplier organisation matches “Kystdata”.")
    _field(invite, "Organisation name").fill(PARTNER)
    invite.get_by_role("button", name="Search").click()
    checks.arrived(anna, "Consortium")
    invite = anna.get_by_role("region", name="Invite a partner organisation")
    invite.get_by_role("radio", name=f"{PARTNER}, Tromsø, Norway").check()
    _field(invite, "Role in the consortium").fill("Data platform and hosting")
    _field(invite, "Share of the work (%)").fill("30")
    invite.get_by_role("button", name="Send the invitation").click()
    checks.arrived(anna, "Consortium")
    part = anna.get_by_role("region", name="Your organisation's part")
    _field(part, "Lead's role in the consortium").fill("Sensors and project lead")
    _field(part, "Lead's share of the work (%)").fill("70")
    part.get_by_role("button", name="Save your part").click()
    checks.arrived(anna, "Consortium")

    # 8. The partner's administrator, in her own browser, answers from the link in the mail.
    siri = new_page("siri")
    siri.goto("/accounts/login/")
    checks.arrived(siri, "Sign In")
    _field(siri, "Email").fill("siri@kystdata.example")
    _field(siri, "Password").fill(FACTORY_PASSWORD)
    siri.get_by_role("main").get_by_role("button", name="Sign In").click()
    checks.arrived(siri, HOME)
    siri.goto(_link_in_last_mail("siri@kystdata.example", "/suppliers/consortium-invitations/"))
    checks.arrived(siri, f"Invitation for {PARTNER}")
    siri.get_by_role("button", name="Accept").click()
    checks.arrived(siri, "Consortium")
    expect(siri.get_by_role("row", name=re.compile(PARTNER))).to_contain_text("Accepted")

    # 9. From the consortium page back to the editor, the lead submits the complete proposal, then downloads
    #    the receipt.
    anna.get_by_role("link", name="Back to the proposal editor").click()
    checks.arrived(anna, f"Your proposal to “{CHALLENGE_TITLE}”")
    anna.get_by_role("link", name="Submit the proposal").click()
    checks.arrived(anna, "Submit the proposal")
    anna.get_by_label("We have checked the proposal and submit it as our answer to this challenge.").check()
    anna.get_by_role("main").get_by_role("button", name="Submit the proposal").click()
    checks.arrived(anna, "Receipt no. 1")
    with anna.expect_download() as download_info:
        anna.get_by_role("link", name="Download the receipt").click()
    download = download_info.value
    receipt_text = Path(download.path()).read_text(encoding="utf-8")
    proposal.refresh_from_db()
    receipt = proposal.receipts.get()
    assert (proposal.status, receipt.digest in receipt_text) == ("submitted", True)
    anna.screenshot(path=str(RESULTS_DIR / "supplier-receipt.png"), full_page=True)

    noticed = [*checks.problems, *console_errors]
    assert noticed == [], f"on {len(checks.visited)} pages:\n" + "\n".join(noticed)
