"""Reads for a challenge's evaluation panel: its members, who may still be appointed, the bidding
organisations every evaluator declares about, and the declarations themselves."""

from django.db.models import QuerySet

from challenges.models import Challenge
from portal.accounts.models import Organisation, User
from suppliers.enums import PartnerStatus, ProposalStatus
from suppliers.models import ConsortiumPartner, Proposal

from ..models import ConflictDeclaration, Evaluator, Panel


def evaluator_for(*, challenge: Challenge, user: User) -> Evaluator | None:
    """The user's own active row on the challenge's panel (with its challenge), or None."""
    if not user.is_authenticated:
        return None
    return (
        Evaluator.objects.select_related("challenge", "challenge__owner")
        .filter(challenge=challenge, user=user, removed_at__isnull=True)
        .first()
    )


def panel_of(*, challenge: Challenge) -> Panel:
    """The challenge's panel settings; an unsaved default when none were set yet. Read from the challenge
    when it was loaded with select_related("panel")."""
    if "panel" in challenge._state.fields_cache:
        return challenge._state.fields_cache["panel"] or Panel(challenge=challenge)
    return Panel.objects.filter(challenge=challenge).first() or Panel(challenge=challenge)


def evaluators_of(*, challenge: Challenge) -> QuerySet[Evaluator]:
    """Everyone on the panel now: active members and pending invitations, the chair first."""
    return Evaluator.objects.filter(challenge=challenge, removed_at__isnull=True).select_related("user")


def removed_evaluators_of(*, challenge: Challenge) -> QuerySet[Evaluator]:
    return Evaluator.objects.filter(challenge=challenge, removed_at__isnull=False).select_related("user")


def active_evaluators_of(*, challenge: Challenge) -> QuerySet[Evaluator]:
    """Panel members who can evaluate: not removed, and with an account (invitations accepted)."""
    return evaluators_of(challenge=challenge).filter(user__isnull=False)


def appointable_members(*, challenge: Challenge) -> QuerySet[User]:
    """The owning organisation's members who are not on the panel yet."""
    on_panel = Evaluator.objects.filter(
        challenge=challenge, removed_at__isnull=True, user__isnull=False
    ).values("user_id")
    return (
        User.objects.filter(memberships__organisation_id=challenge.owner_id, is_active=True)
        .exclude(pk__in=on_panel)
        .order_by("full_name", "email")
    )


def bidding_organisation_ids(*, challenge: Challenge) -> set[int]:
    """Leads and accepted partners of the challenge's submitted proposals (one query)."""
    submitted = Proposal.objects.filter(challenge=challenge, status=ProposalStatus.SUBMITTED)
    rows = (
        submitted.order_by()
        .values_list("supplier_id", flat=True)
        .union(
            ConsortiumPartner.objects.filter(
                proposal__in=submitted, status=PartnerStatus.ACCEPTED, organisation__isnull=False
            )
            .order_by()
            .values_list("organisation_id", flat=True)
        )
    )
    return set(rows)


def bidding_organisations(*, challenge: Challenge) -> list[Organisation]:
    return list(
        Organisation.objects.filter(pk__in=bidding_organisation_ids(challenge=challenge)).order_by("name")
    )


def declarations_of(*, evaluator: Evaluator) -> QuerySet[ConflictDeclaration]:
    return ConflictDeclaration.objects.filter(evaluator=evaluator).select_related("organisation")


def undeclared_organisations(*, evaluator: Evaluator, state=None) -> list[Organisation]:
    """The bidding organisations this evaluator has not declared about yet: until there are none, no
    proposal opens to them. Pass the panel's state (selectors.scoring.panel_state) when the caller has read
    it already: its declarations then answer without a query while nothing is pending."""
    if state is not None and state.knows(evaluator):
        pending = state.pending_organisation_ids(evaluator)
    else:
        declared = set(
            ConflictDeclaration.objects.filter(evaluator=evaluator)
            .order_by()
            .values_list("organisation_id", flat=True)
        )
        pending = bidding_organisation_ids(challenge=evaluator.challenge) - declared
    return list(Organisation.objects.filter(pk__in=pending).order_by("name")) if pending else []


def evaluator_for_token(token: str) -> Evaluator | None:
    """The pending external-expert invitation this link's token belongs to (stored as its SHA-256)."""
    from ..services.panel import token_digest

    if not token or len(token) > 100:
        return None
    return (
        Evaluator.objects.select_related("challenge", "challenge__owner", "appointed_by")
        .filter(token_digest=token_digest(token), user__isnull=True, removed_at__isnull=True)
        .first()
    )
