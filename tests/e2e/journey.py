"""What every browser journey checks on every page, and how it finds a field as a person would."""

import re

PORTAL = "Innovation Procurement Portal"
# "Page · Portal" on every page; the home page may be the portal's name alone.
GOOD_TITLE = re.compile(rf"^(\S.* · )?{PORTAL}$")


def field(scope, label: str):
    """The control labelled exactly `label` (crispy adds a "*" to the label of a required field)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


class PageChecks:
    """What a person notices on every page. Waits until the expected page is there (a wrong page stops
    the journey), then notes what is off (heading count, tab title) so that one run reports all of it."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.visited: list[str] = []

    def arrived(self, page, heading: str | re.Pattern[str]) -> None:
        from playwright.sync_api import expect

        expect(page.locator("h1").first).to_have_text(heading)
        page.wait_for_load_state()
        self.visited.append(page.url)
        if (count := page.locator("h1").count()) != 1:
            self._note(f"{page.url}: {count} h1 elements, expected exactly one")
        if not GOOD_TITLE.match(title := page.title()):
            self._note(f"{page.url}: tab title {title!r} is not 'Page · {PORTAL}' or '{PORTAL}'")

    def _note(self, problem: str) -> None:
        if problem not in self.problems:  # the same page visited twice is one problem
            self.problems.append(problem)


HOME = "Buy what your city needs, not what you already know"


def sign_in(page, checks: PageChecks, email: str, *, totp: bool = False) -> None:
    """From the home page, through the login form (and the two-factor step for staff), back to the home
    page, signed in. Every factory user's password is tests.factories.accounts.PASSWORD."""
    from playwright.sync_api import expect

    from tests.factories.accounts import PASSWORD, current_totp_code

    page.goto("/")
    checks.arrived(page, HOME)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    checks.arrived(page, "Sign In")
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    if totp:
        checks.arrived(page, "Two-Factor Authentication")
        page.locator("input[name=code]").fill(current_totp_code())
        page.get_by_role("main").get_by_role("button", name="Sign In").click()
    checks.arrived(page, HOME)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
