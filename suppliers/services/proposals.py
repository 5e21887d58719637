"""Writes of the proposal editor: start a proposal, save a draft (merging co-editors' saves field by
field), add and remove documents. Every write locks the proposal row, checks that the person is a bidder
and that the proposal is still editable, with the deadline read from the database clock. Drafts are
private to their bidders: nothing here notifies anyone. Audit: proposal.started,
proposal.document_added, proposal.document_removed (saves of the text are not audited: autosave would
flood the log)."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models.functions import Now
from django.utils.translation import gettext as _

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from challenges.uploads import removed_if_not_saved, stored_document
from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation, User
from portal.audit.services import record_audit

from ..enums import ProposalStatus
from ..models import CriterionAnswer, OutcomeAnswer, PriceLine, Proposal, ProposalDocument
from ..selectors.proposals import (
    PRICE_LINES,
    PROPOSAL_FIELDS,
    editor_values,
    live_partnership_elsewhere,
    value_digest,
    value_text,
)

MAX_DOCUMENTS = 20
EDITABLE_STATUSES = (ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN)


class ProposalError(Exception):
    """A proposal cannot be started (the organisation may not, or already bids otherwise)."""


class ProposalNotEditable(Exception):
    """The proposal was submitted, or its challenge closed, while the person was typing."""


@dataclass
class SaveResult:
    revision: int
    # Fields this save wrote.
    changed: list[str] = field(default_factory=list)
    # Fields a co-editor saved meanwhile that this editor had left alone: their newer value stays.
    merged: dict[str, Any] = field(default_factory=dict)
    # Fields both changed, differently: the co-editor's value stays; this editor's text was not saved.
    conflicts: dict[str, Any] = field(default_factory=dict)
    # Every value as it now stands.
    values: dict[str, Any] = field(default_factory=dict)


def _challenge_open(challenge_id: int) -> bool:
    # The database clock decides, not the web server's.
    return Challenge.objects.filter(
        pk=challenge_id, status=ChallengeStatus.PUBLISHED, submission_deadline__gt=Now()
    ).exists()


def _locked_editable(*, proposal: Proposal, by: User) -> Proposal:
    """The proposal's row, locked for this transaction, if `by` may edit it now."""
    locked = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("challenge", "supplier")
        .get(pk=proposal.pk)
    )
    if not locked.bidder_organisation_ids & by.organisation_ids:
        raise PermissionDenied
    if locked.status not in EDITABLE_STATUSES:
        raise ProposalNotEditable(
            _("This proposal has been submitted. Withdraw it first if you need to change it.")
        )
    if not _challenge_open(locked.challenge_id):
        raise ProposalNotEditable(
            _("The deadline for proposals has passed: the proposal can no longer change.")
        )
    return locked


# Starting


def start_proposal(
    *, challenge: Challenge, organisation: Organisation | None, by: User
) -> tuple[Proposal, bool]:
    """The organisation's proposal to the challenge: the existing one if it has started one already
    (one per lead organisation and challenge), else a new draft in the challenge's currency. Returns the
    proposal and whether it is new. Refused unless the organisation is a supplier `by` belongs to, the
    challenge is open, and the organisation is not an accepted partner in another live proposal to the
    same challenge (one live bid per supplier or consortium); that last refusal holds for an existing draft
    of its own too (only a submitted one is handed back)."""
    if organisation is None or organisation.kind != OrganisationKind.SUPPLIER:
        raise ProposalError(
            _("Proposals are made on behalf of a supplier organisation. Act for your company to start one.")
        )
    if organisation.pk not in by.organisation_ids:
        raise PermissionDenied
    existing = Proposal.objects.filter(challenge=challenge, supplier=organisation).first()
    if existing is not None and existing.status == ProposalStatus.SUBMITTED:
        return existing, False
    # Checked before handing back an existing draft too: an organisation that joined a consortium while its
    # own draft was empty must not be led back into writing a second bid.
    elsewhere = live_partnership_elsewhere(challenge=challenge, organisation_id=organisation.pk)
    if elsewhere is not None:
        raise ProposalError(
            _(
                "%(organisation)s is already a partner in %(lead)s's proposal to this challenge. A supplier "
                "bids once per challenge: alone or in one consortium."
            )
            % {"organisation": organisation.name, "lead": elsewhere.supplier.name}
        )
    if existing is not None:
        return existing, False
    if not _challenge_open(challenge.pk):
        raise ProposalError(_("This challenge no longer accepts proposals."))
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                challenge=challenge,
                supplier=organisation,
                created_by=by,
                currency=challenge.currency,
                status=ProposalStatus.DRAFT,
            )
            record_audit(
                actor=by,
                action="proposal.started",
                target=proposal,
                organisation=organisation,
                data={"challenge": challenge.pk},
            )
    except IntegrityError:
        # A colleague started it in the same moment (proposal_one_per_supplier): go to theirs.
        return Proposal.objects.get(challenge=challenge, supplier=organisation), False
    return proposal, True


# Saving a draft


def _fresh(locked: Proposal) -> Proposal:
    return (
        Proposal.objects.select_related("challenge")
        .prefetch_related(
            "challenge__outcomes",
            "challenge__criteria",
            "outcome_answers",
            "criterion_answers",
            "price_lines",
        )
        .get(pk=locked.pk)
    )


def _write(proposal: Proposal, name: str, value: Any) -> None:
    if name in PROPOSAL_FIELDS:
        setattr(proposal, name, value if name in ("price", "lead_share") else (value or ""))
    elif name == PRICE_LINES:
        PriceLine.objects.filter(proposal=proposal).delete()
        PriceLine.objects.bulk_create(
            PriceLine(proposal=proposal, position=position, description=description, amount=amount)
            for position, (description, amount) in enumerate(value)
        )
    else:
        kind, _dash, pk = name.partition("-")
        model, key = (OutcomeAnswer, "outcome_id") if kind == "outcome" else (CriterionAnswer, "criterion_id")
        model.objects.update_or_create(proposal=proposal, **{key: int(pk)}, defaults={"answer": value or ""})


def save_proposal(
    *,
    proposal: Proposal,
    by: User,
    values: dict[str, Any],
    base_revision: int,
    base: dict[str, str] | None = None,
) -> SaveResult:
    """Save a draft's fields (any of the editor's field names; price lines as [(description, amount)]).
    Never requires completeness. `base` holds the digests of the values the editor loaded
    (selectors.proposals.value_digests), `base_revision` the revision it loaded: each field is merged on
    its own. A field this editor left alone keeps the stored value (a co-editor's newer text); one only
    this editor changed is written; one both changed, differently, keeps the co-editor's value and is
    reported in `conflicts`, so that the editor can show both and let the person decide. A field without
    a base digest is written only if nobody saved since `base_revision`."""
    base = base or {}
    with transaction.atomic():
        locked = _locked_editable(proposal=proposal, by=by)
        current = editor_values(_fresh(locked))
        stale = base_revision != locked.revision
        result = SaveResult(revision=locked.revision)
        for name, mine in values.items():
            if name not in current:
                continue  # not a field of this proposal (an outcome of another challenge)
            theirs = current[name]
            if value_text(mine) == value_text(theirs):
                continue
            loaded = base.get(name)
            if loaded is None:
                # No record of what the page showed: trust it only if nobody saved since it was loaded.
                writes = not stale
            elif value_digest(mine) == loaded:
                result.merged[name] = theirs  # this editor left it alone; a co-editor's newer value stays
                continue
            else:
                writes = value_digest(theirs) == loaded
            if not writes:
                result.conflicts[name] = theirs
            else:
                _write(locked, name, mine)
                current[name] = mine
                result.changed.append(name)
        if result.changed:
            locked.revision += 1
            own_fields = [name for name in result.changed if name in PROPOSAL_FIELDS]
            locked.save(update_fields=[*own_fields, "revision", "updated_at"])
        result.revision = locked.revision
        result.values = current
    return result


# Documents


def add_proposal_document(*, proposal: Proposal, by: User, title: str, file: File) -> ProposalDocument:
    """Attach a document, checked by its content (ValidationError if too large, of a kind we do not accept
    or disguised as another; or if the proposal already has MAX_DOCUMENTS), stored under a generated name
    with its SHA-256."""
    if ProposalDocument.objects.filter(proposal=proposal).count() >= MAX_DOCUMENTS:
        raise _too_many()
    document = stored_document(
        ProposalDocument, file=file, proposal_id=proposal.pk, title=title, uploaded_by=by
    )
    with removed_if_not_saved(document), transaction.atomic():
        locked = _locked_editable(proposal=proposal, by=by)
        if ProposalDocument.objects.filter(proposal=locked).count() >= MAX_DOCUMENTS:
            raise _too_many()
        document.save()
        locked.save(update_fields=["updated_at"])
        record_audit(
            actor=by,
            action="proposal.document_added",
            target=locked,
            organisation=locked.supplier,
            data={"document": document.pk, "sha256": document.sha256, "size": document.size},
        )
    return document


def _too_many() -> ValidationError:
    return ValidationError(
        _("A proposal can have at most %(limit)s documents. Remove one before adding another.")
        % {"limit": MAX_DOCUMENTS},
        code="too_many",
    )


def remove_proposal_document(*, document: ProposalDocument, by: User) -> None:
    """Remove a document; its stored file is deleted once the transaction has committed."""
    with transaction.atomic():
        locked = _locked_editable(proposal=document.proposal, by=by)
        deleted, _rows = ProposalDocument.objects.filter(pk=document.pk, proposal=locked).delete()
        if not deleted:
            return
        locked.save(update_fields=["updated_at"])
        record_audit(
            actor=by,
            action="proposal.document_removed",
            target=locked,
            organisation=locked.supplier,
            data={"document": document.pk, "sha256": document.sha256},
        )
        storage, name = document.file.storage, document.file.name
        transaction.on_commit(lambda: storage.delete(name))
