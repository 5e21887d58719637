"""Receipts: the canonical form, the digest, and that changing any stored byte makes verification fail."""

import hashlib
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from portal.accounts.models import Organisation
from suppliers.models import (
    ConsortiumPartner,
    CriterionAnswer,
    OutcomeAnswer,
    PriceLine,
    Proposal,
    ProposalDocument,
)
from suppliers.receipts import ReceiptCheck, canonical_bytes, check_receipt, digest, verify_receipt
from suppliers.services.submission import submit_proposal
from tests.factories.suppliers import PDF_BYTES, PriceLineFactory, ProposalDocumentFactory

from .test_submission_services import make_complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(actors):
    proposal = actors["proposal"]
    Proposal.objects.filter(pk=proposal.pk).update(price=Decimal("120000.00"))
    PriceLineFactory(proposal=proposal, position=0, description="Co-design", amount=Decimal("40000.00"))
    PriceLineFactory(proposal=proposal, position=1, description="Pilot", amount=Decimal("80000.00"))
    ProposalDocumentFactory(proposal=proposal, title="Technical annex")
    ProposalDocumentFactory(proposal=proposal, title="Budget", original_name="budget.pdf")
    proposal = make_complete(Proposal.objects.get(pk=proposal.pk))
    receipt = submit_proposal(proposal=proposal, by=actors["lead"])
    return {**actors, "proposal": proposal, "receipt": receipt}


def test_canonical_bytes_are_sorted_compact_utf8_json(submitted):
    proposal, receipt = submitted["proposal"], submitted["receipt"]

    data = canonical_bytes(proposal, receipt.submitted_at)

    content = json.loads(data.decode("utf-8"))
    assert data == json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert content["format"] == "suppliers.receipt/1"
    assert content["challenge"] == proposal.challenge_id
    assert content["lead"]["id"] == proposal.supplier_id
    assert content["price"] == "120000.00"
    assert [line["description"] for line in content["price_lines"]] == ["Co-design", "Pilot"]
    assert [line["amount"] for line in content["price_lines"]] == ["40000.00", "80000.00"]
    assert content["partners"] == [
        {
            "organisation": submitted["partnership"].organisation_id,
            "role": "Hardware and installation",
            "share": "30.00",
        }
    ]
    assert [document["title"] for document in content["documents"]] == ["Technical annex", "Budget"]
    assert content["documents"][0]["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert content["documents"][0]["size"] == len(PDF_BYTES)
    assert content["submitted_at"] == receipt.submitted_at.astimezone(UTC).isoformat(timespec="microseconds")
    assert content["submitted_at"].endswith("+00:00")


def test_canonical_bytes_keep_non_ascii_text_as_utf8(submitted):
    Proposal.objects.filter(pk=submitted["proposal"].pk).update(summary="Ærlig talt – «bra»")
    proposal = Proposal.objects.get(pk=submitted["proposal"].pk)

    assert "Ærlig talt – «bra»".encode() in canonical_bytes(proposal, submitted["receipt"].submitted_at)


def test_digest_is_the_sha256_of_the_canonical_bytes_and_stable(submitted):
    proposal, receipt = submitted["proposal"], submitted["receipt"]

    assert receipt.digest == hashlib.sha256(canonical_bytes(proposal, receipt.submitted_at)).hexdigest()
    assert digest(Proposal.objects.get(pk=proposal.pk), receipt.submitted_at) == receipt.digest
    assert check_receipt(receipt) == ReceiptCheck.VALID


def test_outcome_answers_follow_the_outcomes_position_not_their_creation(submitted):
    proposal = submitted["proposal"]
    outcomes = list(proposal.challenge.outcomes.order_by("position", "pk"))
    content = json.loads(canonical_bytes(proposal, submitted["receipt"].submitted_at))

    assert [answer["outcome"] for answer in content["outcome_answers"]] == [
        outcome.pk for outcome in outcomes
    ]


def _rewrite_document_byte(proposal):
    document = ProposalDocument.objects.filter(proposal=proposal).order_by("pk").first()
    storage, name = document.file.storage, document.file.name
    with storage.open(name, "rb") as handle:
        data = bytearray(handle.read())
    data[10] ^= 0x01
    storage.delete(name)
    assert storage.save(name, ContentFile(bytes(data))) == name


# Every stored byte the receipt covers: one change each, then the digest differs and verification fails.
MUTATIONS = {
    "title": lambda p: Proposal.objects.filter(pk=p.pk).update(title=p.title + "."),
    "summary": lambda p: Proposal.objects.filter(pk=p.pk).update(summary=p.summary + " "),
    "approach": lambda p: Proposal.objects.filter(pk=p.pk).update(approach=p.approach.replace("C", "c", 1)),
    "team": lambda p: Proposal.objects.filter(pk=p.pk).update(team=p.team + "\n"),
    "timeline": lambda p: Proposal.objects.filter(pk=p.pk).update(timeline="x" + p.timeline),
    "price": lambda p: Proposal.objects.filter(pk=p.pk).update(price=Decimal("120000.01")),
    "currency": lambda p: Proposal.objects.filter(pk=p.pk).update(currency="NOK"),
    "lead_role": lambda p: Proposal.objects.filter(pk=p.pk).update(lead_role="Lead."),
    "lead_share": lambda p: Proposal.objects.filter(pk=p.pk).update(lead_share=Decimal("69.99")),
    "lead_name": lambda p: Organisation.objects.filter(pk=p.supplier_id).update(name="Renamed AS"),
    "price_line_amount": lambda p: PriceLine.objects.filter(proposal=p, position=0).update(
        amount=Decimal("40000.10")
    ),
    "price_line_text": lambda p: PriceLine.objects.filter(proposal=p, position=1).update(
        description="Pilots"
    ),
    "price_line_order": lambda p: PriceLine.objects.filter(proposal=p, position=0).update(position=5),
    "price_line_added": lambda p: PriceLineFactory(proposal=p, position=9, amount=Decimal("0")),
    "outcome_answer": lambda p: OutcomeAnswer.objects.filter(proposal=p).update(answer="Changed."),
    "criterion_answer": lambda p: CriterionAnswer.objects.filter(
        pk=CriterionAnswer.objects.filter(proposal=p).order_by("pk").values("pk")[:1]
    ).update(answer="Changed."),
    "partner_role": lambda p: ConsortiumPartner.objects.filter(proposal=p).update(role="Other role"),
    "partner_share": lambda p: ConsortiumPartner.objects.filter(proposal=p).update(work_share=Decimal("31")),
    "partner_left": lambda p: ConsortiumPartner.objects.filter(proposal=p).update(status="declined"),
    "document_title": lambda p: ProposalDocument.objects.filter(proposal=p).update(title="Annex"),
    "document_name": lambda p: ProposalDocument.objects.filter(proposal=p).update(original_name="a.pdf"),
    "document_added": lambda p: ProposalDocumentFactory(proposal=p),
    "document_removed": lambda p: ProposalDocument.objects.filter(proposal=p).order_by("-pk")[0].delete(),
    "document_byte": _rewrite_document_byte,
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_changing_any_stored_byte_changes_the_digest_and_fails_verification(submitted, mutation):
    proposal, receipt = submitted["proposal"], submitted["receipt"]
    assert verify_receipt(receipt) is True

    MUTATIONS[mutation](proposal)

    assert digest(Proposal.objects.get(pk=proposal.pk), receipt.submitted_at) != receipt.digest
    assert check_receipt(receipt) == ReceiptCheck.CHANGED
    assert verify_receipt(receipt) is False


def test_the_submission_time_is_part_of_the_digest(submitted):
    proposal, receipt = submitted["proposal"], submitted["receipt"]

    assert digest(proposal, receipt.submitted_at + timedelta(microseconds=1)) != receipt.digest


def test_document_hashes_come_from_the_stored_bytes_not_the_recorded_column(submitted):
    proposal, receipt = submitted["proposal"], submitted["receipt"]
    ProposalDocument.objects.filter(proposal=proposal).update(sha256="0" * 64, size=1)

    assert verify_receipt(receipt) is True


def test_a_document_missing_from_storage_fails_verification(submitted):
    document = ProposalDocument.objects.filter(proposal=submitted["proposal"]).first()
    document.file.storage.delete(document.file.name)

    assert check_receipt(submitted["receipt"]) == ReceiptCheck.CHANGED


def test_a_known_canonical_form_gives_a_known_digest(db):
    """The format is fixed: the same content gives the same bytes on any machine and any database."""
    from tests.factories.accounts import SupplierFactory
    from tests.factories.challenges import PublishedChallengeFactory

    challenge = PublishedChallengeFactory(with_outcome_and_criteria=False)
    proposal = Proposal.objects.create(
        challenge=challenge,
        supplier=SupplierFactory(name="Omsorg AS"),
        title="T",
        summary="S",
        approach="A",
        team="Te",
        timeline="Ti",
        price=Decimal("10"),
        currency="EUR",
    )
    when = datetime(2026, 3, 1, 11, 59, 59, 123456, tzinfo=UTC)

    expected = (
        (
            '{"approach":"A","challenge":CHALLENGE,"criterion_answers":[],"currency":"EUR","documents":[],'
            '"format":"suppliers.receipt/1","lead":{"id":LEAD,"name":"Omsorg AS","role":"","share":null},'
            '"outcome_answers":[],"partners":[],"price":"10.00","price_lines":[],'
            '"submitted_at":"2026-03-01T11:59:59.123456+00:00","summary":"S","team":"Te","timeline":"Ti","title":"T"}'
        )
        .replace("CHALLENGE", str(challenge.pk))
        .replace("LEAD", str(proposal.supplier_id))
    )
    assert canonical_bytes(proposal, when) == expected.encode()
    assert digest(proposal, when) == hashlib.sha256(expected.encode()).hexdigest()
