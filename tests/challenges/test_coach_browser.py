"""The live coach in a real Chromium: advice appears under the field while a person types, in a polite
live region, without a page reload and without breaking the strict CSP.

The browser's requests are answered in-process by Django's test client (Playwright routes every request
to it), so the test runs in an ordinary rolled-back transaction: no live server, no flushed tables (a live
server would flush every table after the test, the reference data and the coach's starting rules
included)."""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories.accounts import BuyerFactory, MembershipFactory, TOTPAuthenticatorFactory
from tests.factories.challenges import CoachRuleFactory
from tests.inprocess_browser import InProcessSite

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

CHECK_PATH = "/challenges/coach/check/"
STARTING_RULES = importlib.import_module("challenges.migrations.0003_coach_rules")


def _checks(site: InProcessSite) -> list[str]:
    return [body for path, body in site.posts if path == CHECK_PATH]


@pytest.fixture
def open_page(open_in_chromium):
    return open_in_chromium


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
    assert len(_checks(site)) <= 3, _checks(site)  # debounced: not one check per key
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
