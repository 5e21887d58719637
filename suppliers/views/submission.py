"""Submission's pages: reading a proposal, submitting and withdrawing it, and its receipts (page, file and
verification).

Each page finds the proposal among those the user may see (ProposalQuerySet.visible_to) through
selectors.access.proposal_or_404: one that exists but is not theirs to see is answered exactly like one that
does not exist (404), and the attempt is written to the audit log; a proposal they may see but not act on is
a 403. Permissions are asked through
rules.has_perm, never user.has_perm, which lets superusers through."""

from datetime import UTC

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.audit.services import record_audit

from .. import receipts
from ..enums import ProposalStatus
from ..forms_proposals import gap_checklist_for
from ..forms_submission import SubmitForm, WithdrawForm
from ..models import Proposal, Receipt
from ..rules import is_bidder, is_lead_member
from ..selectors.access import denied_proposal_access, proposal_or_404
from ..selectors.completeness import submission_gaps
from ..selectors.submission import (
    current_receipt,
    proposal_for_reading,
    proposal_for_submission,
    receipt_for_reading,
)
from ..services.submission import (
    AlreadySubmittedError,
    AlreadyWithdrawnError,
    IncompleteProposalError,
    SubmissionError,
    submit_proposal,
    withdraw_proposal,
)

# The proposal editor (written alongside, in views/proposals.py); the read page links to it when it is there.
EDITOR_URL_NAME = "suppliers:proposal-edit"


def _visible_proposal(request: HttpRequest, pk: int, selector=proposal_for_submission) -> Proposal:
    return proposal_or_404(request, pk=pk, selector=selector)


def _visible_receipt(request: HttpRequest, pk: int) -> Receipt:
    """A receipt of a proposal the user may see; receipts are for the bidders only (403 for the proposal's
    other readers)."""
    try:
        receipt = receipt_for_reading(user=request.user, pk=pk)
    except Receipt.DoesNotExist:
        proposal_id = Receipt.objects.filter(pk=pk).values_list("proposal_id", flat=True).first()
        raise denied_proposal_access(request, proposal_id=proposal_id, receipt=pk) from None
    if not rules.has_perm("suppliers.view_receipts", request.user, receipt.proposal):
        raise PermissionDenied
    return receipt


def _editor_url(proposal: Proposal) -> str:
    try:
        return reverse(EDITOR_URL_NAME, kwargs={"pk": proposal.pk})
    except NoReverseMatch:
        return ""


def _record_opening(request: HttpRequest, proposal: Proposal) -> None:
    """Anyone but the bidders who opens a proposal is on the record (its documents' view, in
    views/proposals.py, records their downloads)."""
    if not is_bidder(request.user, proposal):
        record_audit(
            actor=request.user,
            action="proposal.opened",
            target=proposal,
            organisation=proposal.challenge.owner,
            data={"challenge": proposal.challenge_id},
        )


@login_required
@require_safe
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk, selector=proposal_for_reading)
    _record_opening(request, proposal)
    bidder = is_bidder(request.user, proposal)
    editable = proposal.status in {ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN}
    gaps = submission_gaps(proposal=proposal) if bidder and editable else {}
    with timezone.override(proposal.challenge.deadline_zone):
        return render(
            request,
            "suppliers/submission/proposal_detail.html",
            {
                "proposal": proposal,
                "challenge": proposal.challenge,
                "is_bidder": bidder,
                "receipts": list(proposal.receipts.all()) if bidder else [],
                "current_receipt": current_receipt(proposal),
                "gaps": gaps,
                # The submission panel lists each gap, linked to its place in the editor.
                "checklist": gap_checklist_for(proposal, gaps),
                "editor_url": _editor_url(proposal) if bidder else "",
                "deadline_zone": str(proposal.challenge.deadline_zone),
            },
        )


def _lead_only(request: HttpRequest, pk: int) -> Proposal:
    proposal = _visible_proposal(request, pk)
    if not is_lead_member(request.user, proposal):
        raise PermissionDenied
    return proposal


@login_required
@require_http_methods(["GET", "POST"])
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _lead_only(request, pk)
    form = SubmitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            receipt = submit_proposal(proposal=proposal, by=request.user)
        except AlreadySubmittedError as error:
            # A second click, or a colleague was quicker: the submission stands, once.
            messages.info(request, _("This proposal was already submitted. Here is its receipt."))
            return redirect(error.receipt or proposal)
        except IncompleteProposalError:
            form.add_error(None, _("The proposal cannot be submitted yet: complete the items listed below."))
        except SubmissionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Your proposal has been submitted. The receipt has been sent to your team by email."),
            )
            return redirect(receipt)
        proposal = proposal_for_submission(user=request.user, pk=proposal.pk)
    if request.method == "GET" and proposal.status == ProposalStatus.SUBMITTED:
        receipt = current_receipt(proposal)
        if receipt is not None:
            messages.info(request, _("This proposal has been submitted. Here is its receipt."))
            return redirect(receipt)
    can_submit = rules.has_perm("suppliers.submit_proposal", request.user, proposal)
    gaps = submission_gaps(proposal=proposal) if can_submit or request.method == "POST" else {}
    with timezone.override(proposal.challenge.deadline_zone):
        return render(
            request,
            "suppliers/submission/proposal_submit.html",
            {
                "proposal": proposal,
                "challenge": proposal.challenge,
                "form": form,
                "can_submit": can_submit,
                "gaps": gaps,
                "checklist": gap_checklist_for(proposal, gaps),
                "editor_url": _editor_url(proposal),
                "deadline_zone": str(proposal.challenge.deadline_zone),
            },
        )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _lead_only(request, pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            withdraw_proposal(proposal=proposal, by=request.user)
        except AlreadyWithdrawnError:
            messages.info(request, _("This proposal was already withdrawn."))
            return redirect(proposal)
        except SubmissionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Your proposal has been withdrawn. It stays as a draft: you can change it and submit it "
                    "again before the deadline."
                ),
            )
            return redirect(_editor_url(proposal) or proposal)
        proposal = proposal_for_submission(user=request.user, pk=proposal.pk)
    with timezone.override(proposal.challenge.deadline_zone):
        return render(
            request,
            "suppliers/submission/proposal_withdraw.html",
            {
                "proposal": proposal,
                "challenge": proposal.challenge,
                "form": form,
                "can_withdraw": rules.has_perm("suppliers.withdraw_proposal", request.user, proposal),
                "current_receipt": current_receipt(proposal),
                "deadline_zone": str(proposal.challenge.deadline_zone),
            },
        )


def _receipt_context(receipt: Receipt) -> dict:
    """What the receipt's page and file show: the submission as its manifest recorded it (the lead, the
    partners, the documents the digest covered then), never today's rows."""
    proposal = receipt.proposal
    manifest = receipt.manifest or {}
    return {
        "receipt": receipt,
        "proposal": proposal,
        "challenge": proposal.challenge,
        "manifest": manifest,
        "documents": manifest.get("documents", []),
        "deadline_zone": str(proposal.challenge.deadline_zone),
        # The form the digest covers (suppliers.receipts), to the microsecond.
        "submitted_at_utc": receipt.submitted_at.astimezone(UTC).isoformat(timespec="microseconds"),
    }


def _render_receipt(request: HttpRequest, receipt: Receipt, check: receipts.ReceiptCheck | None = None):
    with timezone.override(receipt.proposal.challenge.deadline_zone):
        return render(
            request,
            "suppliers/submission/receipt_detail.html",
            {**_receipt_context(receipt), "check": check},
        )


@login_required
@require_safe
def receipt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_receipt(request, _visible_receipt(request, pk))


@login_required
@require_POST
def receipt_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Recompute the digest from what is stored now and say whether it still matches."""
    receipt = _visible_receipt(request, pk)
    return _render_receipt(request, receipt, check=receipts.check_receipt(receipt))


@login_required
@require_safe
def receipt_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt as a plain-text file, to keep outside the portal."""
    receipt = _visible_receipt(request, pk)
    with timezone.override(receipt.proposal.challenge.deadline_zone):
        text = render_to_string(
            "suppliers/submission/receipt.txt", _receipt_context(receipt), request=request
        )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    filename = f"receipt-{receipt.proposal.challenge_id}-{receipt.proposal_id}-{receipt.number}.txt"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
