"""Reads for consortia: a proposal's partners, the invitations waiting for a user's organisations, and
the supplier organisations a lead may invite."""

from django.db.models import Q, QuerySet
from django.db.models.functions import Now

from challenges.enums import ChallengeStatus
from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation, User

from ..enums import PartnerStatus
from ..models import ConsortiumPartner, Proposal

SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 20


def partners_of(*, proposal: Proposal) -> QuerySet[ConsortiumPartner]:
    """The partners the consortium page lists: invited, accepted and declined (withdrawn invitations and
    removed partners are in the audit log, not on the page). One query."""
    return (
        ConsortiumPartner.objects.filter(proposal=proposal)
        .exclude(status=PartnerStatus.REVOKED)
        .select_related("organisation")
        .order_by("invited_at", "pk")
    )


def invitations_for_user(*, user: User) -> QuerySet[ConsortiumPartner]:
    """Every invitation addressed to one of the user's supplier organisations, answered or not. Carries
    the challenge and the lead's name, never the proposal's content."""
    if not user.is_authenticated or not user.supplier_organisation_ids:
        return ConsortiumPartner.objects.none()
    return (
        ConsortiumPartner.objects.filter(organisation_id__in=user.supplier_organisation_ids)
        .select_related("organisation", "proposal__challenge__owner", "proposal__supplier", "invited_by")
        .defer(
            "proposal__summary",
            "proposal__approach",
            "proposal__team",
            "proposal__timeline",
            "proposal__price",
            "proposal__title",
        )
    )


def pending_invitations_for(*, user: User) -> QuerySet[ConsortiumPartner]:
    """The inbox: invitations still waiting for an answer, to challenges still open, newest first."""
    return (
        invitations_for_user(user=user)
        .filter(
            status=PartnerStatus.INVITED,
            proposal__challenge__status=ChallengeStatus.PUBLISHED,
            proposal__challenge__submission_deadline__gt=Now(),
        )
        .order_by("-invited_at", "-pk")
    )


def invitable_organisations(*, query: str, proposal: Proposal) -> list[Organisation]:
    """Supplier organisations the lead may invite, without the lead itself: those in the public directory
    whose name contains the query; any other only by its exact name or organisation number (so that two
    letters do not list the organisations that chose to stay out of the directory). At most SEARCH_LIMIT,
    by name. One query."""
    # PostgreSQL text cannot hold NUL, and the query comes straight from the request.
    query = query.replace("\x00", "").strip()
    if len(query) < SEARCH_MIN_LENGTH:
        return []
    return list(
        Organisation.objects.filter(kind=OrganisationKind.SUPPLIER)
        .filter(
            Q(name__icontains=query, supplier_profile__is_listed=True)
            | Q(name__iexact=query)
            | Q(identifier__iexact=query)
        )
        .exclude(pk=proposal.supplier_id)
        .only("pk", "name", "city", "country", "sme_size")
        .order_by("name", "pk")[:SEARCH_LIMIT]
    )
