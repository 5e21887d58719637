"""Reads of the proposal editor: the proposal with everything the editor shows, an organisation's
proposals, and the editor's values as plain text (what co-editors' saves compare field by field)."""

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from challenges.models import Challenge

from ..enums import PartnerStatus, ProposalStatus
from ..models import ConsortiumPartner, Proposal
from .completeness import criterion_field, outcome_field

# The proposal's own fields the editor changes, in the order the page shows them.
TEXT_FIELDS = ("title", "summary", "approach", "team", "timeline", "lead_role")
DECIMAL_FIELDS = ("price", "lead_share")
PROPOSAL_FIELDS = (*TEXT_FIELDS, *DECIMAL_FIELDS)
PRICE_LINES = "price_lines"
CENT = Decimal("0.01")


def proposal_for_editor(*, user, pk: int) -> Proposal:
    """The proposal with its challenge's outcomes and criteria, its answers, price lines, documents and
    partners (a fixed number of queries); Proposal.DoesNotExist when the user may not see it."""
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
        )
        .get(pk=pk)
    )


def proposal_of_organisation(*, challenge: Challenge, organisation_id: int) -> Proposal | None:
    """The proposal an organisation leads, or has accepted to partner in, for one challenge. No query when
    the challenge was read knowing that none of the user's organisations has one (with_own_proposal_flag)."""
    if getattr(challenge, "has_own_proposal", None) is False:
        return None
    return (
        Proposal.objects.of_organisations([organisation_id])
        .filter(challenge=challenge)
        .select_related("supplier")
        .order_by("-updated_at", "pk")
        .first()
    )


def with_own_proposal_flag(challenges: QuerySet[Challenge], user) -> QuerySet[Challenge]:
    """The challenges with whether one of the user's supplier organisations leads, or has accepted to
    partner in, a proposal to each (`has_own_proposal`): the challenge page asks it with the challenge
    (challenges.selectors.discovery names this function), and its proposal panel reads no proposal for the
    many suppliers who read a challenge they have not answered. Nothing for anyone else (the panel reads
    nothing for them either)."""
    if not user.is_authenticated or not user.supplier_organisation_ids:
        return challenges
    own = Proposal.objects.of_organisations(user.supplier_organisation_ids).filter(challenge=OuterRef("pk"))
    return challenges.annotate(has_own_proposal=Exists(own))


def proposals_for_organisation(*, organisation_id: int) -> QuerySet[Proposal]:
    """An organisation's proposals, as lead or accepted partner, the most recently changed first."""
    return (
        Proposal.objects.of_organisations([organisation_id])
        .select_related("challenge", "challenge__owner", "supplier")
        .order_by("-updated_at", "-pk")
    )


def live_partnership_elsewhere(*, challenge: Challenge, organisation_id: int) -> Proposal | None:
    """Another organisation's live (draft or submitted) proposal to the challenge that this organisation
    has accepted to partner in: it already bids there, and may not bid twice."""
    return (
        Proposal.objects.filter(
            challenge=challenge,
            status__in=[ProposalStatus.DRAFT, ProposalStatus.SUBMITTED],
            partners__organisation_id=organisation_id,
            partners__status=PartnerStatus.ACCEPTED,
        )
        .exclude(supplier_id=organisation_id)
        .select_related("supplier")
        .first()
    )


def has_partners(proposal: Proposal) -> bool:
    """Invited or accepted partners (reads the prefetched partners): the lead's role and share matter."""
    return any(
        partner.status in {PartnerStatus.INVITED, PartnerStatus.ACCEPTED}
        for partner in proposal.partners.all()
    )


# The editor's values: {field name: value}, with the completeness selector's names for the answers.


def editor_values(proposal: Proposal) -> dict[str, Any]:
    """What the editor shows, by field name (reads prefetched answers and lines when there are)."""
    values: dict[str, Any] = {name: getattr(proposal, name) for name in PROPOSAL_FIELDS}
    outcome_answers = {answer.outcome_id: answer.answer for answer in proposal.outcome_answers.all()}
    for outcome in proposal.challenge.outcomes.all():
        values[outcome_field(outcome.pk)] = outcome_answers.get(outcome.pk, "")
    criterion_answers = {answer.criterion_id: answer.answer for answer in proposal.criterion_answers.all()}
    for criterion in proposal.challenge.criteria.all():
        values[criterion_field(criterion.pk)] = criterion_answers.get(criterion.pk, "")
    values[PRICE_LINES] = [(line.description, line.amount) for line in proposal.price_lines.all()]
    return values


def value_text(value: Any) -> str:
    """One canonical text per value, so that equal values compare equal (120000 and 120000.00 do)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.quantize(CENT), "f")
    if isinstance(value, list | tuple):
        return json.dumps([[description, value_text(amount)] for description, amount in value])
    return str(value)


def value_digest(value: Any) -> str:
    return hashlib.sha256(value_text(value).encode()).hexdigest()[:16]


def value_digests(values: dict[str, Any]) -> dict[str, str]:
    """{field name: digest of its value}: the form carries these for the values it was loaded with, so a
    save can tell which fields the editor changed since."""
    return {name: value_digest(value) for name, value in values.items()}
