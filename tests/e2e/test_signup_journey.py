"""A buyer signs up, verifies her address, registers her municipality and invites a colleague, who joins
through the link in the mail. Driven through a real Chromium with the locators a person using a screen
reader relies on (label text and roles), so a missing label or role fails the journey."""

import re

from django.core import mail

from .conftest import RESULTS_DIR
from .journey import PageChecks
from .journey import field as _field

PASSWORD = "Fjord-lighthouse-2041"
URL_IN_MAIL = re.compile(r"https?://[^\s<>\"]+")


def _link_in_last_mail(to: str, path_part: str) -> str:
    messages = [message for message in mail.outbox if to in message.to]
    assert messages, f"no mail to {to}; outbox: {[(m.to, m.subject) for m in mail.outbox]}"
    links = [url for url in URL_IN_MAIL.findall(messages[-1].body) if path_part in url]
    assert links, f"no {path_part} link in the mail to {to}:\n{messages[-1].body}"
    return links[0]


def _sign_up(page, *, full_name: str, email: str) -> None:
    _field(page, "Full name").fill(full_name)
    _field(page, "Email").fill(email)
    _field(page, "Password").fill(PASSWORD)
    _field(page, "Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()


def test_signup_journey_buyer_registers_organisation_and_colleague_joins(new_page, console_errors):
    # Imported here so that a missing Playwright is the `browser` marker's skip, not a collection error.
    from playwright.sync_api import expect

    checks = PageChecks()
    ingrid = new_page("ingrid")

    # 1. An anonymous visitor signs up from the home page. The skip link is the first thing Tab reaches,
    #    and following it lands on the main content.
    ingrid.goto("/")
    checks.arrived(ingrid, "Buy what your city needs, not what you already know")
    ingrid.keyboard.press("Tab")
    expect(ingrid.locator(":focus")).to_have_text("Skip to main content")
    ingrid.keyboard.press("Enter")
    expect(ingrid.get_by_role("main")).to_be_focused()
    ingrid.get_by_role("main").get_by_role("link", name="Create an account").click()
    checks.arrived(ingrid, "Sign Up")
    _sign_up(ingrid, full_name="Ingrid Haugen", email="ingrid@trondheim.example")
    checks.arrived(ingrid, re.compile("verify your email", re.IGNORECASE))

    # 2. The verification link from the mail, confirmed with the button (confirm-on-GET is off).
    ingrid.goto(_link_in_last_mail("ingrid@trondheim.example", "/accounts/confirm-email/"))
    checks.arrived(ingrid, "Confirm Email Address")
    ingrid.get_by_role("button", name="Confirm").click()
    # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION signs her in straight away, in the browser that signed up.
    checks.arrived(ingrid, "Buy what your city needs, not what you already know")
    expect(ingrid.get_by_role("button", name="Sign out")).to_be_visible()

    # 3. She registers her municipality.
    ingrid.get_by_role("navigation", name="Main").get_by_role("link", name="Organisations").click()
    checks.arrived(ingrid, "Your organisations")
    ingrid.get_by_role("link", name="Register an organisation").click()
    checks.arrived(ingrid, "Register an organisation")
    _field(ingrid, "Name").fill("Trondheim kommune")
    _field(ingrid, "Kind").select_option(label="Public buyer (city, municipality, agency)")
    _field(ingrid, "Country").select_option(label="Norway")
    ingrid.get_by_role("button", name="Register").click()
    checks.arrived(ingrid, "Trondheim kommune")
    expect(ingrid.get_by_role("status")).to_contain_text("Trondheim kommune has been created")

    # 4. She invites a colleague as a member; the invitation is mailed.
    invite = ingrid.get_by_role("region", name="Invite a colleague")
    _field(invite, "Email address").fill("ola@trondheim.example")
    _field(invite, "Role").select_option(label="Member")
    invite.get_by_role("button", name="Send invitation").click()
    expect(ingrid.get_by_role("status")).to_contain_text("An invitation has been sent to ola@")
    checks.arrived(ingrid, "Trondheim kommune")
    invitation_link = _link_in_last_mail("ola@trondheim.example", "/invitations/")

    # 5. The colleague, in a browser of his own, follows the link and signs up with the invited address:
    #    the link proved the mailbox, so he is signed in and joins without a separate verification.
    ola = new_page("ola")
    mails_before = len(mail.outbox)
    ola.goto(invitation_link)
    checks.arrived(ola, "Invitation to join Trondheim kommune")
    ola.get_by_role("main").get_by_role("link", name="Create an account").click()
    checks.arrived(ola, "Sign Up")
    expect(_field(ola, "Email")).to_have_value("ola@trondheim.example")
    _sign_up(ola, full_name="Ola Nordmann", email="ola@trondheim.example")
    expect(ola.get_by_role("status")).to_contain_text("You have joined Trondheim kommune")
    checks.arrived(ola, "Invitation to join Trondheim kommune")
    expect(ola.get_by_role("button", name="Sign out")).to_be_visible()
    assert [m.subject for m in mail.outbox[mails_before:] if "ola@trondheim.example" in m.to] == []
    ola.get_by_role("link", name="Go to the organisation").click()
    checks.arrived(ola, "Trondheim kommune")
    members = ola.get_by_role("table", name="Members").get_by_role("row")
    expect(members).to_have_count(3)  # the header row and one per person
    expect(members.filter(has_text="Ingrid Haugen")).to_contain_text("ingrid@trondheim.example")
    expect(members.filter(has_text="Ola Nordmann")).to_contain_text("ola@trondheim.example")

    # The administrator sees both too, and the open invitation is gone.
    ingrid.reload()
    checks.arrived(ingrid, "Trondheim kommune")
    expect(ingrid.get_by_role("table", name="Members").get_by_role("row")).to_have_count(3)
    expect(ingrid.get_by_role("heading", name="Open invitations")).to_have_count(0)
    RESULTS_DIR.mkdir(exist_ok=True)
    ingrid.screenshot(path=str(RESULTS_DIR / "organisation-page.png"), full_page=True)

    # 6. Nothing a person would notice went wrong on any page: headings, tab titles, failed requests,
    #    script errors, CSP violations.
    noticed = [*checks.problems, *console_errors]
    assert noticed == [], f"on {len(checks.visited)} pages:\n" + "\n".join(noticed)
