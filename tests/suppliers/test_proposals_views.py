"""The proposal editor's pages: who reaches each URL, before and after the deadline; what the editor shows
and does with good and bad input; co-editors' saves; autosave; documents; the list; query counts."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from portal.accounts.enums import MembershipRole
from portal.audit.models import AuditEvent
from suppliers.enums import ProposalStatus
from suppliers.models import Proposal, ProposalDocument
from suppliers.selectors.completeness import criterion_field, outcome_field
from suppliers.views import proposals as views
from tests.factories.accounts import MembershipFactory, SupplierFactory
from tests.factories.challenges import CriterionFactory, OutcomeFactory, PublishedChallengeFactory
from tests.factories.suppliers import (
    PDF_BYTES,
    ProposalDocumentFactory,
    ProposalFactory,
)

from .conftest import ACTORS, close_challenge

pytestmark = pytest.mark.django_db

BIDDERS = {"lead", "lead_admin", "partner"}


def login(client, actors, actor):
    if user := actors[actor]:
        client.force_login(user)
    return user


def editor_post_data(client, proposal, **changes) -> dict:
    """What the editor page posts when nothing is changed, with `changes` applied."""
    response = client.get(reverse("suppliers:proposal-edit", kwargs={"pk": proposal.pk}))
    form, lines = response.context["form"], response.context["lines"]
    data = {}
    for field in form:
        value = field.value()
        data[field.html_name] = "" if value is None else str(value)
    for key, value in lines.management_form.initial.items():
        data[f"lines-{key}"] = str(value)
    for index, row in enumerate(lines.forms):
        for name in ("description", "amount"):
            value = row[name].value()
            data[f"lines-{index}-{name}"] = "" if value is None else str(value)
    data.update(changes)
    return data


# Permission grid: every URL, every actor, before and after the deadline


def _urls(actors) -> dict[str, tuple[str, str]]:
    proposal = actors["proposal"]
    document = actors["document"]
    return {
        "list": ("get", reverse("suppliers:proposal-list")),
        "start": (
            "post",
            reverse("suppliers:proposal-start", kwargs={"challenge_pk": actors["challenge"].pk}),
        ),
        "edit": ("get", reverse("suppliers:proposal-edit", kwargs={"pk": proposal.pk})),
        "save": ("post", reverse("suppliers:proposal-edit", kwargs={"pk": proposal.pk})),
        "autosave": ("post", reverse("suppliers:proposal-autosave", kwargs={"pk": proposal.pk})),
        "document-add": ("post", reverse("suppliers:proposal-document-add", kwargs={"pk": proposal.pk})),
        "document": (
            "get",
            reverse("suppliers:proposal-document", kwargs={"pk": proposal.pk, "document_pk": document.pk}),
        ),
        "document-remove": (
            "post",
            reverse(
                "suppliers:proposal-document-remove", kwargs={"pk": proposal.pk, "document_pk": document.pk}
            ),
        ),
    }


@pytest.fixture
def grid(actors):
    actors["document"] = ProposalDocumentFactory(proposal=actors["proposal"])
    return actors


def _expected(url_name: str, actor: str, *, closed: bool) -> int:
    if actor == "anonymous":
        return 302
    if url_name == "list":
        return 200
    if url_name == "start":
        if actor in {"lead", "lead_admin", "partner", "other_supplier"}:
            return 403 if closed else 302  # the lead's existing proposal; the partner is told it bids already
        return 403  # not a supplier
    if actor not in BIDDERS:
        return 404  # a draft: nobody else may learn it exists, before or after the deadline
    if url_name == "document":
        return 200
    if closed and url_name == "save":
        return 409  # the editor again, read-only, with what was posted (tested below)
    if closed:
        return 403
    return {"edit": 200, "save": 302, "autosave": 200, "document-add": 302, "document-remove": 302}[url_name]


GRID = [
    (url_name, actor, closed)
    for url_name in [
        "list",
        "start",
        "edit",
        "save",
        "autosave",
        "document-add",
        "document",
        "document-remove",
    ]
    for actor in ACTORS
    for closed in (False, True)
]


@pytest.mark.parametrize(("url_name", "actor", "closed"), GRID)
def test_proposal_urls_permission_grid(client, grid, url_name, actor, closed):
    if closed:
        close_challenge(grid["challenge"])
    user = login(client, grid, actor)
    method, url = _urls(grid)[url_name]
    data = {}
    if user and url_name in {"save", "autosave"} and actor in BIDDERS and not closed:
        data = editor_post_data(client, grid["proposal"])
    if url_name == "document-add":
        data = {"document-title": "Annex", "document-file": SimpleUploadedFile("annex.pdf", PDF_BYTES)}

    response = getattr(client, method)(url, data)

    assert response.status_code == _expected(url_name, actor, closed=closed)
    if actor == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


OPENED = {
    "anonymous": 302,
    "lead": 200,
    "lead_admin": 200,
    "partner": 200,
    "other_supplier": 404,
    "procurer": 200,  # the buyer's admins read submitted proposals after the deadline
    "evaluator": 200,
    "staff": 404,
    "superuser": 404,
}


@pytest.mark.parametrize(("actor", "status"), OPENED.items())
def test_document_download_of_an_opened_proposal(client, grid, actor, status):
    proposal = grid["proposal"]
    Proposal.objects.filter(pk=proposal.pk).update(
        status=ProposalStatus.SUBMITTED, submitted_at="2026-01-01T00:00Z"
    )
    close_challenge(grid["challenge"])
    login(client, grid, actor)

    response = client.get(_urls(grid)["document"][1])

    assert response.status_code == status
    opened = AuditEvent.objects.filter(action="proposal.document_opened").exists()
    assert opened == (actor in {"procurer", "evaluator"})


@pytest.mark.parametrize("actor", ["procurer", "evaluator"])
def test_readers_who_open_the_editor_after_the_close_go_to_the_audited_read_page(client, grid, actor):
    proposal = grid["proposal"]
    Proposal.objects.filter(pk=proposal.pk).update(
        status=ProposalStatus.SUBMITTED, submitted_at="2026-01-01T00:00Z"
    )
    close_challenge(grid["challenge"])
    login(client, grid, actor)

    response = client.get(_urls(grid)["edit"][1])

    assert response.status_code == 302
    assert response["Location"] == reverse("suppliers:proposal-detail", kwargs={"pk": proposal.pk})


@pytest.mark.parametrize("actor", ["procurer", "evaluator", "staff", "superuser", "other_supplier"])
def test_submitted_proposal_before_the_deadline_is_a_404_for_others(client, grid, actor):
    Proposal.objects.filter(pk=grid["proposal"].pk).update(
        status=ProposalStatus.SUBMITTED, submitted_at="2026-01-01T00:00Z"
    )
    login(client, grid, actor)

    for _name, (method, url) in _urls(grid).items():
        if _name in {"list", "start"}:
            continue
        assert getattr(client, method)(url).status_code == 404, _name


def test_editor_of_a_submitted_proposal_says_to_withdraw_first(client, grid):
    Proposal.objects.filter(pk=grid["proposal"].pk).update(
        status=ProposalStatus.SUBMITTED, submitted_at="2026-01-01T00:00Z"
    )
    login(client, grid, "lead")

    response = client.get(_urls(grid)["edit"][1])

    assert response.status_code == 403
    assert "Withdraw it first" in response.content.decode()


def test_proposal_list_url_is_the_editors(client):
    assert resolve(reverse("suppliers:proposal-list")).func == views.proposal_list


# Starting


def test_start_creates_a_draft_and_opens_the_editor(client):
    challenge = PublishedChallengeFactory()
    supplier = SupplierFactory()
    client.force_login(MembershipFactory(organisation=supplier).user)

    response = client.post(reverse("suppliers:proposal-start", kwargs={"challenge_pk": challenge.pk}))

    proposal = Proposal.objects.get()
    assert (proposal.supplier, proposal.challenge) == (supplier, challenge)
    assert response["Location"] == reverse("suppliers:proposal-edit", kwargs={"pk": proposal.pk})


def test_start_goes_to_the_existing_proposal(client, actors):
    login(client, actors, "lead_admin")

    response = client.post(
        reverse("suppliers:proposal-start", kwargs={"challenge_pk": actors["challenge"].pk})
    )

    assert response["Location"] == reverse("suppliers:proposal-edit", kwargs={"pk": actors["proposal"].pk})
    assert Proposal.objects.count() == 1


def test_start_as_a_partner_elsewhere_explains_on_the_challenge_page(client, actors):
    login(client, actors, "partner")

    response = client.post(
        reverse("suppliers:proposal-start", kwargs={"challenge_pk": actors["challenge"].pk}), follow=True
    )

    assert "already a partner" in response.content.decode()
    assert Proposal.objects.count() == 1


def test_start_by_get_is_not_allowed(client, actors):
    login(client, actors, "other_supplier")

    response = client.get(
        reverse("suppliers:proposal-start", kwargs={"challenge_pk": actors["challenge"].pk})
    )

    assert response.status_code == 405


def test_start_on_a_draft_challenge_is_a_404(client, actors):
    challenge = PublishedChallengeFactory(status=ChallengeStatus.DRAFT, published_at=None)
    login(client, actors, "other_supplier")

    response = client.post(reverse("suppliers:proposal-start", kwargs={"challenge_pk": challenge.pk}))

    assert response.status_code == 404


# The editor


def test_editor_shows_the_challenges_outcomes_and_criteria_beside_the_answers(client, actors):
    challenge = actors["challenge"]
    outcome = OutcomeFactory(
        challenge=challenge, description="Fewer falls at home", indicator="Falls per 1,000", target="-20 %"
    )
    criterion = CriterionFactory(
        challenge=challenge, name="Data protection", weight=15, description="EEA hosting"
    )
    login(client, actors, "lead")

    response = client.get(_edit_url(actors["proposal"]))

    html = response.content.decode()
    for text in ["Fewer falls at home", "Falls per 1,000", "-20 %", "Data protection", "15 %", "EEA hosting"]:
        assert text in html
    assert f'id="id_{outcome_field(outcome.pk)}"' in html
    assert f'id="id_{criterion_field(criterion.pk)}"' in html
    assert html.count("<h1") == 1


def _edit_url(proposal) -> str:
    return reverse("suppliers:proposal-edit", kwargs={"pk": proposal.pk})


def test_editor_shows_what_submission_still_needs_at_the_fields_and_in_a_checklist(client, actors):
    proposal = actors["proposal"]
    Proposal.objects.filter(pk=proposal.pk).update(team="", price=None)
    login(client, actors, "lead")

    response = client.get(_edit_url(proposal))

    html = response.content.decode()
    checklist = {item["name"] for item in response.context["checklist"]}
    assert {"team", "price"} <= checklist
    assert '<a href="#id_team">' in html
    assert "Still needed before you can submit:</strong> Describe the team that will do the work." in html


def test_editor_saves_a_draft_and_counts_the_revision(client, actors):
    proposal = actors["proposal"]
    login(client, actors, "partner")
    data = editor_post_data(client, proposal, summary="A partner's summary", price="99 000,50")

    response = client.post(_edit_url(proposal), data)

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.summary, proposal.price, proposal.revision) == (
        "A partner's summary",
        Decimal("99000.50"),
        1,
    )
    assert "Draft saved." in client.get(_edit_url(proposal)).content.decode()


def test_editor_with_a_bad_price_says_so_at_the_field_keeps_everything_typed_and_saves_nothing(
    client, actors
):
    proposal = actors["proposal"]
    login(client, actors, "lead")
    data = editor_post_data(client, proposal, summary="New summary", price="twelve thousand")

    response = client.post(_edit_url(proposal), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter an amount as a number, for example 125000 or 125000.50." in html
    assert 'value="twelve thousand"' in html
    assert "New summary" in html
    assert '<a href="#id_price">' in html  # the error summary links to the field
    proposal.refresh_from_db()
    assert proposal.summary != "New summary"


def test_editor_saves_answers_and_price_lines(client, actors):
    proposal = actors["proposal"]
    outcome = actors["challenge"].outcomes.first()
    login(client, actors, "lead")
    data = editor_post_data(
        client,
        proposal,
        **{
            outcome_field(outcome.pk): "Weekly visits",
            "lines-0-description": "Pilot",
            "lines-0-amount": "120000",
        },
    )

    client.post(_edit_url(proposal), data)

    assert proposal.outcome_answers.get(outcome=outcome).answer == "Weekly visits"
    assert [(line.description, line.amount) for line in proposal.price_lines.all()] == [("Pilot", 120000)]


def test_editor_from_a_stale_page_merges_a_colleagues_change_it_left_alone(client, actors):
    proposal = actors["proposal"]
    login(client, actors, "lead")
    stale = editor_post_data(client, proposal, approach="Lead's approach")
    colleague = editor_post_data(client, proposal, summary="Colleague's summary")
    client.post(_edit_url(proposal), colleague)

    response = client.post(_edit_url(proposal), stale, follow=True)

    proposal.refresh_from_db()
    assert (proposal.summary, proposal.approach) == ("Colleague's summary", "Lead's approach")
    assert "their newer text is kept in: Summary" in response.content.decode()


def test_editor_from_a_stale_page_shows_both_versions_of_a_field_both_changed(client, actors):
    proposal = actors["proposal"]
    login(client, actors, "lead")
    stale = editor_post_data(client, proposal, summary="Lead's summary", team="Lead's team")
    client.post(_edit_url(proposal), editor_post_data(client, proposal, summary="Partner's summary"))

    response = client.post(_edit_url(proposal), stale)

    assert response.status_code == 200
    html = response.content.decode()
    assert "A colleague saved a different text here while you were editing." in html
    assert "Lead&#x27;s summary" in html  # what this person typed, in the field
    assert "Partner&#x27;s summary" in html  # the colleague's, beside it
    proposal.refresh_from_db()
    assert (proposal.summary, proposal.team) == ("Partner's summary", "Lead's team")

    # Saving the page as shown writes the person's text, now that they have seen both.
    again = {key: value for key, value in response.context["form"].data.items()}
    again.update({key: value for key, value in response.context["lines"].data.items()})
    client.post(_edit_url(proposal), again)
    proposal.refresh_from_db()
    assert proposal.summary == "Lead's summary"


def _assert_read_only_with_what_was_typed(response, typed: str) -> None:
    html = response.content.decode()
    assert response.status_code == 409
    assert "Your changes were not saved" in html
    assert typed in html  # in its field, to be copied
    assert response.context["form"]["summary"].value() == typed
    assert "readonly" in str(response.context["form"]["summary"])
    assert "data-autosave-url" not in html
    assert ">Save draft</button>" not in html


def test_editor_refuses_a_save_that_comes_after_the_deadline_with_a_message(client, actors):
    proposal = actors["proposal"]
    login(client, actors, "lead")
    data = editor_post_data(client, proposal, summary="Too late but worth keeping")
    close_challenge(actors["challenge"])

    response = client.post(_edit_url(proposal), data)

    _assert_read_only_with_what_was_typed(response, "Too late but worth keeping")
    assert "The deadline for proposals has passed" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.summary != "Too late but worth keeping"


def test_editor_keeps_the_text_when_a_colleague_submitted_meanwhile(client, actors):
    proposal = actors["proposal"]
    login(client, actors, "partner")
    data = editor_post_data(client, proposal, summary="My late thought", price="12 abc")
    Proposal.objects.filter(pk=proposal.pk).update(
        status=ProposalStatus.SUBMITTED, submitted_at="2026-01-01T00:00Z"
    )

    response = client.post(_edit_url(proposal), data)

    _assert_read_only_with_what_was_typed(response, "My late thought")
    html = response.content.decode()
    assert "Withdraw it first" in html
    assert 'value="12 abc"' in html  # even what would not have been valid is kept
    proposal.refresh_from_db()
    assert proposal.summary != "My late thought"


def test_editor_keeps_the_text_when_the_database_clock_refuses_the_save(client, actors):
    """The page's clock still allowed the save, the service's database clock did not (the deadline passed
    while the request ran): the same read-only editor, not a redirect that drops the text."""
    proposal = actors["proposal"]
    login(client, actors, "lead")
    data = editor_post_data(client, proposal, summary="Typed at the last second")
    deadline = timezone.now() - timedelta(seconds=5)
    Challenge.objects.filter(pk=actors["challenge"].pk).update(
        questions_deadline=None, submission_deadline=deadline
    )

    # The web server's clock a minute behind the database's (time-machine moves Python's clock only).
    with time_machine.travel(deadline - timedelta(minutes=1), tick=True):
        response = client.post(_edit_url(proposal), data)

    _assert_read_only_with_what_was_typed(response, "Typed at the last second")
    assert "The deadline for proposals has passed" in response.content.decode()


def test_a_reader_who_is_not_a_bidder_gets_no_editor_on_a_post(client, actors):
    Proposal.objects.filter(pk=actors["proposal"].pk).update(
        status=ProposalStatus.SUBMITTED, submitted_at="2026-01-01T00:00Z"
    )
    close_challenge(actors["challenge"])
    login(client, actors, "procurer")

    before = Proposal.objects.get(pk=actors["proposal"].pk).summary
    response = client.post(_edit_url(actors["proposal"]), {"summary": "x"})

    assert response.status_code == 302  # to the read page; nothing saved, no editor
    assert response["Location"] == reverse("suppliers:proposal-detail", kwargs={"pk": actors["proposal"].pk})
    assert Proposal.objects.get(pk=actors["proposal"].pk).summary == before


def test_editor_shows_the_leads_role_and_share_only_with_partners(client, actors):
    login(client, actors, "lead")
    assert 'name="lead_share"' in client.get(_edit_url(actors["proposal"])).content.decode()

    alone = ProposalFactory(challenge=actors["challenge"], supplier=SupplierFactory())
    client.force_login(MembershipFactory(organisation=alone.supplier).user)
    assert 'name="lead_share"' not in client.get(_edit_url(alone)).content.decode()


# Autosave


def _autosave_url(proposal) -> str:
    return reverse("suppliers:proposal-autosave", kwargs={"pk": proposal.pk})


def test_autosave_saves_and_answers_with_the_time_and_the_new_revision(client, actors):
    proposal = actors["proposal"]
    login(client, actors, "lead")
    data = editor_post_data(client, proposal, timeline="Six months")

    response = client.post(_autosave_url(proposal), data)

    body = response.json()
    assert body["saved"] is True
    assert body["message"].startswith("Saved at ")
    assert body["revision"] == 1
    assert json.loads(body["base"])["timeline"]
    proposal.refresh_from_db()
    assert proposal.timeline == "Six months"
    assert not AuditEvent.objects.filter(
        target_id=str(proposal.pk), action__startswith="proposal.updated"
    ).exists()


def test_autosave_with_a_bad_price_saves_nothing_and_names_the_field(client, actors):
    proposal = actors["proposal"]
    login(client, actors, "lead")
    data = editor_post_data(client, proposal, price="abc", timeline="Six months")

    response = client.post(_autosave_url(proposal), data)

    assert response.status_code == 400
    assert response.json()["errors"]["price"] == [
        "Enter an amount as a number, for example 125000 or 125000.50."
    ]
    proposal.refresh_from_db()
    assert proposal.timeline != "Six months"


def test_autosave_brings_in_a_colleagues_change_and_keeps_a_clash_a_clash(client, actors):
    proposal = actors["proposal"]
    login(client, actors, "lead")
    mine = editor_post_data(client, proposal, summary="Mine", approach="My approach")
    client.post(_edit_url(proposal), editor_post_data(client, proposal, summary="Theirs", team="Their team"))

    body = client.post(_autosave_url(proposal), mine).json()

    assert body["saved"] is True
    assert body["updated"] == {"team": "Their team"}
    assert body["conflicts"] == {"summary": "Summary"}
    assert "except Summary" in body["message"]
    # The next autosave from the same page (with the returned revision and base) still does not overwrite.
    mine.update({"revision": str(body["revision"]), "base": body["base"], "team": "Their team"})
    body = client.post(_autosave_url(proposal), mine).json()
    assert body["conflicts"] == {"summary": "Summary"}
    proposal.refresh_from_db()
    assert (proposal.summary, proposal.approach) == ("Theirs", "My approach")


def test_autosave_after_the_deadline_is_refused(client, actors):
    proposal = actors["proposal"]
    login(client, actors, "lead")
    data = editor_post_data(client, proposal, summary="Late")
    close_challenge(actors["challenge"])

    response = client.post(_autosave_url(proposal), data)

    assert response.status_code == 403
    assert response.json()["saved"] is False


# Documents


def test_document_upload_adds_it_and_download_sends_it_as_an_attachment(client, actors):
    proposal = actors["proposal"]
    login(client, actors, "partner")

    response = client.post(
        reverse("suppliers:proposal-document-add", kwargs={"pk": proposal.pk}),
        {"document-title": "Technical annex", "document-file": SimpleUploadedFile("annex.pdf", PDF_BYTES)},
    )

    document = ProposalDocument.objects.get()
    assert response["Location"].endswith("#documents")
    assert document.title == "Technical annex"
    download = client.get(
        reverse("suppliers:proposal-document", kwargs={"pk": proposal.pk, "document_pk": document.pk})
    )
    assert download["Content-Disposition"] == 'attachment; filename="annex.pdf"'
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert not AuditEvent.objects.filter(action="proposal.document_opened").exists()  # a bidder's own


def test_document_upload_of_a_disguised_file_says_so_at_the_field(client, actors):
    proposal = actors["proposal"]
    login(client, actors, "lead")

    response = client.post(
        reverse("suppliers:proposal-document-add", kwargs={"pk": proposal.pk}),
        {"document-title": "Annex", "document-file": SimpleUploadedFile("annex.pdf", b"MZ\x90\x00binary")},
    )

    assert response.status_code == 200
    assert "This kind of file is not accepted" in response.content.decode()
    assert 'value="Annex"' in response.content.decode()
    assert not ProposalDocument.objects.exists()


def test_document_upload_beyond_the_limit_is_refused(client, actors, monkeypatch):
    from suppliers.services import proposals as services

    monkeypatch.setattr(services, "MAX_DOCUMENTS", 1)
    proposal = actors["proposal"]
    ProposalDocumentFactory(proposal=proposal)
    login(client, actors, "lead")

    response = client.post(
        reverse("suppliers:proposal-document-add", kwargs={"pk": proposal.pk}),
        {"document-title": "Annex", "document-file": SimpleUploadedFile("annex.pdf", PDF_BYTES)},
    )

    assert response.status_code == 200
    assert "at most 1 documents" in response.content.decode()
    assert proposal.documents.count() == 1


def test_document_remove_of_another_proposals_document_is_a_404(client, actors):
    foreign = ProposalDocumentFactory()
    login(client, actors, "lead")

    response = client.post(
        reverse(
            "suppliers:proposal-document-remove",
            kwargs={"pk": actors["proposal"].pk, "document_pk": foreign.pk},
        )
    )

    assert response.status_code == 404
    assert ProposalDocument.objects.filter(pk=foreign.pk).exists()


def test_document_download_of_another_proposals_document_is_a_404(client, actors):
    foreign = ProposalDocumentFactory()
    login(client, actors, "lead")

    response = client.get(
        reverse(
            "suppliers:proposal-document", kwargs={"pk": actors["proposal"].pk, "document_pk": foreign.pk}
        )
    )

    assert response.status_code == 404


# The list


def test_proposal_list_shows_the_active_organisations_proposals_as_lead_and_partner(client, actors):
    partner_user = actors["partner"]
    own = ProposalFactory(supplier=actors["partnership"].organisation, challenge=PublishedChallengeFactory())
    ProposalFactory()  # someone else's
    client.force_login(partner_user)

    response = client.get(reverse("suppliers:proposal-list"))

    assert {proposal.pk for proposal in response.context["page_obj"]} == {own.pk, actors["proposal"].pk}
    assert "Partner of" in response.content.decode()


def test_proposal_list_for_a_buyer_explains_it_is_for_suppliers(client, actors):
    login(client, actors, "procurer")

    response = client.get(reverse("suppliers:proposal-list"))

    assert response.context["page_obj"] is None
    assert "which is not a supplier" in response.content.decode()


# Query counts


@pytest.mark.parametrize("rows", [1, 5])
def test_editor_query_count(client, django_assert_num_queries, rows):
    challenge = PublishedChallengeFactory(with_outcome_and_criteria=False)
    proposal = ProposalFactory(challenge=challenge)
    for number in range(rows):
        OutcomeFactory(challenge=challenge)
        CriterionFactory(challenge=challenge, weight=10, position=number)
        ProposalDocumentFactory(proposal=proposal)
    user = MembershipFactory(organisation=proposal.supplier, role=MembershipRole.ADMIN).user
    client.force_login(user)

    # session, user, memberships (roles for visible_to, and the menu's: one read), unread count; the
    # proposal with its challenge and supplier, then outcomes, criteria, outcome answers, criterion
    # answers, price lines, documents, partners; the submission panel's receipts
    with django_assert_num_queries(QUERIES_EDITOR):
        response = client.get(_edit_url(proposal))

    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 5])
def test_proposal_list_query_count(client, django_assert_num_queries, rows):
    supplier = SupplierFactory()
    for _ in range(rows):
        ProposalFactory(supplier=supplier)
    client.force_login(MembershipFactory(organisation=supplier).user)

    # session, user, the menu's memberships (the active organisation), unread count; count, page
    with django_assert_num_queries(QUERIES_LIST):
        response = client.get(reverse("suppliers:proposal-list"))

    assert len(response.context["page_obj"]) == rows


QUERIES_EDITOR = 13
QUERIES_LIST = 6
