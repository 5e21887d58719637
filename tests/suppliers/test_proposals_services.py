"""The proposal editor's writes: starting (who may, one per supplier, one live bid per supplier or
consortium), saving drafts (co-editors merged field by field), documents."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import ProtectedError

from portal.audit.models import AuditEvent
from suppliers.enums import PartnerStatus, ProposalStatus
from suppliers.models import CriterionAnswer, OutcomeAnswer, Proposal, ProposalDocument
from suppliers.selectors.completeness import criterion_field, outcome_field
from suppliers.selectors.proposals import PRICE_LINES, editor_values, proposal_for_editor, value_digests
from suppliers.services import proposals as services
from suppliers.services.proposals import (
    ProposalError,
    ProposalNotEditable,
    add_proposal_document,
    remove_proposal_document,
    save_proposal,
    start_proposal,
)
from tests.factories.accounts import BuyerFactory, MembershipFactory, SupplierFactory, UserFactory
from tests.factories.challenges import PublishedChallengeFactory
from tests.factories.suppliers import (
    PDF_BYTES,
    AcceptedPartnerFactory,
    CriterionAnswerFactory,
    OutcomeAnswerFactory,
    ProposalDocumentFactory,
    ProposalFactory,
)

from .conftest import close_challenge

pytestmark = pytest.mark.django_db


def member_of(organisation):
    return MembershipFactory(organisation=organisation).user


# Starting


def test_start_proposal_creates_a_draft_in_the_challenge_currency():
    challenge = PublishedChallengeFactory(currency="NOK")
    supplier = SupplierFactory()
    user = member_of(supplier)

    proposal, created = start_proposal(challenge=challenge, organisation=supplier, by=user)

    assert created is True
    assert (proposal.status, proposal.currency, proposal.supplier, proposal.created_by) == (
        ProposalStatus.DRAFT,
        "NOK",
        supplier,
        user,
    )
    event = AuditEvent.objects.get(action="proposal.started")
    assert (event.actor, event.target_id, event.organisation) == (user, str(proposal.pk), supplier)


def test_start_proposal_returns_the_organisations_existing_proposal():
    existing = ProposalFactory()
    colleague = member_of(existing.supplier)

    proposal, created = start_proposal(
        challenge=existing.challenge, organisation=existing.supplier, by=colleague
    )

    assert (proposal, created) == (existing, False)
    assert Proposal.objects.count() == 1
    assert not AuditEvent.objects.filter(action="proposal.started").exists()


def test_start_proposal_refuses_an_organisation_that_is_not_a_supplier():
    buyer = BuyerFactory()

    with pytest.raises(ProposalError):
        start_proposal(challenge=PublishedChallengeFactory(), organisation=buyer, by=member_of(buyer))

    assert Proposal.objects.count() == 0


def test_start_proposal_refuses_someone_outside_the_organisation():
    with pytest.raises(PermissionDenied):
        start_proposal(
            challenge=PublishedChallengeFactory(), organisation=SupplierFactory(), by=UserFactory()
        )


def test_start_proposal_refuses_a_closed_challenge():
    challenge = PublishedChallengeFactory()
    close_challenge(challenge)
    supplier = SupplierFactory()

    with pytest.raises(ProposalError, match="no longer accepts"):
        start_proposal(challenge=challenge, organisation=supplier, by=member_of(supplier))


def test_start_proposal_refuses_an_accepted_partner_in_another_live_proposal():
    partnership = AcceptedPartnerFactory()
    partner = partnership.organisation

    with pytest.raises(ProposalError, match="already a partner"):
        start_proposal(challenge=partnership.proposal.challenge, organisation=partner, by=member_of(partner))

    assert Proposal.objects.count() == 1


def test_start_proposal_does_not_hand_back_an_own_draft_to_an_accepted_partner_elsewhere():
    partnership = AcceptedPartnerFactory()
    partner = partnership.organisation
    own = ProposalFactory(challenge=partnership.proposal.challenge, supplier=partner, title="", summary="")

    with pytest.raises(ProposalError, match="already a partner"):
        start_proposal(challenge=partnership.proposal.challenge, organisation=partner, by=member_of(partner))

    assert Proposal.objects.filter(supplier=partner).get() == own


@pytest.mark.parametrize(
    ("proposal_status", "partner_status"),
    [(ProposalStatus.WITHDRAWN, PartnerStatus.ACCEPTED), (ProposalStatus.DRAFT, PartnerStatus.DECLINED)],
)
def test_start_proposal_allows_a_partner_whose_other_bid_is_not_live(proposal_status, partner_status):
    partnership = AcceptedPartnerFactory(proposal__status=proposal_status, status=partner_status)
    partner = partnership.organisation

    proposal, created = start_proposal(
        challenge=partnership.proposal.challenge, organisation=partner, by=member_of(partner)
    )

    assert created is True
    assert proposal.supplier == partner


def test_start_proposal_may_partner_on_another_challenge():
    partnership = AcceptedPartnerFactory()
    partner = partnership.organisation

    _proposal, created = start_proposal(
        challenge=PublishedChallengeFactory(), organisation=partner, by=member_of(partner)
    )

    assert created is True


# Saving


def loaded(proposal):
    """What an editor page holds when it loads: its revision and the digests of its values."""
    fresh = proposal_for_editor(user=member_of(proposal.supplier), pk=proposal.pk)
    return fresh.revision, value_digests(editor_values(fresh))


def test_save_proposal_writes_the_fields_answers_and_price_lines_and_counts_the_revision():
    proposal = ProposalFactory(summary="", price=None)
    challenge = proposal.challenge
    outcome, criterion = challenge.outcomes.first(), challenge.criteria.first()
    revision, base = loaded(proposal)

    result = save_proposal(
        proposal=proposal,
        by=member_of(proposal.supplier),
        values={
            "summary": "Neighbours visit neighbours.",
            "price": Decimal("90000"),
            outcome_field(outcome.pk): "Weekly visits.",
            criterion_field(criterion.pk): "Piloted twice.",
            PRICE_LINES: [("Pilot", Decimal("60000")), ("Evaluation", Decimal("30000"))],
        },
        base_revision=revision,
        base=base,
    )

    proposal.refresh_from_db()
    assert (proposal.summary, proposal.price, proposal.revision) == ("Neighbours visit neighbours.", 90000, 1)
    assert result.revision == 1
    assert sorted(result.changed) == sorted(
        ["summary", "price", outcome_field(outcome.pk), criterion_field(criterion.pk), PRICE_LINES]
    )
    assert OutcomeAnswer.objects.get(proposal=proposal, outcome=outcome).answer == "Weekly visits."
    assert CriterionAnswer.objects.get(proposal=proposal, criterion=criterion).answer == "Piloted twice."
    assert [(line.description, line.amount) for line in proposal.price_lines.all()] == [
        ("Pilot", Decimal("60000")),
        ("Evaluation", Decimal("30000")),
    ]


def test_save_proposal_with_nothing_changed_keeps_the_revision():
    proposal = ProposalFactory()
    revision, base = loaded(proposal)

    result = save_proposal(
        proposal=proposal,
        by=member_of(proposal.supplier),
        values={"summary": proposal.summary, "price": Decimal("120000")},
        base_revision=revision,
        base=base,
    )

    assert (result.changed, result.revision) == ([], 0)


def test_save_proposal_from_a_stale_page_keeps_a_colleagues_newer_text_in_fields_it_left_alone():
    proposal = ProposalFactory(summary="Old summary", approach="Old approach")
    alice, bob = member_of(proposal.supplier), member_of(proposal.supplier)
    revision, base = loaded(proposal)  # both open the page
    save_proposal(
        proposal=proposal, by=alice, values={"summary": "Alice's summary"}, base_revision=revision, base=base
    )

    # Bob's page still shows the old summary; he changed only the approach.
    result = save_proposal(
        proposal=proposal,
        by=bob,
        values={"summary": "Old summary", "approach": "Bob's approach"},
        base_revision=revision,
        base=base,
    )

    proposal.refresh_from_db()
    assert (proposal.summary, proposal.approach, proposal.revision) == (
        "Alice's summary",
        "Bob's approach",
        2,
    )
    assert result.changed == ["approach"]
    assert result.merged == {"summary": "Alice's summary"}
    assert result.conflicts == {}


def test_save_proposal_from_a_stale_page_refuses_to_overwrite_a_field_both_changed():
    proposal = ProposalFactory(summary="Old summary", team="Old team")
    alice, bob = member_of(proposal.supplier), member_of(proposal.supplier)
    revision, base = loaded(proposal)
    save_proposal(
        proposal=proposal, by=alice, values={"summary": "Alice's"}, base_revision=revision, base=base
    )

    result = save_proposal(
        proposal=proposal,
        by=bob,
        values={"summary": "Bob's", "team": "Bob's team"},
        base_revision=revision,
        base=base,
    )

    proposal.refresh_from_db()
    assert proposal.summary == "Alice's"  # not silently overwritten
    assert proposal.team == "Bob's team"  # Bob's other change is saved
    assert result.conflicts == {"summary": "Alice's"}
    assert result.changed == ["team"]


def test_save_proposal_after_a_conflict_writes_once_the_person_has_seen_both():
    proposal = ProposalFactory(summary="Old")
    alice, bob = member_of(proposal.supplier), member_of(proposal.supplier)
    revision, base = loaded(proposal)
    save_proposal(
        proposal=proposal, by=alice, values={"summary": "Alice's"}, base_revision=revision, base=base
    )
    first = save_proposal(
        proposal=proposal, by=bob, values={"summary": "Bob's"}, base_revision=revision, base=base
    )

    # The page shows both; its new loading point is what is stored now.
    save_proposal(
        proposal=proposal,
        by=bob,
        values={"summary": "Alice's and Bob's"},
        base_revision=first.revision,
        base=value_digests(first.values),
    )

    proposal.refresh_from_db()
    assert proposal.summary == "Alice's and Bob's"


def test_save_proposal_without_a_base_refuses_every_changed_field_when_stale():
    proposal = ProposalFactory(summary="Old", approach="Old")
    user = member_of(proposal.supplier)
    save_proposal(proposal=proposal, by=user, values={"summary": "Newer"}, base_revision=0, base={})

    result = save_proposal(proposal=proposal, by=user, values={"approach": "Mine"}, base_revision=0, base={})

    proposal.refresh_from_db()
    assert proposal.approach == "Old"
    assert result.conflicts == {"approach": "Old"}


def test_save_proposal_merges_price_lines_as_one_field():
    proposal = ProposalFactory()
    alice, bob = member_of(proposal.supplier), member_of(proposal.supplier)
    revision, base = loaded(proposal)
    save_proposal(
        proposal=proposal,
        by=alice,
        values={PRICE_LINES: [("Pilot", Decimal("120000"))]},
        base_revision=revision,
        base=base,
    )

    result = save_proposal(
        proposal=proposal,
        by=bob,
        values={PRICE_LINES: [], "title": "Bob's"},
        base_revision=revision,
        base=base,
    )

    assert [line.description for line in proposal.price_lines.all()] == ["Pilot"]
    assert result.merged == {PRICE_LINES: [("Pilot", Decimal("120000.00"))]}


def test_save_proposal_by_an_accepted_partner():
    partnership = AcceptedPartnerFactory()
    proposal = partnership.proposal

    save_proposal(
        proposal=proposal,
        by=member_of(partnership.organisation),
        values={"team": "Both companies"},
        base_revision=0,
    )

    proposal.refresh_from_db()
    assert proposal.team == "Both companies"


@pytest.mark.parametrize("partner_status", [PartnerStatus.INVITED, PartnerStatus.DECLINED])
def test_save_proposal_refuses_a_partner_that_has_not_accepted(partner_status):
    partnership = AcceptedPartnerFactory(status=partner_status)

    with pytest.raises(PermissionDenied):
        save_proposal(
            proposal=partnership.proposal,
            by=member_of(partnership.organisation),
            values={"team": "x"},
            base_revision=0,
        )


def test_save_proposal_refuses_other_suppliers():
    proposal = ProposalFactory()

    with pytest.raises(PermissionDenied):
        save_proposal(
            proposal=proposal, by=member_of(SupplierFactory()), values={"team": "x"}, base_revision=0
        )


def test_save_proposal_refuses_a_submitted_proposal():
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED, submitted_at="2026-01-01T00:00:00Z")

    with pytest.raises(ProposalNotEditable, match="Withdraw"):
        save_proposal(
            proposal=proposal, by=member_of(proposal.supplier), values={"team": "x"}, base_revision=0
        )


def test_save_proposal_refuses_after_the_deadline_and_saves_a_withdrawn_one_before():
    proposal = ProposalFactory(status=ProposalStatus.WITHDRAWN)
    user = member_of(proposal.supplier)
    save_proposal(proposal=proposal, by=user, values={"team": "Before"}, base_revision=0)
    close_challenge(proposal.challenge)

    with pytest.raises(ProposalNotEditable, match="deadline"):
        save_proposal(proposal=proposal, by=user, values={"team": "After"}, base_revision=1)

    proposal.refresh_from_db()
    assert proposal.team == "Before"


def test_save_proposal_ignores_answers_to_another_challenges_outcomes():
    proposal = ProposalFactory()
    foreign = PublishedChallengeFactory().outcomes.first()

    result = save_proposal(
        proposal=proposal,
        by=member_of(proposal.supplier),
        values={outcome_field(foreign.pk): "Sneaky"},
        base_revision=0,
    )

    assert result.changed == []
    assert not OutcomeAnswer.objects.exists()


# Documents


def upload(content=PDF_BYTES, name="annex.pdf"):
    return ContentFile(content, name=name)


def test_add_proposal_document_stores_the_checked_file_and_audits():
    proposal = ProposalFactory()
    user = member_of(proposal.supplier)

    document = add_proposal_document(proposal=proposal, by=user, title="Annex", file=upload())

    assert (document.content_type, document.size, document.original_name) == (
        "application/pdf",
        len(PDF_BYTES),
        "annex.pdf",
    )
    assert default_storage.open(document.file.name).read() == PDF_BYTES
    event = AuditEvent.objects.get(action="proposal.document_added")
    assert (event.actor, event.target_id, event.data["sha256"]) == (user, str(proposal.pk), document.sha256)


def test_add_proposal_document_refuses_a_disguised_file():
    proposal = ProposalFactory()

    with pytest.raises(ValidationError):
        add_proposal_document(
            proposal=proposal,
            by=member_of(proposal.supplier),
            title="x",
            file=upload(b"MZ\x90\x00\x03", "a.pdf"),
        )

    assert not ProposalDocument.objects.exists()


def test_add_proposal_document_refuses_more_than_the_limit(monkeypatch):
    monkeypatch.setattr(services, "MAX_DOCUMENTS", 2)
    proposal = ProposalFactory()
    ProposalDocumentFactory.create_batch(2, proposal=proposal)

    with pytest.raises(ValidationError, match="at most 2 documents"):
        add_proposal_document(proposal=proposal, by=member_of(proposal.supplier), title="x", file=upload())

    assert proposal.documents.count() == 2


def stored_files(proposal) -> list[str]:
    try:
        return default_storage.listdir(f"proposals/{proposal.pk}")[1]
    except FileNotFoundError:
        return []


def test_add_proposal_document_after_the_deadline_leaves_no_file():
    proposal = ProposalFactory()
    close_challenge(proposal.challenge)

    with pytest.raises(ProposalNotEditable):
        add_proposal_document(proposal=proposal, by=member_of(proposal.supplier), title="x", file=upload())

    assert stored_files(proposal) == []
    assert not ProposalDocument.objects.exists()


def test_remove_proposal_document_deletes_row_and_file_and_audits(django_capture_on_commit_callbacks):
    document = ProposalDocumentFactory()
    name = document.file.name

    with django_capture_on_commit_callbacks(execute=True):
        remove_proposal_document(document=document, by=member_of(document.proposal.supplier))

    assert not ProposalDocument.objects.exists()
    assert not default_storage.exists(name)
    assert AuditEvent.objects.get(action="proposal.document_removed").data["document"] == document.pk


def test_remove_proposal_document_refuses_after_the_deadline():
    document = ProposalDocumentFactory()
    close_challenge(document.proposal.challenge)

    with pytest.raises(ProposalNotEditable):
        remove_proposal_document(document=document, by=member_of(document.proposal.supplier))

    assert ProposalDocument.objects.count() == 1


# The challenge's outcomes and criteria keep the answers to them


@pytest.mark.parametrize("factory", [OutcomeAnswerFactory, CriterionAnswerFactory])
def test_an_outcome_or_criterion_with_answers_cannot_be_deleted(factory):
    answer = factory()
    target = answer.outcome if factory is OutcomeAnswerFactory else answer.criterion

    with pytest.raises(ProtectedError):
        target.delete()

    assert type(answer).objects.filter(pk=answer.pk).exists()
