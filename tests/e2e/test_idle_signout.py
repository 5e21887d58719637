"""The idle sign-out as a programme-staff member meets it in the browser: typing keeps the session alive, a
warning with a "Stay signed in" button comes two minutes before the end (WCAG 2.2.1), and the page says so
when the time is up; the Django admin's pages do the same. The browser's clock is driven by Playwright, so
the test takes seconds, not minutes."""

import re

import pytest
from django.conf import settings

from tests.e2e.journey import PageChecks, sign_in
from tests.factories.accounts import TOTPAuthenticatorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINUTE = 60_000


def test_the_idle_warning_lets_staff_stay_signed_in(page, console_errors):
    from playwright.sync_api import expect

    staff = TOTPAuthenticatorFactory().user
    checks = PageChecks()
    sign_in(page, checks, staff.email, totp=True)
    page.clock.install()
    page.goto("/account/profile/")
    warning = page.locator("#idle-warning")
    signed_out = page.locator("#idle-signed-out")
    expect(warning).to_be_hidden()

    # Typing is activity: the page tells the server, at most once a minute.
    with page.expect_response("**/account/session/keep-alive/") as keep_alive:
        page.keyboard.press("Tab")
        page.clock.run_for(MINUTE + 5_000)
    assert keep_alive.value.request.method == "POST"
    assert keep_alive.value.status == 204
    # The page has taken the answer in (its countdown starts again from now).
    expect(page.locator("body")).to_have_attribute("data-idle-touched", re.compile(r"^\d+$"))

    page.clock.run_for(28 * MINUTE + 10_000)
    expect(warning).to_be_visible()
    expect(warning).to_have_attribute("role", "alert")
    button = warning.get_by_role("button", name="Stay signed in")
    with page.expect_response("**/account/session/keep-alive/") as answer:
        button.focus()
        page.keyboard.press("Enter")
    assert answer.value.status == 204
    expect(warning).to_be_hidden()

    # Nothing more happens: at the end the page says the session is over.
    page.clock.run_for(31 * MINUTE)
    expect(signed_out).to_be_visible()
    assert checks.problems == []
    assert console_errors == []


def test_the_django_admin_warns_before_the_idle_sign_out_too(page, console_errors):
    from playwright.sync_api import expect

    admin = TOTPAuthenticatorFactory(user__is_staff=True, user__is_superuser=True).user
    sign_in(page, PageChecks(), admin.email, totp=True)
    page.clock.install()
    page.goto(f"/{settings.ADMIN_URL}")
    expect(page.locator("#site-name")).to_be_visible()
    warning = page.locator("#idle-warning")
    expect(warning).to_be_hidden()

    page.clock.run_for(28 * MINUTE + 10_000)
    expect(warning).to_be_visible()
    with page.expect_response("**/account/session/keep-alive/") as answer:
        warning.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 204
    expect(warning).to_be_hidden()

    page.clock.run_for(31 * MINUTE)
    expect(page.locator("#idle-signed-out")).to_be_visible()
    # The admin's own scripts and ours ran within the Content Security Policy.
    assert console_errors == []
