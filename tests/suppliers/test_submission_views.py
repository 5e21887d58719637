"""Submission's pages: who may open each (before and after the deadline), what they show, and bad input
(a double click, gaps, a submission after the deadline)."""

import re
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import Organisation
from portal.audit.models import AuditEvent
from suppliers.enums import ProposalStatus
from suppliers.models import ConsortiumPartner, Proposal, Receipt
from suppliers.selectors.completeness import criterion_field, outcome_field, submission_gaps
from suppliers.services.consortia import remove_partner
from suppliers.services.proposals import add_proposal_document
from suppliers.services.submission import submit_proposal, withdraw_proposal
from tests.factories.challenges import CriterionFactory
from tests.factories.suppliers import PDF_BYTES, ConsortiumPartnerFactory, ProposalDocumentFactory

from .conftest import ACTORS
from .conftest import close_challenge as close_challenge_only
from .test_submission_services import make_complete

pytestmark = pytest.mark.django_db

BIDDERS = {"lead", "lead_admin", "partner"}


@pytest.fixture
def draft(actors):
    actors["proposal"] = make_complete(actors["proposal"])
    actors["document"] = ProposalDocumentFactory(proposal=actors["proposal"])
    return actors


@pytest.fixture
def submitted(draft):
    draft["receipt"] = submit_proposal(proposal=draft["proposal"], by=draft["lead"])
    draft["proposal"] = Proposal.objects.get(pk=draft["proposal"].pk)
    return draft


def _as(client, actors, actor):
    if user := actors[actor]:
        client.force_login(user)
    return client


def _expect(actor, *, allowed, visible=(), forbidden=()):
    """The status an actor gets: 302 to sign in when anonymous, 200 when allowed, 403 when the proposal is
    visible but the page is not theirs, 404 otherwise."""
    if actor == "anonymous":
        return 302
    if actor in allowed:
        return 200
    if actor in forbidden or actor in visible:
        return 403
    return 404


READERS_AFTER_CLOSE = {"procurer", "evaluator"}


def close_challenge(challenge) -> None:
    """Close the challenge, and let its evaluators declare that they have no conflict with any bidder (the
    panel reads proposals only once they have declared, when evaluation's declarations are installed)."""
    close_challenge_only(challenge)
    try:
        declaration = apps.get_model("evaluation", "ConflictDeclaration")
    except LookupError:
        return
    bidders = {proposal.supplier_id for proposal in challenge.proposals.all()} | set(
        ConsortiumPartner.objects.filter(proposal__challenge=challenge, status="accepted").values_list(
            "organisation_id", flat=True
        )
    )
    for evaluator in challenge.evaluators.all():
        for organisation_id in bidders:
            declaration.objects.get_or_create(
                evaluator=evaluator, organisation_id=organisation_id, defaults={"has_conflict": False}
            )


# The permission grids


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("actor", ACTORS)
def test_proposal_detail_access(client, submitted, actor, closed):
    if closed:
        close_challenge(submitted["challenge"])
    allowed = BIDDERS | (READERS_AFTER_CLOSE if closed else set())

    response = _as(client, submitted, actor).get(submitted["proposal"].get_absolute_url())

    assert response.status_code == _expect(actor, allowed=allowed)
    if actor == "anonymous":
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("actor", ACTORS)
def test_proposal_submit_page_access_before_the_deadline(client, draft, actor):
    response = _as(client, draft, actor).get(
        reverse("suppliers:proposal-submit", args=[draft["proposal"].pk])
    )

    assert response.status_code == _expect(actor, allowed={"lead", "lead_admin"}, forbidden={"partner"})


@pytest.mark.parametrize("actor", ACTORS)
def test_proposal_submit_page_access_after_the_deadline(client, submitted, actor):
    close_challenge(submitted["challenge"])

    response = _as(client, submitted, actor).get(
        reverse("suppliers:proposal-submit", args=[submitted["proposal"].pk])
    )

    # The lead's members are sent to the receipt of the standing submission.
    expected = _expect(actor, allowed=set(), forbidden={"partner"} | READERS_AFTER_CLOSE)
    assert response.status_code == (302 if actor in {"lead", "lead_admin"} else expected)


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("actor", ACTORS)
def test_proposal_withdraw_page_access(client, submitted, actor, closed):
    if closed:
        close_challenge(submitted["challenge"])

    response = _as(client, submitted, actor).get(
        reverse("suppliers:proposal-withdraw", args=[submitted["proposal"].pk])
    )

    forbidden = {"partner"} | (READERS_AFTER_CLOSE if closed else set())
    assert response.status_code == _expect(actor, allowed={"lead", "lead_admin"}, forbidden=forbidden)


@pytest.mark.parametrize("name", ["receipt-detail", "receipt-download"])
@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("actor", ACTORS)
def test_receipt_pages_access(client, submitted, actor, closed, name):
    if closed:
        close_challenge(submitted["challenge"])

    response = _as(client, submitted, actor).get(reverse(f"suppliers:{name}", args=[submitted["receipt"].pk]))

    forbidden = READERS_AFTER_CLOSE if closed else set()
    assert response.status_code == _expect(actor, allowed=BIDDERS, forbidden=forbidden)


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("actor", ACTORS)
def test_receipt_verify_access(client, submitted, actor, closed):
    if closed:
        close_challenge(submitted["challenge"])

    response = _as(client, submitted, actor).post(
        reverse("suppliers:receipt-verify", args=[submitted["receipt"].pk])
    )

    forbidden = READERS_AFTER_CLOSE if closed else set()
    assert response.status_code == _expect(actor, allowed=BIDDERS, forbidden=forbidden)


@pytest.mark.parametrize("actor", ACTORS)
def test_proposal_submit_post_only_submits_for_lead_members(client, draft, actor):
    response = _as(client, draft, actor).post(
        reverse("suppliers:proposal-submit", args=[draft["proposal"].pk]), {"confirm": "on"}
    )

    if actor in {"lead", "lead_admin"}:
        assert response.status_code == 302
        assert Proposal.objects.get(pk=draft["proposal"].pk).status == ProposalStatus.SUBMITTED
    else:
        assert response.status_code == _expect(actor, allowed=set(), forbidden={"partner"})
        assert Proposal.objects.get(pk=draft["proposal"].pk).status == ProposalStatus.DRAFT


def test_missing_and_unknown_ids_are_404(client, submitted):
    client.force_login(submitted["lead"])

    assert client.get(reverse("suppliers:proposal-detail", args=[999999])).status_code == 404
    assert client.get(reverse("suppliers:receipt-detail", args=[999999])).status_code == 404
    assert AuditEvent.objects.filter(action="proposal.access_denied").count() == 0


# Audit of openings and refusals


def test_opening_by_the_buyer_after_the_deadline_is_audited_and_the_bidders_are_not(client, submitted):
    close_challenge(submitted["challenge"])
    client.force_login(submitted["lead"])
    client.get(submitted["proposal"].get_absolute_url())
    client.force_login(submitted["procurer"])

    client.get(submitted["proposal"].get_absolute_url())

    event = AuditEvent.objects.get(action="proposal.opened")
    assert event.actor == submitted["procurer"]
    assert event.target_id == str(submitted["proposal"].pk)
    assert event.organisation_id == submitted["challenge"].owner_id
    assert event.data["challenge"] == submitted["challenge"].pk


@pytest.mark.parametrize("actor", ["procurer", "staff", "superuser", "other_supplier"])
def test_attempts_on_a_sealed_proposal_are_audited_without_its_title(client, submitted, actor):
    client.force_login(submitted[actor])

    response = client.get(submitted["proposal"].get_absolute_url())
    client.get(reverse("suppliers:receipt-detail", args=[submitted["receipt"].pk]))

    assert response.status_code == 404
    events = AuditEvent.objects.filter(action="proposal.access_denied", actor=submitted[actor])
    assert [event.data["proposal"] for event in events] == [submitted["proposal"].pk] * 2
    assert all(submitted["proposal"].title not in event.target_label for event in events)
    assert AuditEvent.objects.filter(action="proposal.opened").count() == 0


# What the pages show


def test_proposal_detail_shows_the_full_content_and_receipts_to_bidders(client, submitted):
    client.force_login(submitted["partner"])

    response = client.get(submitted["proposal"].get_absolute_url())

    content = response.content.decode()
    proposal = submitted["proposal"]
    for text in (
        proposal.title,
        proposal.summary,
        proposal.approach,
        proposal.team,
        submitted["document"].sha256,
    ):
        assert text in content
    assert submitted["receipt"].get_absolute_url() in content
    assert reverse("suppliers:proposal-document", args=[proposal.pk, submitted["document"].pk]) in content
    assert content.count("<h1") == 1


def test_proposal_detail_for_the_buyer_has_no_receipts_and_no_submission_panel(client, submitted):
    close_challenge(submitted["challenge"])
    client.force_login(submitted["procurer"])

    content = client.get(submitted["proposal"].get_absolute_url()).content.decode()

    assert submitted["proposal"].summary in content
    assert submitted["receipt"].get_absolute_url() not in content
    assert "submission-panel" not in content


def test_draft_detail_shows_the_gaps_in_the_submission_panel(client, actors):
    client.force_login(actors["lead"])

    content = client.get(actors["proposal"].get_absolute_url()).content.decode()

    assert "Explain how you reach this outcome." in content
    assert reverse("suppliers:proposal-submit", args=[actors["proposal"].pk]) not in content


def _gap_items(html: str) -> list[str]:
    match = re.search(r'<ul class="submission-gaps">(.*?)</ul>', html, re.S)
    assert match, "no list of gaps"
    return [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


def _criterion_gap_link(proposal, criterion) -> str:
    editor = reverse("suppliers:proposal-edit", args=[proposal.pk])
    return f'<a href="{editor}#id_{criterion_field(criterion.pk)}">Your answer to “{criterion.name}”</a>'


def test_draft_detail_names_each_gap_and_links_to_its_field_in_the_editor(client, actors):
    privacy = CriterionFactory(challenge=actors["challenge"], name="Privacy", weight=1)
    client.force_login(actors["lead"])

    items = _gap_items(client.get(actors["proposal"].get_absolute_url()).content.decode())

    assert f"{_criterion_gap_link(actors['proposal'], privacy)}: Answer this evaluation criterion." in items
    editor = reverse("suppliers:proposal-edit", args=[actors["proposal"].pk])
    assert (
        f'<a href="{editor}#id_lead_share">Your share of the work (%)</a>: State your own share of the work.'
        in (items)
    )
    outcome = actors["challenge"].outcomes.all()[0]
    assert (
        f'<a href="{editor}#id_{outcome_field(outcome.pk)}">How you reach outcome 1</a>: '
        "Explain how you reach this outcome." in items
    )


def test_submit_page_names_each_gap_and_links_to_its_field_in_the_editor(client, actors):
    privacy = CriterionFactory(challenge=actors["challenge"], name="Privacy", weight=1)
    ConsortiumPartnerFactory(proposal=actors["proposal"])  # an invitation nobody has answered
    client.force_login(actors["lead"])

    response = client.post(
        reverse("suppliers:proposal-submit", args=[actors["proposal"].pk]), {"confirm": "on"}
    )

    items = _gap_items(response.content.decode())
    editor = reverse("suppliers:proposal-edit", args=[actors["proposal"].pk])
    assert f"{_criterion_gap_link(actors['proposal'], privacy)}: Answer this evaluation criterion." in items
    assert any(
        item.startswith(f'<a href="{editor}#consortium">Consortium</a>: 1 invited partner') for item in items
    )
    assert len(items) == len(submission_gaps(proposal=Proposal.objects.get(pk=actors["proposal"].pk)))


def test_complete_draft_offers_the_submit_button_to_the_lead_only(client, draft):
    submit_url = reverse("suppliers:proposal-submit", args=[draft["proposal"].pk])
    client.force_login(draft["lead"])
    assert submit_url in client.get(draft["proposal"].get_absolute_url()).content.decode()
    client.force_login(draft["partner"])

    content = client.get(draft["proposal"].get_absolute_url()).content.decode()

    assert submit_url not in content
    assert "Only members of the lead organisation can submit the proposal." in content


@pytest.mark.parametrize("rows", [1, 4])
def test_proposal_detail_query_count(client, submitted, django_assert_num_queries, rows):
    for _ in range(rows - 1):
        ProposalDocumentFactory(proposal=submitted["proposal"])
    client.force_login(submitted["lead"])
    user = submitted["lead"]
    user.organisation_roles  # noqa: B018 (the role cache, as the middleware fills it on every request)

    with django_assert_num_queries(11):
        response = client.get(submitted["proposal"].get_absolute_url())

    assert response.status_code == 200


def test_receipt_page_shows_time_in_both_zones_digest_and_documents(client, submitted):
    client.force_login(submitted["lead"])

    content = client.get(submitted["receipt"].get_absolute_url()).content.decode()

    receipt = submitted["receipt"]
    assert receipt.digest in content
    assert submitted["document"].sha256 in content
    assert submitted["document"].original_name in content
    assert submitted["receipt"].submitted_at.astimezone(UTC).isoformat(timespec="microseconds") in content
    assert submitted["challenge"].deadline_timezone in content
    assert submitted["proposal"].title in content


def test_a_superseded_receipt_lists_what_it_covered_then_not_what_came_later(client, submitted):
    """Withdraw, add a document, take a partner out, rename the lead, resubmit: the first receipt's page and
    file still show the submission it records."""
    proposal, first = submitted["proposal"], submitted["receipt"]
    withdraw_proposal(proposal=proposal, by=submitted["lead"])
    add_proposal_document(
        proposal=proposal,
        by=submitted["lead"],
        title="Added after receipt one",
        file=SimpleUploadedFile("late.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    remove_partner(partner=submitted["partnership"], by=submitted["lead"])
    Proposal.objects.filter(pk=proposal.pk).update(lead_share=Decimal("100"), title="A new title")
    lead_name = proposal.supplier.name
    Organisation.objects.filter(pk=proposal.supplier_id).update(name="Renamed AS")
    second = submit_proposal(proposal=Proposal.objects.get(pk=proposal.pk), by=submitted["lead"])
    client.force_login(submitted["lead"])

    for url in (first.get_absolute_url(), reverse("suppliers:receipt-download", args=[first.pk])):
        content = client.get(url).content.decode()
        assert "Added after receipt one" not in content, url
        assert submitted["document"].original_name in content, url
        assert submitted["partnership"].organisation.name in content, url
        assert lead_name in content, url
        assert submitted["proposal"].title in content, url
    for url in (second.get_absolute_url(), reverse("suppliers:receipt-download", args=[second.pk])):
        content = client.get(url).content.decode()
        assert "Added after receipt one" in content, url
        assert submitted["partnership"].organisation.name not in content, url
        assert "Renamed AS" in content, url
    # Verifying still recomputes from what is stored: the first is superseded, the second valid.
    assert client.post(reverse("suppliers:receipt-verify", args=[first.pk])).context["check"] == "superseded"
    assert client.post(reverse("suppliers:receipt-verify", args=[second.pk])).context["check"] == "valid"


def test_a_receipt_without_a_manifest_says_so_instead_of_listing_todays_documents(client, submitted):
    Receipt.objects.filter(pk=submitted["receipt"].pk).update(manifest={})
    client.force_login(submitted["lead"])

    page = client.get(submitted["receipt"].get_absolute_url()).content.decode()
    text = client.get(reverse("suppliers:receipt-download", args=[submitted["receipt"].pk])).content.decode()

    assert submitted["document"].original_name not in page
    assert "issued before receipts kept their own list" in page
    assert submitted["document"].original_name not in text
    assert "issued before receipts kept their own list" in text


def test_receipt_download_is_a_plain_text_attachment(client, submitted):
    client.force_login(submitted["lead"])

    response = client.get(reverse("suppliers:receipt-download", args=[submitted["receipt"].pk]))

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="receipt-{submitted["challenge"].pk}-{submitted["proposal"].pk}-1.txt"'
    )
    text = response.content.decode()
    assert submitted["receipt"].digest in text
    assert submitted["document"].sha256 in text
    assert submitted["receipt"].submitted_at.astimezone(UTC).isoformat(timespec="microseconds") in text
    assert "&amp;" not in text and "&#x27;" not in text


def test_receipt_verify_reports_valid_then_changed(client, submitted):
    client.force_login(submitted["lead"])
    url = reverse("suppliers:receipt-verify", args=[submitted["receipt"].pk])

    assert "Valid:" in client.post(url).content.decode()
    Proposal.objects.filter(pk=submitted["proposal"].pk).update(summary="Tampered.")

    assert "Changed:" in client.post(url).content.decode()


def test_receipt_verify_reports_a_superseded_receipt(client, submitted):
    client.force_login(submitted["lead"])
    client.post(reverse("suppliers:proposal-withdraw", args=[submitted["proposal"].pk]))

    content = client.post(
        reverse("suppliers:receipt-verify", args=[submitted["receipt"].pk])
    ).content.decode()

    assert "Superseded:" in content


# Bad input


def test_double_click_on_submit_gives_one_submission_and_shows_the_receipt(client, draft):
    client.force_login(draft["lead"])
    url = reverse("suppliers:proposal-submit", args=[draft["proposal"].pk])

    first = client.post(url, {"confirm": "on"})
    second = client.post(url, {"confirm": "on"}, follow=True)

    receipt = Receipt.objects.get()
    assert first.url == receipt.get_absolute_url()
    assert second.status_code == 200
    assert second.redirect_chain[-1][0] == receipt.get_absolute_url()
    assert "already submitted" in second.content.decode()
    assert receipt.digest in second.content.decode()


def test_submit_without_confirming_asks_for_the_tick(client, draft):
    client.force_login(draft["lead"])

    response = client.post(reverse("suppliers:proposal-submit", args=[draft["proposal"].pk]), {})

    assert response.status_code == 200
    assert "Tick the box to confirm" in response.content.decode()
    assert Proposal.objects.get(pk=draft["proposal"].pk).status == ProposalStatus.DRAFT


def test_submit_with_gaps_lists_them(client, actors):
    client.force_login(actors["lead"])

    response = client.post(
        reverse("suppliers:proposal-submit", args=[actors["proposal"].pk]), {"confirm": "on"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "cannot be submitted yet" in content
    assert "Explain how you reach this outcome." in content
    assert "Answer this evaluation criterion." in content
    assert "State your own share of the work." in content
    assert Receipt.objects.count() == 0


def test_submit_after_the_deadline_says_so_and_keeps_the_content(client, draft):
    client.force_login(draft["lead"])
    url = reverse("suppliers:proposal-submit", args=[draft["proposal"].pk])
    client.get(url)  # the page was opened before the deadline...
    challenge = draft["challenge"]
    challenge.submission_deadline = timezone.now() - timedelta(seconds=1)
    challenge.questions_deadline = challenge.submission_deadline
    challenge.save()

    response = client.post(url, {"confirm": "on"})  # ...and sent a second after it

    content = response.content.decode()
    assert response.status_code == 200
    assert "The deadline for proposals to this challenge has passed" in content
    assert "it is kept as it is" in content
    proposal = Proposal.objects.get(pk=draft["proposal"].pk)
    assert proposal.status == ProposalStatus.DRAFT
    assert proposal.summary == draft["proposal"].summary


def test_withdraw_then_resubmit_through_the_pages(client, submitted):
    client.force_login(submitted["lead_admin"])

    withdrawn = client.post(reverse("suppliers:proposal-withdraw", args=[submitted["proposal"].pk]))
    again = client.post(reverse("suppliers:proposal-withdraw", args=[submitted["proposal"].pk]), follow=True)
    resubmitted = client.post(
        reverse("suppliers:proposal-submit", args=[submitted["proposal"].pk]), {"confirm": "on"}
    )

    assert withdrawn.status_code == 302
    assert "already withdrawn" in again.content.decode()
    assert resubmitted.status_code == 302
    assert [
        (receipt.number, receipt.superseded_at is None) for receipt in Receipt.objects.order_by("number")
    ] == [
        (1, False),
        (2, True),
    ]


def test_withdraw_after_the_deadline_is_refused_with_a_message(client, submitted):
    client.force_login(submitted["lead"])
    url = reverse("suppliers:proposal-withdraw", args=[submitted["proposal"].pk])
    challenge = submitted["challenge"]
    challenge.submission_deadline = timezone.now() - timedelta(seconds=1)
    challenge.questions_deadline = challenge.submission_deadline
    challenge.save()

    response = client.post(url)

    assert response.status_code == 200
    assert "can no longer be withdrawn" in response.content.decode()
    assert Proposal.objects.get(pk=submitted["proposal"].pk).status == ProposalStatus.SUBMITTED


@pytest.mark.parametrize("documents", [1, 4])
def test_receipt_page_query_count(client, submitted, django_assert_num_queries, documents):
    for _ in range(documents - 1):
        ProposalDocumentFactory(proposal=submitted["proposal"])
    client.force_login(submitted["lead"])

    # session, user, memberships (also the menu's), the receipt (with its proposal, challenge, submitter),
    # its proposal's partners, unread count: its documents come from the receipt's own manifest
    with django_assert_num_queries(6):
        response = client.get(submitted["receipt"].get_absolute_url())

    assert response.status_code == 200


# The panel the editor includes (with proposal and gaps only)


def _panel(rf, user, proposal, gaps) -> str:
    request = rf.get("/")
    request.user = type(user).objects.get(pk=user.pk)
    return render_to_string(
        "suppliers/submission/_submission_panel.html", {"proposal": proposal, "gaps": gaps}, request=request
    )


def test_panel_in_the_editor_counts_the_gaps_and_leaves_the_list_to_the_checklist(rf, actors):
    proposal = Proposal.objects.select_related("challenge").get(pk=actors["proposal"].pk)

    html = _panel(rf, actors["lead"], proposal, submission_gaps(proposal=proposal))

    assert "items are still missing before you can submit: see the checklist." in html
    assert reverse("suppliers:proposal-submit", args=[proposal.pk]) not in html


def test_panel_of_a_submitted_proposal_links_the_receipt_and_offers_withdrawal_to_the_lead(rf, submitted):
    proposal = Proposal.objects.select_related("challenge").get(pk=submitted["proposal"].pk)
    withdraw_url = reverse("suppliers:proposal-withdraw", args=[proposal.pk])

    lead_html = _panel(rf, submitted["lead"], proposal, {})
    partner_html = _panel(rf, submitted["partner"], proposal, {})

    assert submitted["receipt"].get_absolute_url() in lead_html
    assert withdraw_url in lead_html
    assert submitted["receipt"].get_absolute_url() in partner_html
    assert withdraw_url not in partner_html


def test_panel_after_the_deadline_says_the_draft_was_not_submitted(rf, draft):
    close_challenge(draft["challenge"])
    proposal = Proposal.objects.select_related("challenge").get(pk=draft["proposal"].pk)

    html = _panel(rf, draft["lead"], proposal, {})

    assert "this proposal was not submitted" in html
    assert reverse("suppliers:proposal-submit", args=[proposal.pk]) not in html
