"""The editor's scripts in a real Chromium, under the strict CSP: the CPV picker searches as a person types
and fills the plain field the server reads; rows of outcomes can be added and moved; the criteria's weights
are added up as they are typed.

Requests are answered in-process by Django's test client (see InProcessSite), so the test runs in the
test's own rolled-back transaction."""

import pytest
from django.test import Client

from tests.challenges.authoring_fixtures import authoring_actors, edit_url
from tests.inprocess_browser import InProcessSite

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def browser_page(open_in_chromium):
    """open(client, path) -> page, and the console errors."""
    open_site, errors = open_in_chromium
    return (lambda client, path: open_site(InProcessSite(client), path)), errors


@pytest.fixture
def editor():
    actors = authoring_actors()
    client = Client()
    client.force_login(actors["owner_member"])
    return actors["challenge"], client


def test_cpv_picker_searches_as_you_type_and_saves_the_chosen_codes(browser_page, editor):
    from playwright.sync_api import expect

    open_, errors = browser_page
    challenge, client = editor
    challenge.cpv_codes.set(["72000000"])
    page = open_(client, edit_url(challenge, "practicalities"))

    search = page.get_by_role("combobox", name="CPV codes")
    expect(page.locator("input[name=cpv_codes]")).to_be_hidden()
    expect(page.locator(".cpv-picker-selected")).to_contain_text("72000000")
    search.press_sequentially("social work", delay=20)
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options.first).to_contain_text("Social work")
    search.press("ArrowDown")
    expect(search).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    first_code = options.first.locator(".font-monospace").text_content()
    search.press("Enter")

    expect(page.locator(".cpv-picker-selected")).to_contain_text(first_code)
    assert page.locator("input[name=cpv_codes]").input_value() == f"72000000, {first_code}"
    page.get_by_role("button", name="Remove 72000000").click()
    assert page.locator("input[name=cpv_codes]").input_value() == first_code

    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert list(challenge.cpv_codes.values_list("code", flat=True)) == [first_code]
    assert errors == []


def test_outcome_rows_can_be_added_and_moved(browser_page, editor):
    from playwright.sync_api import expect

    open_, errors = browser_page
    challenge, client = editor
    first = challenge.outcomes.get()
    page = open_(client, edit_url(challenge, "outcomes"))

    page.get_by_role("button", name="Add another outcome").click()

    expect(page.locator("[data-row]")).to_have_count(3)
    assert page.locator("#id_outcomes-TOTAL_FORMS").input_value() == "3"
    page.locator("#id_outcomes-2-description").fill("Fewer falls at home")
    page.locator("[data-row]").nth(2).get_by_role("button", name="Move up").click()
    page.locator("[data-row]").nth(1).get_by_role("button", name="Move up").click()

    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert list(challenge.outcomes.values_list("description", flat=True)) == [
        "Fewer falls at home",
        first.description,
    ]
    assert errors == []


def test_criteria_weights_are_added_up_while_typed(browser_page, editor):
    from playwright.sync_api import expect

    open_, errors = browser_page
    challenge, client = editor
    page = open_(client, edit_url(challenge, "criteria"))
    total = page.locator("[data-weight-total]")

    expect(total).to_have_text("The weights add up to 100.")
    page.locator("#id_criteria-0-weight").fill("50")

    expect(total).to_have_text("The weights add up to 90.")
    assert errors == []
