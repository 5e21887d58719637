"""Reads for the open data: public challenges with everything their OCDS releases need, in a fixed number
of queries however many challenges there are, and the latest events for the Atom feed."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.db.models.functions import Coalesce

from challenges.models import Amendment, Challenge, ChallengeDocument, Clarification, CPVCode
from portal.subqueries import correlated_count
from suppliers.enums import PartnerStatus, ProposalStatus
from suppliers.models import ConsortiumPartner, Proposal

from ..models import Award, AwardedProposal

BULK_PAGE_SIZE = 100
FEED_SIZE = 50


def _submitted_count() -> Coalesce:
    # A count per challenge without grouping the challenge's own columns. It is only published for a
    # release dated after the deadline (ocds.py), when the count no longer changes.
    submitted = Proposal.objects.filter(challenge=OuterRef("pk"), status=ProposalStatus.SUBMITTED)
    return correlated_count(submitted, by="challenge")


def _clarifications() -> QuerySet[Clarification]:
    """When each question was asked and by which organisation (ocds.py names the organisations that asked
    as enquirers once the tender period is over), and whether that organisation bid: part of a submitted
    proposal to the same challenge, as its lead or an accepted partner. Bidders are never named as
    enquirers (see ocds.py). One query, like the questions alone."""
    submitted = Proposal.objects.filter(
        challenge_id=OuterRef("challenge_id"), status=ProposalStatus.SUBMITTED
    )
    led = submitted.filter(supplier_id=OuterRef("asked_by_organisation_id"))
    partnered = ConsortiumPartner.objects.filter(
        proposal__challenge_id=OuterRef("challenge_id"),
        proposal__status=ProposalStatus.SUBMITTED,
        status=PartnerStatus.ACCEPTED,
        organisation_id=OuterRef("asked_by_organisation_id"),
    )
    return (
        Clarification.objects.select_related("asked_by_organisation")
        .only("pk", "challenge_id", "asked_at", "asked_by_organisation")
        .annotate(asker_bid=Exists(led) | Exists(partnered))
        .order_by("asked_at", "pk")
    )


def _awarded_proposals() -> QuerySet[AwardedProposal]:
    accepted = ConsortiumPartner.objects.filter(status=PartnerStatus.ACCEPTED).select_related("organisation")
    return AwardedProposal.objects.select_related("proposal__supplier").prefetch_related(
        Prefetch("proposal__partners", queryset=accepted)
    )


def challenges_for_open_data() -> QuerySet[Challenge]:
    """Public challenges (published at some point: drafts, reviews and challenges cancelled before
    publication never appear), oldest first, with what ocds.releases_for_challenge reads."""
    return (
        Challenge.objects.public()
        .select_related("owner", "award")
        .annotate(submitted_proposal_count=_submitted_count())
        .prefetch_related(
            Prefetch("cpv_codes", queryset=CPVCode.objects.order_by("code")),
            "criteria",
            Prefetch("amendments", queryset=Amendment.objects.order_by("created_at", "pk")),
            Prefetch("documents", queryset=ChallengeDocument.objects.order_by("created_at", "pk")),
            Prefetch("clarifications", queryset=_clarifications()),
            Prefetch("award__awarded", queryset=_awarded_proposals()),
        )
        .order_by("pk")
    )


def challenge_for_open_data(*, pk: int) -> Challenge | None:
    return challenges_for_open_data().filter(pk=pk).first()


def challenges_page_for_open_data(*, page: int, size: int = BULK_PAGE_SIZE) -> tuple[list[Challenge], bool]:
    """One page of the bulk package (pages from 1) and whether another follows: one more row is read
    instead of counting them all."""
    start = (page - 1) * size
    rows = list(challenges_for_open_data()[start : start + size + 1])
    return rows[:size], len(rows) > size


def challenge_list_for_open_data() -> QuerySet[Challenge]:
    """The open data page's list of challenges: enough to link each one's releases."""
    return Challenge.objects.public().select_related("owner").order_by("-published_at", "-pk")


@dataclass(frozen=True)
class FeedEntry:
    kind: str  # "tender" or "award"
    challenge: Challenge
    date: datetime
    award: Award | None = None


def feed_entries(*, size: int = FEED_SIZE) -> list[FeedEntry]:
    """The latest new challenges and award decisions, newest first (three queries)."""
    challenges = Challenge.objects.public().select_related("owner").order_by("-published_at", "-pk")[:size]
    awards = (
        Award.objects.filter(challenge__in=Challenge.objects.public())
        .select_related("challenge__owner")
        .prefetch_related(Prefetch("awarded", queryset=_awarded_proposals()))
        .order_by("-decided_at", "-pk")[:size]
    )
    entries = [FeedEntry("tender", challenge, challenge.published_at) for challenge in challenges]
    entries += [FeedEntry("award", award.challenge, award.decided_at, award) for award in awards]
    entries.sort(key=lambda entry: entry.date, reverse=True)
    return entries[:size]
