"""Submitting and withdrawing a proposal: the rules, the receipt, the audit entries and the mails."""

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from portal.accounts.enums import MembershipRole
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from suppliers import kinds
from suppliers.enums import PartnerStatus, ProposalStatus
from suppliers.models import Proposal, Receipt, SupplierProfile
from suppliers.receipts import ReceiptCheck, check_receipt, digest, verify_receipt
from suppliers.services.consortia import accept_partner_invitation, invite_partner_organisation
from suppliers.services.proposals import ProposalError, start_proposal
from suppliers.services.submission import (
    AlreadySubmittedError,
    AlreadyWithdrawnError,
    BidsTwiceError,
    DeadlinePassedError,
    IncompleteProposalError,
    SubmissionError,
    submit_proposal,
    withdraw_proposal,
)
from tests.factories.accounts import MembershipFactory, SupplierFactory
from tests.factories.suppliers import (
    ConsortiumPartnerFactory,
    CriterionAnswerFactory,
    OutcomeAnswerFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    SupplierProfileFactory,
)

from .conftest import close_challenge

pytestmark = pytest.mark.django_db


def make_complete(proposal: Proposal) -> Proposal:
    """Answer every outcome and criterion of the challenge and, with accepted partners, state the lead's
    role and the share that makes the total 100 %: a proposal without gaps."""
    for outcome in proposal.challenge.outcomes.all():
        OutcomeAnswerFactory(proposal=proposal, outcome=outcome)
    for criterion in proposal.challenge.criteria.all():
        CriterionAnswerFactory(proposal=proposal, criterion=criterion)
    accepted = [partner for partner in proposal.partners.all() if partner.status == PartnerStatus.ACCEPTED]
    if accepted:
        proposal.lead_role = "Software and project lead"
        proposal.lead_share = Decimal("100") - sum((partner.work_share for partner in accepted), Decimal("0"))
    proposal.save()
    return Proposal.objects.get(pk=proposal.pk)


@pytest.fixture
def bid(actors):
    actors["proposal"] = make_complete(actors["proposal"])
    return actors


def test_submit_proposal_creates_the_first_receipt_at_the_database_time(bid):
    before = timezone.now()

    receipt = submit_proposal(proposal=bid["proposal"], by=bid["lead"])

    proposal = Proposal.objects.get(pk=bid["proposal"].pk)
    assert proposal.status == ProposalStatus.SUBMITTED
    assert receipt.number == 1
    assert receipt.submitted_by == bid["lead"]
    assert receipt.superseded_at is None
    assert proposal.submitted_at == receipt.submitted_at
    assert before - timedelta(seconds=5) <= receipt.submitted_at <= timezone.now() + timedelta(seconds=5)
    assert receipt.digest == digest(proposal, receipt.submitted_at)
    assert len(receipt.digest) == 64
    assert verify_receipt(receipt) is True


def test_submit_proposal_is_audited_and_mails_the_receipt_to_lead_and_partner_members(
    bid, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        receipt = submit_proposal(proposal=bid["proposal"], by=bid["lead"])

    event = AuditEvent.objects.get(action="proposal.submitted")
    assert event.actor == bid["lead"]
    assert event.target_id == str(bid["proposal"].pk)
    assert event.data["digest"] == receipt.digest
    recipients = set(
        Notification.objects.filter(kind=kinds.PROPOSAL_SUBMITTED.key).values_list("recipient_id", flat=True)
    )
    assert recipients == {bid["lead"].pk, bid["lead_admin"].pk, bid["partner"].pk}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [bid["lead"].email, bid["lead_admin"].email, bid["partner"].email]
    )
    body = mail.outbox[0].body
    assert receipt.digest in body
    assert receipt.submitted_at.astimezone(UTC).isoformat(timespec="microseconds") in body
    assert bid["challenge"].title in mail.outbox[0].subject
    assert f"/suppliers/receipts/{receipt.pk}/" in body


def test_submit_proposal_mail_names_the_documents_and_their_hashes(bid, django_capture_on_commit_callbacks):
    document = ProposalDocumentFactory(proposal=bid["proposal"], original_name="annex-Ø.pdf")

    with django_capture_on_commit_callbacks(execute=True):
        submit_proposal(proposal=bid["proposal"], by=bid["lead"])

    assert "annex-Ø.pdf" in mail.outbox[0].body
    assert document.sha256 in mail.outbox[0].body


@pytest.mark.parametrize("actor", ["partner", "other_supplier", "procurer", "staff", "superuser"])
def test_submit_proposal_refuses_anyone_but_lead_members(bid, actor):
    with pytest.raises(SubmissionError):
        submit_proposal(proposal=bid["proposal"], by=bid[actor])

    assert Proposal.objects.get(pk=bid["proposal"].pk).status == ProposalStatus.DRAFT
    assert Receipt.objects.count() == 0


def test_submit_proposal_with_gaps_is_refused_and_lists_them(actors):
    proposal = actors["proposal"]  # answers missing, lead's share missing
    Proposal.objects.filter(pk=proposal.pk).update(summary="  ")

    with pytest.raises(IncompleteProposalError) as raised:
        submit_proposal(proposal=proposal, by=actors["lead"])

    assert "summary" in raised.value.gaps
    assert "lead_share" in raised.value.gaps
    assert any(key.startswith("outcome-") for key in raised.value.gaps)
    assert "Write a summary of your proposal." in str(raised.value)
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.DRAFT


def test_submit_proposal_waits_for_pending_partner_invitations(bid):
    ConsortiumPartnerFactory(proposal=bid["proposal"], status=PartnerStatus.INVITED)

    with pytest.raises(IncompleteProposalError) as raised:
        submit_proposal(proposal=bid["proposal"], by=bid["lead"])

    assert "partners" in raised.value.gaps


def test_submit_proposal_after_the_deadline_is_refused_and_keeps_the_content(bid):
    challenge = bid["challenge"]
    challenge.submission_deadline = timezone.now() - timedelta(seconds=1)
    challenge.questions_deadline = challenge.submission_deadline
    challenge.save()

    with pytest.raises(DeadlinePassedError) as raised:
        submit_proposal(proposal=bid["proposal"], by=bid["lead"])

    assert "deadline" in str(raised.value)
    proposal = Proposal.objects.get(pk=bid["proposal"].pk)
    assert proposal.status == ProposalStatus.DRAFT
    assert proposal.summary == bid["proposal"].summary
    assert Receipt.objects.count() == 0


def test_submit_proposal_to_a_closed_challenge_is_refused(bid):
    close_challenge(bid["challenge"])

    with pytest.raises(DeadlinePassedError) as raised:
        submit_proposal(proposal=bid["proposal"], by=bid["lead"])

    assert "deadline" in str(raised.value)


def test_submit_proposal_to_a_cancelled_challenge_says_it_is_cancelled(bid):
    Challenge.objects.filter(pk=bid["challenge"].pk).update(status=ChallengeStatus.CANCELLED)

    with pytest.raises(DeadlinePassedError) as raised:
        submit_proposal(proposal=bid["proposal"], by=bid["lead"])

    assert "no longer accepts proposals (it is cancelled)" in str(raised.value)
    assert Receipt.objects.count() == 0


def test_submit_proposal_twice_gives_one_receipt_and_the_second_gets_the_first(bid):
    first = submit_proposal(proposal=bid["proposal"], by=bid["lead"])

    with pytest.raises(AlreadySubmittedError) as raised:
        submit_proposal(proposal=bid["proposal"], by=bid["lead_admin"])

    assert raised.value.receipt == first
    assert Receipt.objects.count() == 1
    assert AuditEvent.objects.filter(action="proposal.submitted").count() == 1


def test_withdraw_proposal_supersedes_the_receipt_and_tells_the_bidders(
    bid, django_capture_on_commit_callbacks
):
    receipt = submit_proposal(proposal=bid["proposal"], by=bid["lead"])

    with django_capture_on_commit_callbacks(execute=True):
        withdraw_proposal(proposal=bid["proposal"], by=bid["lead_admin"])

    proposal = Proposal.objects.get(pk=bid["proposal"].pk)
    receipt.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN
    assert proposal.withdrawn_at is not None
    assert receipt.superseded_at == proposal.withdrawn_at
    assert check_receipt(receipt) == ReceiptCheck.SUPERSEDED
    assert verify_receipt(receipt) is False
    assert AuditEvent.objects.filter(action="proposal.withdrawn", actor=bid["lead_admin"]).count() == 1
    assert set(
        Notification.objects.filter(kind=kinds.PROPOSAL_WITHDRAWN.key).values_list("recipient_id", flat=True)
    ) == {bid["lead"].pk, bid["lead_admin"].pk, bid["partner"].pk}
    assert len(mail.outbox) == 3


def test_resubmission_after_withdrawal_gives_the_next_receipt(bid):
    first = submit_proposal(proposal=bid["proposal"], by=bid["lead"])
    withdraw_proposal(proposal=bid["proposal"], by=bid["lead"])
    Proposal.objects.filter(pk=bid["proposal"].pk).update(summary="A better summary.")

    second = submit_proposal(proposal=bid["proposal"], by=bid["lead"])

    first.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert first.superseded_at is not None
    assert second.superseded_at is None
    assert second.digest != first.digest
    assert verify_receipt(second) is True
    assert check_receipt(first) == ReceiptCheck.SUPERSEDED
    assert Proposal.objects.get(pk=bid["proposal"].pk).withdrawn_at is None


def test_withdraw_proposal_refuses_partners_drafts_and_second_clicks(bid):
    with pytest.raises(SubmissionError):
        withdraw_proposal(proposal=bid["proposal"], by=bid["lead"])  # a draft
    submit_proposal(proposal=bid["proposal"], by=bid["lead"])
    with pytest.raises(SubmissionError):
        withdraw_proposal(proposal=bid["proposal"], by=bid["partner"])
    withdraw_proposal(proposal=bid["proposal"], by=bid["lead"])

    with pytest.raises(AlreadyWithdrawnError):
        withdraw_proposal(proposal=bid["proposal"], by=bid["lead"])


def test_withdraw_proposal_after_the_deadline_is_refused(bid):
    submit_proposal(proposal=bid["proposal"], by=bid["lead"])
    close_challenge(bid["challenge"])

    with pytest.raises(DeadlinePassedError):
        withdraw_proposal(proposal=bid["proposal"], by=bid["lead"])

    assert Proposal.objects.get(pk=bid["proposal"].pk).status == ProposalStatus.SUBMITTED


def test_submission_mail_templates_render_for_a_partner_without_a_name(
    bid, django_capture_on_commit_callbacks
):
    lead = MembershipFactory(organisation=bid["proposal"].supplier, user__full_name="").user

    with django_capture_on_commit_callbacks(execute=True):
        submit_proposal(proposal=bid["proposal"], by=lead)
        withdraw_proposal(proposal=bid["proposal"], by=lead)

    withdrawn = [message for message in mail.outbox if "withdrawn" in message.subject]
    assert withdrawn and lead.email in withdrawn[0].body
    assert all(message.alternatives for message in mail.outbox)


# One supplier, one bid: the check at submission, for whatever changed after a partner joined


def _second_bidder(challenge):
    """A supplier organisation with its own (empty) draft to the challenge, and its admin."""
    organisation = SupplierFactory(name="Twice Bidding AS")
    user = MembershipFactory(organisation=organisation, role=MembershipRole.ADMIN).user
    own, _created = start_proposal(challenge=challenge, organisation=organisation, by=user)
    return organisation, user, own


def _join(bid, organisation, user, share=Decimal("10")):
    partner = invite_partner_organisation(
        proposal=bid["proposal"],
        by=bid["lead_admin"],
        organisation=organisation,
        role="Data",
        work_share=share,
    )
    accept_partner_invitation(partner=partner, by=user)
    return partner


def _fill(proposal: Proposal) -> Proposal:
    Proposal.objects.filter(pk=proposal.pk).update(
        title="Our own bid", summary="S", approach="A", team="T", timeline="T", price=Decimal("1000")
    )
    return make_complete(Proposal.objects.get(pk=proposal.pk))


def _lead_bid_complete(bid) -> Proposal:
    """The lead's proposal, its shares made to add up to 100 again after a partner joined."""
    proposal = Proposal.objects.get(pk=bid["proposal"].pk)
    shares = sum(
        (partner.work_share for partner in proposal.partners.filter(status=PartnerStatus.ACCEPTED)),
        Decimal("0"),
    )
    Proposal.objects.filter(pk=proposal.pk).update(lead_role="Lead", lead_share=Decimal("100") - shares)
    return Proposal.objects.get(pk=proposal.pk)


def _submitted_bids_with(organisation) -> int:
    return sum(
        organisation.pk in proposal.bidder_organisation_ids
        for proposal in Proposal.objects.filter(status=ProposalStatus.SUBMITTED).prefetch_related("partners")
    )


def test_a_partner_that_submitted_its_own_bid_first_stops_the_consortiums_submission(bid):
    """The reviewer's route: an empty own draft lets the organisation join; it then fills and submits its
    own draft; the consortium it joined can no longer submit."""
    organisation, user, own = _second_bidder(bid["challenge"])
    _join(bid, organisation, user)
    submit_proposal(proposal=_fill(own), by=user)

    with pytest.raises(BidsTwiceError) as raised:
        submit_proposal(proposal=_lead_bid_complete(bid), by=bid["lead"])

    assert "Twice Bidding AS is already part of another proposal submitted to this challenge" in str(
        raised.value
    )
    assert raised.value.organisation == organisation
    assert Proposal.objects.get(pk=bid["proposal"].pk).status == ProposalStatus.DRAFT
    assert Receipt.objects.filter(proposal=bid["proposal"]).count() == 0
    assert _submitted_bids_with(organisation) == 1


def test_a_partner_cannot_submit_its_own_bid_once_its_consortium_has_submitted(bid):
    organisation, user, own = _second_bidder(bid["challenge"])
    _join(bid, organisation, user)
    submit_proposal(proposal=_lead_bid_complete(bid), by=bid["lead"])

    with pytest.raises(BidsTwiceError, match="Twice Bidding AS"):
        submit_proposal(proposal=_fill(own), by=user)

    assert Proposal.objects.get(pk=own.pk).status == ProposalStatus.DRAFT
    assert _submitted_bids_with(organisation) == 1


def test_a_partner_in_two_consortia_counts_once(bid):
    """A partnership in a withdrawn proposal does not stop joining another (the lead may have given up);
    should that proposal be submitted again, the second consortium's submission is refused."""
    organisation, user, _own = _second_bidder(bid["challenge"])
    _join(bid, organisation, user)
    submit_proposal(proposal=_lead_bid_complete(bid), by=bid["lead"])
    withdraw_proposal(proposal=bid["proposal"], by=bid["lead"])
    other = ProposalFactory(challenge=bid["challenge"])
    other_admin = MembershipFactory(organisation=other.supplier, role=MembershipRole.ADMIN).user
    partner = invite_partner_organisation(
        proposal=other, by=other_admin, organisation=organisation, role="Data", work_share=Decimal("20")
    )
    accept_partner_invitation(partner=partner, by=user)
    Proposal.objects.filter(pk=other.pk).update(lead_role="Lead", lead_share=Decimal("80"))
    submit_proposal(proposal=make_complete(other), by=other_admin)

    with pytest.raises(BidsTwiceError, match="Twice Bidding AS"):
        submit_proposal(proposal=Proposal.objects.get(pk=bid["proposal"].pk), by=bid["lead"])

    assert _submitted_bids_with(organisation) == 1


def test_withdrawing_the_other_bid_lets_the_consortium_submit(bid):
    organisation, user, own = _second_bidder(bid["challenge"])
    _join(bid, organisation, user)
    submit_proposal(proposal=_fill(own), by=user)
    withdraw_proposal(proposal=own, by=user)

    receipt = submit_proposal(proposal=_lead_bid_complete(bid), by=bid["lead"])

    assert receipt.number == 1
    assert _submitted_bids_with(organisation) == 1


def test_start_proposal_does_not_hand_its_draft_to_an_organisation_partnering_elsewhere(bid):
    organisation, user, own = _second_bidder(bid["challenge"])
    _join(bid, organisation, user)

    with pytest.raises(ProposalError, match="already a partner"):
        start_proposal(challenge=bid["challenge"], organisation=organisation, by=user)

    assert Proposal.objects.filter(supplier=organisation).get() == own


# What a submission records


@pytest.mark.parametrize(("profile", "expected"), [(True, True), (False, False), (None, None)])
def test_submission_snapshots_whether_the_lead_had_sold_to_the_public_sector(bid, profile, expected):
    if profile is not None:
        SupplierProfileFactory(organisation=bid["proposal"].supplier, has_public_sector_sales=profile)

    submit_proposal(proposal=bid["proposal"], by=bid["lead"])
    SupplierProfile.objects.filter(organisation=bid["proposal"].supplier).update(has_public_sector_sales=True)

    # The profile may change later; the bid keeps what was true when it was submitted.
    assert Proposal.objects.get(pk=bid["proposal"].pk).had_public_sector_sales is expected


def test_the_snapshot_follows_the_latest_submission(bid):
    profile = SupplierProfileFactory(organisation=bid["proposal"].supplier, has_public_sector_sales=False)
    submit_proposal(proposal=bid["proposal"], by=bid["lead"])
    withdraw_proposal(proposal=bid["proposal"], by=bid["lead"])
    profile.has_public_sector_sales = True
    profile.save()

    submit_proposal(proposal=bid["proposal"], by=bid["lead"])

    assert Proposal.objects.get(pk=bid["proposal"].pk).had_public_sector_sales is True
    assert Proposal.objects.filter(had_public_sector_sales=False).count() == 0


def test_receipt_keeps_the_manifest_the_digest_covered(bid):
    document = ProposalDocumentFactory(proposal=bid["proposal"], title="Annex A", original_name="a.pdf")

    receipt = submit_proposal(proposal=bid["proposal"], by=bid["lead"])

    manifest = Receipt.objects.get(pk=receipt.pk).manifest
    partner = bid["partnership"]
    assert manifest["title"] == bid["proposal"].title
    assert manifest["lead"]["name"] == bid["proposal"].supplier.name
    assert manifest["partners"] == [
        {
            "organisation": partner.organisation_id,
            "name": partner.organisation.name,
            "role": partner.role,
            "share": "30.00",
        }
    ]
    assert manifest["documents"] == [
        {
            "id": document.pk,
            "title": "Annex A",
            "original_name": "a.pdf",
            "size": document.size,
            "sha256": document.sha256,
        }
    ]
    assert digest(Proposal.objects.get(pk=bid["proposal"].pk), receipt.submitted_at) == receipt.digest
