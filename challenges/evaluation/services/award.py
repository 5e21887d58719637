"""Writes for the award: the decision (award to one or more bidders, or no award) with its rationale and
standstill period, the feedback to every bidder, and finalising the award once the standstill is over.

The decision is one transaction: it locks the challenge, checks that the evaluation is ready (consensus on
every criterion of every bid; with a proof-of-value stage, every trial decided), creates the Award, its
AwardedProposal rows and a BidderFeedback row per submitted bid (rank and total from the ranking), moves
the challenge to awarded / not awarded (challenges.services.lifecycle.record_outcome), audits, and tells
each bidder's members (lead and accepted partners) their own feedback."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from challenges.selectors.lifecycle import followers_of_challenge
from challenges.services.lifecycle import ChallengeStateError, record_outcome
from portal.accounts.models import User
from portal.audit.services import record_audit
from portal.notifications.services import notify
from portal.web.pagecache import expire_public_pages
from suppliers.enums import PartnerStatus, ProposalStatus
from suppliers.models import ConsortiumPartner, Proposal

from .. import kinds
from ..enums import AwardDecision, AwardStatus, TrialDecision
from ..models import Award, AwardedProposal, BidderFeedback, Trial
from ..rules import is_owner_admin
from ..selectors.award import (
    award_blockers,
    awards_due_for_finalising,
    bidder_members,
    feedback_for,
    panel_has_trial_stage,
    ranked_totals,
)

# The longest standstill a decision may set: beyond a year, a standstill is a typing error (and past
# timedelta's range it would not even be a date).
MAX_STANDSTILL_DAYS = 365


class AwardError(Exception):
    """An award the rules, the evaluation's state or the person's role do not allow. `field` names the form
    field the message belongs to (None: the whole form)."""

    def __init__(self, message: str, *, field: str | None = None):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class AwardedBid:
    proposal_id: int
    value: Decimal


def decide_award(
    *,
    challenge: Challenge,
    by: User,
    decision: str,
    rationale: str,
    public_summary: str,
    standstill_days: int,
    awarded: list[AwardedBid] = (),
    notes: Mapping[int, str] | None = None,
) -> Award:
    """Record the award decision (owner organisation's admins; a challenge under evaluation whose
    evaluation is complete). The rationale is for the bidders (with their feedback) and the report; the
    public summary is shown on the challenge's page and in the open data, so it must not name another
    bidder (one naming a bidder that is not awarded is refused). The standstill ends `standstill_days`
    (AWARD_MIN_STANDSTILL_DAYS to MAX_STANDSTILL_DAYS) after the decision, by the database's clock;
    finalise_award makes it final then. Side effects: the challenge becomes awarded / not awarded, an
    audit entry, and an AWARD_DECIDED notification to each bidder's members with their own feedback.
    `notes` are the panel's notes per proposal id."""
    rationale = (rationale or "").strip()
    public_summary = (public_summary or "").strip()
    notes = {int(pk): (note or "").strip() for pk, note in (notes or {}).items()}
    awarded = list(awarded)
    minimum = settings.AWARD_MIN_STANDSTILL_DAYS
    if decision not in AwardDecision.values:
        raise AwardError(_("Choose to award or not to award."), field="decision")
    if not rationale:
        raise AwardError(_("Give the rationale for the decision: every bidder reads it."), field="rationale")
    if not public_summary:
        raise AwardError(
            _("Give the public summary: it is shown on the challenge's page and in the open data."),
            field="public_summary",
        )
    if standstill_days is None or standstill_days < minimum:
        raise AwardError(
            _("The standstill period must be at least %(days)s days.") % {"days": minimum},
            field="standstill_days",
        )
    if standstill_days > MAX_STANDSTILL_DAYS:
        raise AwardError(
            _("The standstill period can be at most %(days)s days.") % {"days": MAX_STANDSTILL_DAYS},
            field="standstill_days",
        )
    if decision == AwardDecision.AWARD and not awarded:
        raise AwardError(_("Choose at least one bidder to award the contract to."), field="awarded")
    if decision == AwardDecision.NO_AWARD and awarded:
        raise AwardError(_("With no award, no bidder can be chosen."), field="awarded")
    if len({bid.proposal_id for bid in awarded}) != len(awarded):
        raise AwardError(_("Each bidder can be awarded once."), field="awarded")
    if any(bid.value is None or bid.value < 0 for bid in awarded):
        raise AwardError(_("Give each awarded bidder a contract value of 0 or more."), field="awarded")

    with transaction.atomic():
        challenge = (
            Challenge.objects.select_for_update(of=("self",))
            .select_related("owner")
            .annotate(db_now=Now())
            .get(pk=challenge.pk)
        )
        if not is_owner_admin(by, challenge):
            raise AwardError(_("Only an administrator of the buying organisation can decide the award."))
        blockers = award_blockers(challenge=challenge)
        if blockers:
            raise AwardError(" ".join(blockers))
        bids = {
            proposal.pk: proposal
            for proposal in Proposal.objects.filter(challenge=challenge, status=ProposalStatus.SUBMITTED)
            .select_related("supplier")
            .prefetch_related(
                Prefetch("partners", queryset=ConsortiumPartner.objects.select_related("organisation"))
            )
        }
        strangers = [bid.proposal_id for bid in awarded if bid.proposal_id not in bids]
        if strangers:
            raise AwardError(
                _(
                    "A contract can be awarded only to a supplier that submitted a proposal to this "
                    "challenge; one of those chosen did not."
                ),
                field="awarded",
            )
        named = _bidders_named(public_summary, bids, awarded={bid.proposal_id for bid in awarded})
        if named:
            raise AwardError(
                _(
                    "The public summary names %(names)s, which bid without being awarded: everyone reads "
                    "the summary, so leave other bidders out of it."
                )
                % {"names": ", ".join(named)},
                field="public_summary",
            )
        if awarded and panel_has_trial_stage(challenge=challenge):
            went = set(
                Trial.objects.filter(
                    proposal_id__in=[bid.proposal_id for bid in awarded], decision=TrialDecision.GO
                ).values_list("proposal_id", flat=True)
            )
            if any(bid.proposal_id not in went for bid in awarded):
                raise AwardError(
                    _("With a proof-of-value stage, only a bidder whose trial was a go can be awarded."),
                    field="awarded",
                )

        now = challenge.db_now
        award = Award.objects.create(
            challenge=challenge,
            decision=decision,
            rationale=rationale,
            public_summary=public_summary,
            decided_by=by,
            decided_at=now,
            standstill_ends_at=now + timedelta(days=standstill_days),
        )
        AwardedProposal.objects.bulk_create(
            [AwardedProposal(award=award, proposal_id=bid.proposal_id, value=bid.value) for bid in awarded]
        )
        ranking = ranked_totals(challenge=challenge, proposals=list(bids.values()))
        feedback = BidderFeedback.objects.bulk_create(
            [
                BidderFeedback(
                    award=award,
                    proposal=proposal,
                    note=notes.get(pk, ""),
                    rank=ranking.get(pk, (None, None))[1],
                    total=ranking.get(pk, (None, None))[0],
                    sent_at=now,
                )
                for pk, proposal in bids.items()
            ]
        )
        try:
            record_outcome(
                challenge=challenge,
                by=by,
                outcome=ChallengeStatus.AWARDED
                if decision == AwardDecision.AWARD
                else ChallengeStatus.NOT_AWARDED,
            )
        except ChallengeStateError as error:
            raise AwardError(str(error)) from None
        challenge.status = (
            ChallengeStatus.AWARDED if decision == AwardDecision.AWARD else ChallengeStatus.NOT_AWARDED
        )
        record_audit(
            actor=by,
            action="award.decided",
            target=award,
            organisation=challenge.owner,
            data={
                "challenge": challenge.pk,
                "decision": decision,
                "rationale": rationale,
                "public_summary": public_summary,
                "standstill_days": standstill_days,
                "awarded": [{"proposal": bid.proposal_id, "value": str(bid.value)} for bid in awarded],
                "feedback": [{"proposal": row.proposal_id, "rank": row.rank} for row in feedback],
            },
        )
        for row in feedback:
            proposal = bids[row.proposal_id]
            notify(
                recipients=bidder_members(proposal=proposal),
                kind=kinds.AWARD_DECIDED,
                context={"challenge": challenge, "award": award, "view": feedback_for(proposal=proposal)},
                target=challenge,
                url=reverse("evaluation:award-feedback", kwargs={"pk": proposal.pk}),
            )
    return award


def _bidders_named(text: str, bids: Mapping[int, Proposal], *, awarded: set[int]) -> list[str]:
    """The names of the organisations (leads and accepted partners) of the bids not awarded that the text
    contains, ignoring case; an organisation that is also part of an awarded bid may be named."""
    winners = {
        organisation_id
        for pk in awarded
        if pk in bids
        for organisation_id in bids[pk].bidder_organisation_ids
    }
    folded = text.casefold()
    named = []
    for pk, proposal in bids.items():
        if pk in awarded:
            continue
        organisations = [proposal.supplier] + [
            partner.organisation
            for partner in proposal.partners.all()
            if partner.status == PartnerStatus.ACCEPTED and partner.organisation is not None
        ]
        for organisation in organisations:
            name = organisation.name.strip()
            if organisation.pk not in winners and name and name.casefold() in folded and name not in named:
                named.append(name)
    return named


def finalise_award(*, award_id: int) -> bool:
    """Standstill → final, if its standstill has ended. Claimed with a conditional UPDATE, so running it
    twice (or two workers at once) finalises and notifies once. Side effects: an audit entry and an
    AWARD_FINAL notification to the bidders' members and the challenge's followers. Returns whether this
    call finalised it."""
    # The application's clock (NTP-synced like the database's): a standstill lasts days, not seconds, and
    # this keeps the finalisation testable by moving the clock.
    now = timezone.now()
    with transaction.atomic():
        claimed = Award.objects.filter(
            pk=award_id, status=AwardStatus.STANDSTILL, standstill_ends_at__lte=now
        ).update(status=AwardStatus.FINAL, final_at=now)
        if not claimed:
            return False
        # The UPDATE sends no signal: the public award notice must say "final" at once, not after the
        # public pages' lifetime.
        expire_public_pages()
        award = Award.objects.select_related("challenge", "challenge__owner").get(pk=award_id)
        challenge = award.challenge
        record_audit(actor=None, action="award.final", target=award, organisation=challenge.owner)
        recipients = {user.pk: user for user in followers_of_challenge(challenge=challenge)}
        for row in BidderFeedback.objects.filter(award=award).select_related("proposal"):
            recipients.update({user.pk: user for user in bidder_members(proposal=row.proposal)})
        notify(
            recipients=recipients.values(),
            kind=kinds.AWARD_FINAL,
            context={"challenge": challenge, "award": award},
            target=challenge,
        )
    return True


def finalise_due_awards() -> int:
    """Finalise every award whose standstill has ended, each in its own transaction. Returns how many."""
    return sum(finalise_award(award_id=award.pk) for award in awards_due_for_finalising())
