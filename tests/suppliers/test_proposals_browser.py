"""The editor's script in a real Chromium, under the strict CSP: the draft saves itself a few seconds
after typing stops and says so in a live region; a colleague's newer text comes into fields this page has
not touched; price lines can be added. Requests are answered in-process (tests/inprocess_browser.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from suppliers.models import Proposal
from suppliers.selectors.proposals import editor_values, proposal_for_editor, value_digests
from suppliers.services.proposals import save_proposal
from tests.factories.accounts import MembershipFactory
from tests.factories.suppliers import ProposalFactory
from tests.inprocess_browser import InProcessSite

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SAVE_WAIT_MS = 10_000


@pytest.fixture
def editor(open_in_chromium):
    open_site, errors = open_in_chromium
    proposal = ProposalFactory(summary="", approach="", team="Old team")
    user = MembershipFactory(organisation=proposal.supplier).user
    client = Client()
    client.force_login(user)
    page = open_site(InProcessSite(client), reverse("suppliers:proposal-edit", kwargs={"pk": proposal.pk}))
    return page, proposal, user, errors


def test_editor_saves_by_itself_and_takes_in_a_colleagues_change(editor):
    from playwright.sync_api import expect

    page, proposal, user, errors = editor
    status = page.locator("[data-autosave-status]")

    page.get_by_label("Summary").fill("Neighbours visit neighbours.")
    expect(status).to_contain_text("Saved at", timeout=SAVE_WAIT_MS)
    proposal.refresh_from_db()
    assert (proposal.summary, proposal.revision) == ("Neighbours visit neighbours.", 1)

    # A colleague saves the team from their own page.
    fresh = proposal_for_editor(user=user, pk=proposal.pk)
    save_proposal(
        proposal=fresh,
        by=user,
        values={"team": "A colleague's team"},
        base_revision=fresh.revision,
        base=value_digests(editor_values(fresh)),
    )
    status.evaluate("element => { element.textContent = ''; }")
    page.get_by_label("Approach").fill("Co-design first.")
    expect(status).to_contain_text("Saved at", timeout=SAVE_WAIT_MS)

    expect(page.get_by_role("textbox", name="Team", exact=True)).to_have_value("A colleague's team")
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert (proposal.summary, proposal.approach, proposal.team) == (
        "Neighbours visit neighbours.",
        "Co-design first.",
        "A colleague's team",
    )
    assert errors == []


def test_editor_adds_price_lines_and_the_explicit_save_keeps_them(editor):
    from playwright.sync_api import expect

    page, proposal, _user, errors = editor

    page.locator("#id_lines-0-description").fill("Pilot")
    page.locator("#id_lines-0-amount").fill("80 000")
    page.get_by_role("button", name="Add a line").click()
    page.locator("#id_lines-1-description").fill("Evaluation")
    page.locator("#id_lines-1-amount").fill("40000")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert [(line.description, line.amount) for line in proposal.price_lines.all()] == [
        ("Pilot", 80000),
        ("Evaluation", 40000),
    ]
    assert errors == []
