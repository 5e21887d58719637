"""The open data page as a person sees it in Chromium: reached from the footer, it explains the data and
its links lead to the release package a tool would download."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories.challenges import PublishedChallengeFactory
from tests.inprocess_browser import InProcessSite

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_open_data_page_from_the_footer_to_a_package(open_in_chromium):
    from playwright.sync_api import expect

    open_, errors = open_in_chromium
    challenge = PublishedChallengeFactory(title="Cleaner harbour")
    site = InProcessSite(Client())
    page = open_(site, reverse("challenges:challenge-list"))

    page.get_by_role("contentinfo").get_by_role("link", name="Open data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open data")
    expect(page.get_by_role("row", name="Cleaner harbour")).to_be_visible()
    with page.expect_response(lambda response: response.url.endswith("/releases.json")) as answer:
        page.get_by_role("link", name="Releases of Cleaner harbour (JSON)").click()
    package = json.loads(answer.value.body())

    assert package["releases"][0]["tender"]["title"] == "Cleaner harbour"
    assert package["releases"][0]["ocid"].endswith(f"-{challenge.pk}")
    assert errors == []
    assert site.missing_static == []
