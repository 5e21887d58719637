"""A submission's receipt: a SHA-256 digest over what was submitted, in one canonical form, so that the
portal (or anyone holding the same data) can recompute it later and tell whether a stored byte changed.

The canonical form is UTF-8 JSON with sorted keys and no insignificant whitespace (`,` and `:` as
separators, non-ASCII characters kept as they are), of this object:

    format         "suppliers.receipt/1"
    challenge      the challenge's id
    lead           {"id", "name", "role", "share"}: the lead organisation (its name at submission time:
                   a renamed organisation shows as a change), its role and share of the work
    partners       accepted partners as {"organisation", "role", "share"}, sorted by organisation id
    title, summary, approach, team, timeline   the texts, byte for byte as stored
    price          the total as a string with two decimals ("120000.00"), or null
    currency       ISO 4217 code
    price_lines    [{"position", "description", "amount"}] in position order (then id)
    outcome_answers    [{"outcome", "answer"}] by the outcome's position, then id
    criterion_answers  [{"criterion", "answer"}] by the criterion's position, then id
    documents      [{"id", "title", "original_name", "size", "sha256"}] by id; size and sha256 are of the
                   bytes read back from storage now, not the values recorded at upload
    submitted_at   the submission time in UTC, ISO 8601 with microseconds ("2026-03-01T11:59:59.123456+00:00")

Decimals are strings so that no float rounding can enter; shares have two decimals like prices.

At submission the receipt also keeps its manifest (`seal`): the title, the lead, the accepted partners
(with their names then) and the documents, exactly as the digest covered them. Receipt pages and files
are rendered from it, so an old receipt keeps listing what was sent then, whatever has changed since.
"""

import enum
import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from portal.accounts.models import Organisation

from .enums import PartnerStatus, ProposalStatus
from .models import ConsortiumPartner, Proposal, ProposalDocument, Receipt

FORMAT = "suppliers.receipt/1"
CENT = Decimal("0.01")
_CHUNK = 64 * 1024


class ReceiptCheck(enum.StrEnum):
    VALID = "valid"  # the current receipt, and what is stored now still gives its digest
    CHANGED = "changed"  # the current receipt, but the stored content no longer gives its digest
    SUPERSEDED = "superseded"  # withdrawn or resubmitted since: this receipt records an earlier submission


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value).quantize(CENT), "f")


def _stored_bytes(document: ProposalDocument) -> tuple[int, str]:
    """Size and SHA-256 of the file as it is in storage now. A file gone missing gives size -1 and no hash
    (and so a different digest) rather than an error."""
    digest, size = hashlib.sha256(), 0
    try:
        with document.file.storage.open(document.file.name, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except (FileNotFoundError, OSError, ValueError):
        return -1, ""
    return size, digest.hexdigest()


def canonical_content(proposal: Proposal, submitted_at: datetime) -> dict[str, Any]:
    """The object the digest is taken over (see the module's docstring). Reads the proposal's rows fresh
    from the database and its documents from storage."""
    partners = (
        ConsortiumPartner.objects.filter(proposal=proposal, status=PartnerStatus.ACCEPTED)
        .exclude(organisation__isnull=True)
        .order_by("organisation_id", "pk")
    )
    documents = []
    for document in ProposalDocument.objects.filter(proposal=proposal).order_by("pk"):
        size, sha256 = _stored_bytes(document)
        documents.append(
            {
                "id": document.pk,
                "title": document.title,
                "original_name": document.original_name,
                "size": size,
                "sha256": sha256,
            }
        )
    return {
        "format": FORMAT,
        "challenge": proposal.challenge_id,
        "lead": {
            "id": proposal.supplier_id,
            "name": proposal.supplier.name,
            "role": proposal.lead_role,
            "share": _amount(proposal.lead_share),
        },
        "partners": [
            {
                "organisation": partner.organisation_id,
                "role": partner.role,
                "share": _amount(partner.work_share),
            }
            for partner in partners
        ],
        "title": proposal.title,
        "summary": proposal.summary,
        "approach": proposal.approach,
        "team": proposal.team,
        "timeline": proposal.timeline,
        "price": _amount(proposal.price),
        "currency": proposal.currency,
        "price_lines": [
            {"position": line.position, "description": line.description, "amount": _amount(line.amount)}
            for line in proposal.price_lines.order_by("position", "pk")
        ],
        "outcome_answers": [
            {"outcome": answer.outcome_id, "answer": answer.answer}
            for answer in proposal.outcome_answers.order_by("outcome__position", "outcome_id")
        ],
        "criterion_answers": [
            {"criterion": answer.criterion_id, "answer": answer.answer}
            for answer in proposal.criterion_answers.order_by("criterion__position", "criterion_id")
        ],
        "documents": documents,
        "submitted_at": submitted_at.astimezone(UTC).isoformat(timespec="microseconds"),
    }


def _encode(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def canonical_bytes(proposal: Proposal, submitted_at: datetime) -> bytes:
    """The canonical form of what was submitted, as bytes: the input of the digest."""
    return _encode(canonical_content(proposal, submitted_at))


def digest(proposal: Proposal, submitted_at: datetime) -> str:
    """The SHA-256 of the canonical form, as 64 hex digits."""
    return hashlib.sha256(canonical_bytes(proposal, submitted_at)).hexdigest()


def seal(proposal: Proposal, submitted_at: datetime) -> tuple[str, dict[str, Any]]:
    """The digest of a submission and its manifest, from one reading of the rows and the stored bytes: the
    title, the lead, the accepted partners (with their names at submission) and the documents, as the
    digest covers them. The manifest is what the receipt shows for ever; it is not part of the digest."""
    content = canonical_content(proposal, submitted_at)
    names = dict(
        Organisation.objects.filter(
            pk__in=[partner["organisation"] for partner in content["partners"]]
        ).values_list("pk", "name")
    )
    manifest = {
        "format": FORMAT,
        "title": content["title"],
        "lead": content["lead"],
        "partners": [
            {**partner, "name": names.get(partner["organisation"], "")} for partner in content["partners"]
        ],
        "documents": content["documents"],
    }
    return hashlib.sha256(_encode(content)).hexdigest(), manifest


def check_receipt(receipt: Receipt) -> ReceiptCheck:
    """Recompute the receipt's digest from what is stored now. Only the current receipt of a submitted
    proposal can be valid: an older one records a submission that was withdrawn or replaced."""
    proposal = Proposal.objects.select_related("supplier").get(pk=receipt.proposal_id)
    if receipt.superseded_at is not None or proposal.status != ProposalStatus.SUBMITTED:
        return ReceiptCheck.SUPERSEDED
    if digest(proposal, receipt.submitted_at) != receipt.digest:
        return ReceiptCheck.CHANGED
    return ReceiptCheck.VALID


def verify_receipt(receipt: Receipt) -> bool:
    """Whether the receipt is the current one and the stored content still gives its digest."""
    return check_receipt(receipt) == ReceiptCheck.VALID
