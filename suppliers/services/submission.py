"""Writes of submission: submitting a proposal (with its receipt), withdrawing it, and the reminders about
unsubmitted proposals before the deadline.

The deadline holds to the second, whatever the browser did: each write locks the proposal's row and then,
in a statement of its own, reads the challenge and the database's clock together
(Django's Now() is STATEMENT_TIMESTAMP() on PostgreSQL: the time of that statement, after the lock was
granted; PostgreSQL's now() would be the start of the transaction, possibly before a wait for the lock).
Two requests at once are decided one after the other, each by the clock at the moment it holds the lock.

A submission also locks its challenge's row (after the proposal's, the order every write here takes them
in), so that the submissions to one challenge are decided one at a time: one supplier, one bid, even when
two consortia it belongs to submit in the same moment.
"""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Now
from django.utils.translation import gettext as _

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from portal.accounts.models import Organisation, User
from portal.audit.services import record_audit
from portal.notifications.services import claim_reminders, notify

from .. import kinds, receipts
from ..enums import PartnerStatus, ProposalStatus
from ..models import ConsortiumPartner, Proposal, Receipt, SupplierProfile
from ..rules import is_lead_member
from ..selectors.completeness import submission_gaps
from ..selectors.submission import bidder_members, members_by_organisation, proposals_due_for_draft_reminder

# (key, after, until): a reminder goes out once the deadline is within `until` and not yet within the next
# stage's window; a draft started five hours before the deadline gets only the 6-hour reminder.
DRAFT_REMINDER_STAGES = (
    ("48h", timedelta(hours=6), timedelta(hours=48)),
    ("6h", timedelta(0), timedelta(hours=6)),
)


class SubmissionError(Exception):
    """A submission or withdrawal that the proposal's state, the deadline or the person's role does not
    allow. Its message is meant for the person who tried."""


class IncompleteProposalError(SubmissionError):
    """The proposal lacks what a submission needs; `gaps` says what, by the editor's field names."""

    def __init__(self, gaps: dict[str, str]):
        self.gaps = gaps
        super().__init__(_("The proposal is not complete yet: %(gaps)s") % {"gaps": " ".join(gaps.values())})


class DeadlinePassedError(SubmissionError):
    pass


class AlreadySubmittedError(SubmissionError):
    """The proposal is submitted already (a second click, or a colleague was quicker): `receipt` is the
    standing submission's receipt."""

    def __init__(self, receipt: Receipt | None):
        self.receipt = receipt
        super().__init__(_("This proposal has already been submitted."))


class AlreadyWithdrawnError(SubmissionError):
    pass


class BidsTwiceError(SubmissionError):
    """A bidding organisation of the proposal (its lead or an accepted partner) is already in another
    submitted proposal to the same challenge: a supplier bids once per challenge."""

    def __init__(self, organisation: Organisation):
        self.organisation = organisation
        super().__init__(
            _(
                "%(organisation)s is already part of another proposal submitted to this challenge. A "
                "supplier bids once per challenge, alone or in one consortium, so this proposal has not "
                "been submitted; it is kept as it is."
            )
            % {"organisation": organisation.name}
        )


def _lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("challenge", "supplier")
        .get(pk=proposal.pk)
    )


def lock_challenge(challenge_id: int) -> None:
    """Lock the challenge's row until the transaction ends, so that the decisions on its bids are taken one
    at a time. FOR NO KEY UPDATE: it serialises with every other lock of the row, but not with inserts of
    rows that point at the challenge (a draft being started)."""
    list(
        Challenge.objects.select_for_update(no_key=True).filter(pk=challenge_id).values_list("pk", flat=True)
    )


def _bidding_elsewhere(proposal: Proposal) -> Organisation | None:
    """One of the proposal's bidding organisations that is the lead or an accepted partner of another
    proposal submitted to the same challenge (one query)."""
    others = Proposal.objects.filter(
        challenge_id=proposal.challenge_id, status=ProposalStatus.SUBMITTED
    ).exclude(pk=proposal.pk)
    partners_of_others = ConsortiumPartner.objects.filter(
        proposal__in=others.values("pk"), status=PartnerStatus.ACCEPTED
    ).values("organisation_id")
    return (
        Organisation.objects.filter(pk__in=proposal.bidder_organisation_ids)
        .filter(Q(pk__in=others.values("supplier_id")) | Q(pk__in=partners_of_others))
        .order_by("name", "pk")
        .first()
    )


def _had_public_sector_sales(proposal: Proposal) -> bool | None:
    """What the lead's profile says now; None when it has no profile (not known, rather than "no")."""
    return (
        SupplierProfile.objects.filter(organisation_id=proposal.supplier_id)
        .values_list("has_public_sector_sales", flat=True)
        .first()
    )


def _database_clock(challenge_id: int) -> tuple[str, bool, datetime]:
    """The challenge's status, whether it accepts proposals now, and now, by the database's clock, read in
    one statement issued after the proposal's lock was granted."""
    status, deadline, db_now = (
        Challenge.objects.filter(pk=challenge_id)
        .annotate(db_now=Now())
        .values_list("status", "submission_deadline", "db_now")
        .get()
    )
    return status, status == ChallengeStatus.PUBLISHED and deadline is not None and deadline > db_now, db_now


def _closed_message(status: str, *, withdrawing: bool = False) -> str:
    if status not in {ChallengeStatus.PUBLISHED, ChallengeStatus.CLOSED}:
        # Cancelled, or further on than closed: the deadline is not what the person needs to hear about.
        return _(
            "This challenge no longer accepts proposals (it is %(status)s). Your proposal is kept as it is."
        ) % {"status": str(ChallengeStatus(status).label).lower()}
    if withdrawing:
        return _("The deadline for proposals has passed: a submitted proposal can no longer be withdrawn.")
    return _(
        "The deadline for proposals to this challenge has passed. Your proposal has not been submitted; "
        "it is kept as it is."
    )


def _current_receipt(proposal: Proposal) -> Receipt | None:
    return Receipt.objects.filter(proposal=proposal, superseded_at__isnull=True).first()


def submit_proposal(*, proposal: Proposal, by: User) -> Receipt:
    """Draft or withdrawn → submitted, by a member of the lead organisation, while the challenge is open by
    the database's clock and the proposal has no gaps (IncompleteProposalError lists them), and none of its
    bidding organisations is in another submitted proposal to the challenge (BidsTwiceError names it). The
    submission time is the database's. Locks the proposal, then the challenge: submissions to one challenge
    are decided one at a time. Supersedes any standing receipt and creates the next one, with the digest
    over the submitted content and its manifest (suppliers.receipts.seal). Snapshots the lead's "has sold
    to the public sector before". Audit "proposal.submitted"; mails the receipt to the members of the lead
    and of every accepted partner. A proposal submitted already raises AlreadySubmittedError carrying its
    receipt, so a double click submits once."""
    with transaction.atomic():
        proposal = _lock(proposal)
        if not is_lead_member(by, proposal):
            raise SubmissionError(_("Only members of the lead organisation can submit the proposal."))
        if proposal.status == ProposalStatus.SUBMITTED:
            raise AlreadySubmittedError(_current_receipt(proposal))
        lock_challenge(proposal.challenge_id)
        # After both locks, in a statement of its own: the clock of the moment this request may decide.
        status, is_open, db_now = _database_clock(proposal.challenge_id)
        if not is_open:
            raise DeadlinePassedError(_closed_message(status))
        gaps = submission_gaps(proposal=proposal)
        if gaps:
            raise IncompleteProposalError(gaps)
        clash = _bidding_elsewhere(proposal)
        if clash is not None:
            raise BidsTwiceError(clash)

        proposal.status = ProposalStatus.SUBMITTED
        proposal.submitted_at = db_now
        proposal.withdrawn_at = None
        proposal.had_public_sector_sales = _had_public_sector_sales(proposal)
        proposal.save(
            update_fields=["status", "submitted_at", "withdrawn_at", "had_public_sector_sales", "updated_at"]
        )
        Receipt.objects.filter(proposal=proposal, superseded_at__isnull=True).update(superseded_at=db_now)
        number = (Receipt.objects.filter(proposal=proposal).aggregate(last=Max("number"))["last"] or 0) + 1
        digest, manifest = receipts.seal(proposal, db_now)
        receipt = Receipt.objects.create(
            proposal=proposal,
            number=number,
            submitted_at=db_now,
            submitted_by=by,
            digest=digest,
            manifest=manifest,
        )
        record_audit(
            actor=by,
            action="proposal.submitted",
            target=proposal,
            organisation=proposal.supplier,
            data={"challenge": proposal.challenge_id, "receipt": number, "digest": receipt.digest},
        )
        notify(
            recipients=bidder_members(proposal=proposal),
            kind=kinds.PROPOSAL_SUBMITTED,
            context={
                "proposal": proposal,
                "challenge": proposal.challenge,
                "receipt": receipt,
                "submitted_at_utc": db_now.astimezone(UTC).isoformat(timespec="microseconds"),
                "documents": manifest["documents"],
                "submitted_by": by,
            },
            target=proposal,
            url=receipt.get_absolute_url(),
        )
    return receipt


def withdraw_proposal(*, proposal: Proposal, by: User) -> Proposal:
    """Submitted → withdrawn, by a member of the lead organisation, before the deadline by the database's
    clock. Supersedes the standing receipt (it stays as the record of that submission). Audit
    "proposal.withdrawn"; tells the members of the lead and of every accepted partner. Submitting again
    gives a new receipt with the next number."""
    with transaction.atomic():
        proposal = _lock(proposal)
        if not is_lead_member(by, proposal):
            raise SubmissionError(_("Only members of the lead organisation can withdraw the proposal."))
        if proposal.status == ProposalStatus.WITHDRAWN:
            raise AlreadyWithdrawnError(_("This proposal has already been withdrawn."))
        if proposal.status != ProposalStatus.SUBMITTED:
            raise SubmissionError(_("Only a submitted proposal can be withdrawn."))
        status, is_open, db_now = _database_clock(proposal.challenge_id)
        if not is_open:
            raise DeadlinePassedError(_closed_message(status, withdrawing=True))
        proposal.status = ProposalStatus.WITHDRAWN
        proposal.withdrawn_at = db_now
        proposal.save(update_fields=["status", "withdrawn_at", "updated_at"])
        superseded = list(
            Receipt.objects.filter(proposal=proposal, superseded_at__isnull=True).values_list(
                "number", flat=True
            )
        )
        Receipt.objects.filter(proposal=proposal, superseded_at__isnull=True).update(superseded_at=db_now)
        record_audit(
            actor=by,
            action="proposal.withdrawn",
            target=proposal,
            organisation=proposal.supplier,
            data={"challenge": proposal.challenge_id, "superseded_receipts": superseded},
        )
        notify(
            recipients=bidder_members(proposal=proposal),
            kind=kinds.PROPOSAL_WITHDRAWN,
            context={
                "proposal": proposal,
                "challenge": proposal.challenge,
                "withdrawn_by": by,
                "withdrawn_at_utc": db_now.astimezone(UTC),
            },
            target=proposal,
        )
    return proposal


# Reminders


def draft_reminder_key(*, challenge: Challenge, stage: str) -> str:
    """The reminder's claim key: once per person, stage and deadline (an extended deadline is a new one)."""
    deadline = challenge.submission_deadline.astimezone(UTC)
    return f"suppliers:challenge:{challenge.pk}:draft-{stage}:{deadline:%Y%m%dT%H%M%SZ}"


def send_draft_reminders() -> int:
    """Remind the members of the lead and of the accepted partners of every proposal still in draft (or
    withdrawn) 48 hours, and again 6 hours, before its challenge's deadline. Each stage reaches each person
    once per deadline, however often this runs (claim_reminders). Returns how many reminders it sent."""
    sent = 0
    for stage, after, until in DRAFT_REMINDER_STAGES:
        proposals = list(proposals_due_for_draft_reminder(after=after, until=until))
        members = members_by_organisation(
            {organisation for proposal in proposals for organisation in proposal.bidder_organisation_ids}
        )
        by_challenge: dict[int, list[Proposal]] = {}
        for proposal in proposals:
            by_challenge.setdefault(proposal.challenge_id, []).append(proposal)
        for challenge_proposals in by_challenge.values():
            challenge = challenge_proposals[0].challenge
            with transaction.atomic():
                # A person in two of the challenge's bidding organisations hears once, of the first.
                proposal_of: dict[int, Proposal] = {}
                for proposal in challenge_proposals:
                    for organisation in sorted(proposal.bidder_organisation_ids):
                        for user in members[organisation]:
                            proposal_of.setdefault(user.pk, proposal)
                users = {user.pk: user for organisation in members.values() for user in organisation}
                claimed = claim_reminders(
                    users=[users[pk] for pk in proposal_of],
                    key=draft_reminder_key(challenge=challenge, stage=stage),
                )
                for proposal in challenge_proposals:
                    recipients = [user for user in claimed if proposal_of[user.pk] == proposal]
                    if recipients:
                        notify(
                            recipients=recipients,
                            kind=kinds.DRAFT_REMINDER,
                            context={
                                "proposal": proposal,
                                "challenge": challenge,
                                "deadline": challenge.submission_deadline,
                                "stage": stage,
                            },
                            target=proposal,
                        )
                sent += len(claimed)
    return sent
