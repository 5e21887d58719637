"""Reads for submission: a proposal as its readers see it, its receipts, who hears about a submission, and
which unsubmitted proposals are due a reminder before the deadline."""

from datetime import timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from challenges.enums import ChallengeStatus
from portal.accounts.models import Membership, User

from ..enums import PartnerStatus, ProposalStatus
from ..models import ConsortiumPartner, CriterionAnswer, OutcomeAnswer, Proposal, Receipt


def proposal_for_reading(*, user, pk: int) -> Proposal:
    """The proposal with everything its read page shows, among those the user may see (a fixed number of
    queries); Proposal.DoesNotExist otherwise."""
    return (
        Proposal.objects.visible_to(user)
        .select_related("challenge", "challenge__owner", "supplier")
        .prefetch_related(
            Prefetch("outcome_answers", queryset=OutcomeAnswer.objects.select_related("outcome")),
            Prefetch("criterion_answers", queryset=CriterionAnswer.objects.select_related("criterion")),
            "price_lines",
            "documents",
            Prefetch("partners", queryset=ConsortiumPartner.objects.select_related("organisation")),
            Prefetch("receipts", queryset=Receipt.objects.select_related("submitted_by").order_by("-number")),
        )
        .get(pk=pk)
    )


def proposal_for_submission(*, user, pk: int) -> Proposal:
    """The proposal with what the submit and withdraw pages need (its gaps, its current receipt)."""
    return (
        Proposal.objects.visible_to(user)
        .select_related("challenge", "challenge__owner", "supplier")
        .prefetch_related(
            "challenge__outcomes",
            "challenge__criteria",
            "outcome_answers",
            "criterion_answers",
            "price_lines",
            "documents",
            Prefetch("partners", queryset=ConsortiumPartner.objects.select_related("organisation")),
            Prefetch("receipts", queryset=Receipt.objects.order_by("-number")),
        )
        .get(pk=pk)
    )


def receipt_for_reading(*, user, pk: int) -> Receipt:
    """A receipt of a proposal the user may see, with its proposal, challenge and submitter;
    Receipt.DoesNotExist otherwise."""
    return (
        Receipt.objects.filter(proposal__in=Proposal.objects.visible_to(user).values("pk"))
        .select_related("proposal__challenge__owner", "proposal__supplier", "submitted_by")
        .prefetch_related(
            Prefetch("proposal__partners", queryset=ConsortiumPartner.objects.select_related("organisation"))
        )
        .get(pk=pk)
    )


def current_receipt(proposal: Proposal) -> Receipt | None:
    """The receipt of the proposal's standing submission (reads prefetched receipts when there are)."""
    return next((receipt for receipt in proposal.receipts.all() if receipt.superseded_at is None), None)


def bidder_members(*, proposal: Proposal) -> QuerySet[User]:
    """The active members of the lead organisation and of every partner that accepted."""
    return User.objects.filter(
        memberships__organisation_id__in=proposal.bidder_organisation_ids, is_active=True
    ).distinct()


def proposals_due_for_draft_reminder(*, after: timedelta, until: timedelta) -> QuerySet[Proposal]:
    """Unsubmitted (draft or withdrawn) proposals to published challenges whose deadline falls in
    (now + after, now + until], with their partners, by challenge."""
    now = timezone.now()
    return (
        Proposal.objects.filter(
            status__in=[ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN],
            challenge__status=ChallengeStatus.PUBLISHED,
            challenge__submission_deadline__gt=now + after,
            challenge__submission_deadline__lte=now + until,
        )
        .select_related("challenge", "supplier")
        .prefetch_related(
            Prefetch("partners", queryset=ConsortiumPartner.objects.filter(status=PartnerStatus.ACCEPTED))
        )
        .order_by("challenge_id", "pk")
    )


def members_by_organisation(organisation_ids: set[int]) -> dict[int, list[User]]:
    """{organisation id: its active members}, in one query."""
    members: dict[int, list[User]] = {pk: [] for pk in organisation_ids}
    memberships = (
        Membership.objects.filter(organisation_id__in=organisation_ids, user__is_active=True)
        .select_related("user")
        .order_by("organisation_id", "user_id")
    )
    for membership in memberships:
        members[membership.organisation_id].append(membership.user)
    return members
