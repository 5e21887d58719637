"""Submitting and withdrawing a proposal: the rules, the receipt, the audit entries and the mails."""

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from suppliers import kinds
from suppliers.enums import PartnerStatus, ProposalStatus
from suppliers.models import Proposal, Receipt
from suppliers.receipts import ReceiptCheck, check_receipt, digest, verify_receipt
from suppliers.services.submission import (
    AlreadySubmittedError,
    AlreadyWithdrawnError,
    DeadlinePassedError,
    IncompleteProposalError,
    SubmissionError,
    submit_proposal,
    withdraw_proposal,
)
from tests.factories.accounts import MembershipFactory
from tests.factories.suppliers import (
    ConsortiumPartnerFactory,
    CriterionAnswerFactory,
    OutcomeAnswerFactory,
    ProposalDocumentFactory,
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
