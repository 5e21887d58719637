"""The live coach in a real Chromium: advice appears under the field while a person types, in a polite
live region, without a page reload and without breaking the strict CSP.

The browser's requests are answered in-process by Django's test client (Playwright routes every request
to it), so the test runs in an ordinary rolled-back transaction: no live server, no flushed tables (a live
server would flush every table after the test, the reference data and the coach's starting rules
included)."""

import importlib
import mimetypes
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.contrib.staticfiles import finders
from django.db import DEFAULT_DB_ALIAS, connections
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.conftest import CHROMIUM
from tests.factories.accounts import BuyerFactory, MembershipFactory, TOTPAuthenticatorFactory
from tests.factories.challenges import CoachRuleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# localhost, not testserver: Chromium ignores (and complains about) COOP on an untrustworthy origin.
ORIGIN = "http://localhost"
CHECK_PATH = "/challenges/coach/check/"
TIMEOUT_MS = 5_000
STARTING_RULES = importlib.import_module("challenges.migrations.0003_coach_rules")


class InProcessSite:
    """Answers the browser's requests with Django's test client; records the checks and console errors."""

    def __init__(self, client: Client, pages: dict[str, str] | None = None) -> None:
        self.client = client
        self.pages = pages or {}
        self.checks: list[str] = []
        self.csp = client.get("/").get("Content-Security-Policy", "")

    def handle(self, route, request) -> None:
        url = urlsplit(request.url)
        if url.path in self.pages:
            headers = {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": self.csp}
            route.fulfill(status=200, body=self.pages[url.path], headers=headers)
            return
        if url.path.startswith("/static/"):
            found = finders.find(url.path.removeprefix("/static/"))
            if not found:
                route.fulfill(status=404, body="")
                return
            content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            route.fulfill(status=200, body=Path(found).read_bytes(), headers={"Content-Type": content_type})
            return
        path = url.path + (f"?{url.query}" if url.query else "")
        if request.method == "POST":
            if url.path == CHECK_PATH:
                self.checks.append(request.post_data or "")
            response = self.client.generic(
                "POST",
                path,
                request.post_data_buffer or b"",
                content_type=request.headers.get("content-type", ""),
                headers={"X-CSRFToken": request.headers.get("x-csrftoken", "")},
            )
        else:
            response = self.client.get(path)
        route.fulfill(status=response.status_code, body=response.content, headers=dict(response.items()))


@pytest.fixture
def open_page(db, monkeypatch):
    """Opens a path of an InProcessSite in Chromium; yields (page, console errors)."""
    # Playwright's sync API keeps an event loop running in this thread, and Django refuses database work
    # in a thread with a running loop unless told it is safe (it is: one thread, one request at a time).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    # While that loop runs, Django's connection handler keeps a separate set of connections (asgiref's
    # Local sees an async context), which would autocommit outside the test's transaction and leak rows
    # into other tests. Hand it the test's own connection instead: one thread, one query at a time.
    test_connection = connections[DEFAULT_DB_ALIAS]

    def use_test_connection() -> None:
        connections[DEFAULT_DB_ALIAS] = test_connection

    with sync_playwright() as playwright:
        use_test_connection()
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
            headless=True,
        )
        errors: list[str] = []

        def open_(site: InProcessSite, path: str):
            context = browser.new_context()
            context.set_default_timeout(TIMEOUT_MS)
            context.route("**/*", lambda route, request: (use_test_connection(), site.handle(route, request)))
            page = context.new_page()
            page.on("console", lambda message: message.type == "error" and errors.append(message.text))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(ORIGIN + path)
            return page

        yield open_, errors
        browser.close()


def test_coach_shows_advice_while_typing_and_follows_the_language(open_page):
    from playwright.sync_api import expect

    open_, errors = open_page
    STARTING_RULES.load(django_apps, None)  # restores them should a transactional test have flushed them
    client = Client(enforce_csrf_checks=True)  # the script must send the token
    client.force_login(TOTPAuthenticatorFactory().user)
    site = InProcessSite(client)
    page = open_(site, reverse("challenges:coach-try"))
    page.get_by_label("Language of the text").select_option("en")
    field = page.get_by_label(re.compile(r"^\s*Text to check\s*\*?\s*$"))

    field.press_sequentially("We want a system that uses sensors", delay=15)

    region = page.locator("#id_text-coach")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region.locator("mark")).to_have_text(["We want a system that", "sensors"])
    expect(region.locator(".coach-feedback-summary")).to_have_text(
        "The coach flagged 2 phrases that may prescribe a solution."
    )
    expect(region.locator("li").first).to_contain_text("Restate it as a need:")
    assert "id_text-coach-summary" in field.get_attribute("aria-describedby").split()
    assert len(site.checks) <= 3, site.checks  # debounced: not one check per key
    assert page.get_by_role("heading", level=1).count() == 1

    page.get_by_label("Language of the text").select_option("nb")

    # Only the Norwegian rules now: "sensor*" still flags "sensors".
    expect(region.locator("mark")).to_have_text(["sensors"])

    field.fill("")
    field.press_sequentially("Vi ønsker en app", delay=15)

    expect(region.locator("mark")).to_have_text(["app"])
    expect(region.locator("li [lang=nb]").first).to_contain_text("Dette navngir en teknologi")

    field.fill("")
    field.press_sequentially("Færre eldre føler seg ensomme", delay=15)

    expect(region.locator(".coach-feedback-summary")).to_have_text("No solution-prescriptive wording found.")
    expect(region.locator("mark")).to_have_count(0)
    assert errors == []


def test_coach_checks_prefilled_fields_of_an_editor_on_load(open_page):
    from playwright.sync_api import expect

    open_, errors = open_page
    CoachRuleFactory(language="nb", phrase="dingsebom", explanation="Forklaring.", suggestion="Forslag.")
    user = MembershipFactory(organisation=BuyerFactory()).user
    client = Client()
    client.force_login(user)
    # A stand-in for the authoring editor: two coached fields, the language on the form, the panel with
    # the findings rendered on the server (which the script replaces with live advice per field).
    request = RequestFactory().get("/editor/")
    request.user = user
    html = Template(
        '{% extends "base.html" %}{% block content %}<h1>Editor</h1>'
        '<form method="post" data-coach-language="nb">'
        '<div id="div_id_title"><label for="id_title">Title</label>'
        '<input id="id_title" name="title" value="En dingsebom for eldre" data-coach="Title"></div>'
        '<div id="div_id_summary"><label for="id_summary">Summary</label>'
        '<textarea id="id_summary" name="summary" data-coach="Summary">Færre føler seg ensomme.</textarea>'
        "</div></form>"
        '{% include "challenges/coach/_coach_panel.html" %}{% endblock %}'
    ).render(RequestContext(request, {"coach_findings": {"Title": []}}))
    site = InProcessSite(client, pages={"/editor/": html})

    page = open_(site, "/editor/")

    expect(page.locator("#id_title-coach mark")).to_have_text(["dingsebom"])
    expect(page.locator("#id_title-coach")).to_contain_text("Forslag.")
    expect(page.locator("[data-coach-initial]")).to_be_hidden()
    expect(page.locator(".coach-panel-live")).to_be_visible()
    expect(page.locator("#id_summary-coach mark")).to_have_count(0)

    page.locator("#id_summary").press_sequentially(" Med dingsebom.", delay=15)

    expect(page.locator("#id_summary-coach mark")).to_have_text(["dingsebom"])
    assert errors == []
