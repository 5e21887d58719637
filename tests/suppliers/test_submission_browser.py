"""Submitting in a real Chromium, under the strict CSP: from the proposal's page to the confirmation, the
receipt, its verification and the downloaded receipt file. Requests are answered in-process
(tests/inprocess_browser.py)."""

import pytest
from django.test import Client

from suppliers.models import Receipt
from tests.inprocess_browser import InProcessSite

from .test_submission_services import make_complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_lead_submits_verifies_and_downloads_the_receipt(open_in_chromium, actors, tmp_path):
    from playwright.sync_api import expect

    open_site, errors = open_in_chromium
    proposal = make_complete(actors["proposal"])
    client = Client()
    client.force_login(actors["lead"])
    page = open_site(InProcessSite(client), proposal.get_absolute_url())

    page.get_by_role("link", name="Submit the proposal").click()
    page.get_by_role("button", name="Submit the proposal").click()
    expect(page.locator(".error-summary")).to_contain_text("Tick the box")
    page.get_by_label("We have checked the proposal").check()
    page.get_by_role("button", name="Submit the proposal").click()

    receipt = Receipt.objects.get(proposal=proposal)
    expect(page.get_by_role("heading", level=1)).to_have_text("Receipt no. 1")
    expect(page.locator(".receipt-digest")).to_have_text(receipt.digest)
    page.get_by_role("button", name="Verify the receipt").click()
    expect(page.locator(".receipt-check")).to_contain_text("Valid")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the receipt").click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert download.suggested_filename == f"receipt-{proposal.challenge_id}-{proposal.pk}-1.txt"
    assert receipt.digest in path.read_text(encoding="utf-8")
    assert errors == []
