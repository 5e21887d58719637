"""Writes for consortia: a lead invites partner organisations (an existing supplier organisation, or an
email address with no account yet), withdraws invitations and removes partners; the invited organisation
accepts or declines. Every write is audited; invitations and answers notify the other side.

Decisions:
- Any supplier organisation may be invited, listed in the directory or not: the lead often knows its
  partner from outside the portal, and the directory is an opt-in for procurers' market research.
- "Already bidding" is checked when the invited organisation answers, never when the lead invites:
  refusing the invitation would tell the lead that the other organisation has bid, and before the
  deadline nobody but the bidders may learn that.
- A link sent to an address works for INVITATION_LIFETIME; whoever holds it (the link reached that
  mailbox) signs in and accepts for one of their supplier organisations. Invitations to an organisation
  wait in its inbox until answered, withdrawn or the challenge closes.
"""

import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from portal.accounts.enums import MembershipRole
from portal.accounts.models import Organisation, User
from portal.audit.services import record_audit
from portal.notifications.services import absolute_url, mail_address, notify

from .. import kinds
from ..enums import PartnerStatus, ProposalStatus
from ..models import (
    ConsortiumPartner,
    CriterionAnswer,
    OutcomeAnswer,
    PriceLine,
    Proposal,
    ProposalDocument,
)
from .submission import lock_challenge

INVITATION_LIFETIME = timedelta(days=14)
LIVE_PARTNER_STATUSES = [PartnerStatus.INVITED, PartnerStatus.ACCEPTED]


class ConsortiumError(Exception):
    """A consortium change the rules do not allow; the message is for the user."""


def new_partner_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, partner_token_digest(token)


def partner_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def partner_invitation_url(token: str) -> str:
    return absolute_url(reverse("suppliers:partner-invitation-token", kwargs={"token": token}))


def live_bids_q() -> Q:
    """Proposals that count as a bid of their lead: submitted, withdrawn (it may be submitted again until
    the deadline), or a draft with anything written, priced or attached. Only an empty draft (a "start"
    clicked by mistake) does not stop its organisation from joining a consortium."""
    answered = Exists(OutcomeAnswer.objects.filter(proposal_id=OuterRef("pk")).exclude(answer="")) | Exists(
        CriterionAnswer.objects.filter(proposal_id=OuterRef("pk")).exclude(answer="")
    )
    attached = Exists(PriceLine.objects.filter(proposal_id=OuterRef("pk"))) | Exists(
        ProposalDocument.objects.filter(proposal_id=OuterRef("pk"))
    )
    written = ~Q(title="") | ~Q(summary="") | ~Q(approach="") | ~Q(team="") | ~Q(timeline="")
    return (
        Q(status__in=[ProposalStatus.SUBMITTED, ProposalStatus.WITHDRAWN])
        | written
        | Q(price__isnull=False)
        | Q(answered)
        | Q(attached)
    )


def _lock_open_proposal(proposal: Proposal) -> Proposal:
    """Lock the proposal and check, by the database clock, that its consortium may still change."""
    locked = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("challenge", "supplier")
        .get(pk=proposal.pk)
    )
    if locked.status not in {ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN}:
        raise ConsortiumError(
            _("The proposal has been submitted: withdraw it first to change the consortium.")
        )
    is_open = Challenge.objects.filter(
        pk=locked.challenge_id, status=ChallengeStatus.PUBLISHED, submission_deadline__gt=Now()
    ).exists()
    if not is_open:
        raise ConsortiumError(_("The challenge no longer accepts proposals."))
    return locked


def _check_share(*, role: str, work_share: Decimal) -> None:
    if not role.strip():
        raise ConsortiumError(_("State the partner's role in the consortium."))
    if work_share is None or not Decimal("0") <= work_share <= Decimal("100"):
        raise ConsortiumError(_("The share of the work must be between 0 and 100 %."))


def _admins_of(organisation_id: int) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation_id=organisation_id,
            memberships__role=MembershipRole.ADMIN,
            is_active=True,
        )
    )


def _notify_context(partner: ConsortiumPartner, proposal: Proposal) -> dict:
    return {
        "challenge": proposal.challenge,
        "lead": proposal.supplier,
        "role": partner.role,
        "work_share": partner.work_share,
        "message": partner.message,
        "invited_by": partner.invited_by,
    }


def invite_partner_organisation(
    *,
    proposal: Proposal,
    by: User,
    organisation: Organisation,
    role: str,
    work_share: Decimal,
    message: str = "",
) -> ConsortiumPartner:
    """Invite an existing supplier organisation into the proposal's consortium. Notifies the invited
    organisation's admins (PARTNER_INVITED); audited."""
    _check_share(role=role, work_share=work_share)
    if not organisation.is_supplier:
        raise ConsortiumError(_("Only a supplier organisation can be a consortium partner."))
    with transaction.atomic():
        proposal = _lock_open_proposal(proposal)
        if organisation.pk == proposal.supplier_id:
            raise ConsortiumError(_("Your organisation leads this proposal: it cannot also be its partner."))
        if ConsortiumPartner.objects.filter(
            proposal=proposal, organisation=organisation, status__in=LIVE_PARTNER_STATUSES
        ).exists():
            raise ConsortiumError(
                _("%(organisation)s is already invited to or part of this consortium.")
                % {"organisation": organisation.name}
            )
        try:
            with transaction.atomic():
                partner = ConsortiumPartner.objects.create(
                    proposal=proposal,
                    organisation=organisation,
                    role=role.strip(),
                    work_share=work_share,
                    message=message.strip(),
                    invited_by=by,
                )
        except IntegrityError:  # the same invitation sent twice at once
            raise ConsortiumError(
                _("%(organisation)s is already invited to or part of this consortium.")
                % {"organisation": organisation.name}
            ) from None
        record_audit(
            actor=by,
            action="consortium.partner_invited",
            target=proposal,
            organisation=proposal.supplier,
            data={"partner": partner.pk, "organisation": organisation.pk},
        )
        notify(
            recipients=_admins_of(organisation.pk),
            kind=kinds.PARTNER_INVITED,
            context={**_notify_context(partner, proposal), "organisation": organisation},
            target=partner,
            url=reverse("suppliers:partner-invitation-detail", kwargs={"pk": partner.pk}),
        )
    return partner


def invite_partner_by_email(
    *,
    proposal: Proposal,
    by: User,
    email: str,
    role: str,
    work_share: Decimal,
    message: str = "",
) -> tuple[ConsortiumPartner, str]:
    """Invite an address (someone with no account yet, or who does not know which organisation will
    join): mails a link holding a random token, of which only the SHA-256 is stored. Returns the partner
    and the token (for the caller's tests; the pages never show it). Audited."""
    _check_share(role=role, work_share=work_share)
    email = email.strip()
    if not email:
        raise ConsortiumError(_("Enter the partner's email address."))
    token, digest = new_partner_token()
    with transaction.atomic():
        proposal = _lock_open_proposal(proposal)
        if ConsortiumPartner.objects.filter(
            proposal=proposal,
            organisation__isnull=True,
            email__iexact=email,
            status=PartnerStatus.INVITED,
        ).exists():
            raise ConsortiumError(
                _("%(email)s has already been invited. Withdraw that invitation to send a new one.")
                % {"email": email}
            )
        partner = ConsortiumPartner.objects.create(
            proposal=proposal,
            email=email,
            token_digest=digest,
            role=role.strip(),
            work_share=work_share,
            message=message.strip(),
            invited_by=by,
        )
        existing = User.objects.filter(email__iexact=email).only("language").first()
        mail_address(
            to_email=email,
            kind=kinds.PARTNER_INVITED,
            context={
                **_notify_context(partner, proposal),
                "accept_url": partner_invitation_url(token),
                "expires_at": partner.invited_at + INVITATION_LIFETIME,
            },
            language=existing.language if existing else by.language,
        )
        record_audit(
            actor=by,
            action="consortium.partner_invited",
            target=proposal,
            organisation=proposal.supplier,
            data={"partner": partner.pk},
        )
    return partner, token


def partner_for_token(token: str) -> ConsortiumPartner | None:
    """The email invitation a link's token belongs to, or None for a token that matches none."""
    if not token or len(token) > 100:
        return None
    return (
        ConsortiumPartner.objects.select_related(
            "proposal__challenge__owner", "proposal__supplier", "invited_by", "organisation"
        )
        .filter(token_digest=partner_token_digest(token))
        .first()
    )


def token_is_expired(partner: ConsortiumPartner) -> bool:
    return bool(partner.token_digest) and partner.invited_at + INVITATION_LIFETIME <= timezone.now()


def withdraw_partner_invitation(*, partner: ConsortiumPartner, by: User) -> ConsortiumPartner:
    """The lead takes back an invitation nobody has answered yet. Audited."""
    with transaction.atomic():
        _lock_open_proposal(partner.proposal)
        updated = ConsortiumPartner.objects.filter(pk=partner.pk, status=PartnerStatus.INVITED).update(
            status=PartnerStatus.REVOKED, responded_by=by, responded_at=timezone.now()
        )
        if not updated:
            raise ConsortiumError(_("This invitation has already been answered or withdrawn."))
        partner.refresh_from_db()
        record_audit(
            actor=by,
            action="consortium.invitation_withdrawn",
            target=partner.proposal,
            organisation=partner.proposal.supplier,
            data={"partner": partner.pk, "organisation": partner.organisation_id},
        )
    return partner


def remove_partner(*, partner: ConsortiumPartner, by: User) -> ConsortiumPartner:
    """The lead removes a partner that had accepted, while the proposal can still be edited. The partner
    loses access to the proposal at once. Audited."""
    with transaction.atomic():
        _lock_open_proposal(partner.proposal)
        updated = ConsortiumPartner.objects.filter(pk=partner.pk, status=PartnerStatus.ACCEPTED).update(
            status=PartnerStatus.REVOKED, responded_at=timezone.now()
        )
        if not updated:
            raise ConsortiumError(_("This organisation is not a partner of the proposal."))
        partner.refresh_from_db()
        record_audit(
            actor=by,
            action="consortium.partner_removed",
            target=partner.proposal,
            organisation=partner.proposal.supplier,
            data={"partner": partner.pk, "organisation": partner.organisation_id},
        )
    return partner


def _check_can_join(*, proposal: Proposal, organisation: Organisation) -> None:
    """One live bid per supplier or consortium and challenge: the joining organisation must not lead a
    proposal of its own with anything in it (or submitted, or withdrawn), nor be an accepted partner in
    another draft or submitted one, for the same challenge. submit_proposal checks again, at the moment
    that counts, for what changes after joining."""
    if organisation.pk == proposal.supplier_id:
        raise ConsortiumError(_("Your organisation leads this proposal: it cannot also be its partner."))
    leads_own = (
        Proposal.objects.filter(challenge_id=proposal.challenge_id, supplier=organisation)
        .exclude(pk=proposal.pk)
        .filter(live_bids_q())
        .exists()
    )
    if leads_own:
        raise ConsortiumError(
            _(
                "%(organisation)s has its own proposal for this challenge. A supplier bids once per "
                "challenge, alone or in one consortium: only an organisation whose own proposal is still "
                "empty can join another one."
            )
            % {"organisation": organisation.name}
        )
    partners_other = (
        ConsortiumPartner.objects.filter(
            organisation=organisation,
            status=PartnerStatus.ACCEPTED,
            proposal__challenge_id=proposal.challenge_id,
        )
        .exclude(proposal=proposal)
        .exclude(proposal__status=ProposalStatus.WITHDRAWN)
        .exists()
    )
    if partners_other:
        raise ConsortiumError(
            _("%(organisation)s is already a partner in another proposal for this challenge.")
            % {"organisation": organisation.name}
        )


def _notify_lead(*, partner: ConsortiumPartner, kind, organisation: Organisation) -> None:
    proposal = partner.proposal
    recipients = {user.pk: user for user in _admins_of(proposal.supplier_id)}
    if partner.invited_by is not None and partner.invited_by.is_active:
        recipients[partner.invited_by.pk] = partner.invited_by
    notify(
        recipients=recipients.values(),
        kind=kind,
        context={"challenge": proposal.challenge, "partner_organisation": organisation, "role": partner.role},
        target=proposal,
        url=reverse("suppliers:consortium", kwargs={"pk": proposal.pk}),
    )


def _lock_pending(partner: ConsortiumPartner) -> ConsortiumPartner:
    locked = (
        ConsortiumPartner.objects.select_for_update(of=("self",))
        .select_related("proposal__challenge", "proposal__supplier", "invited_by", "organisation")
        .get(pk=partner.pk)
    )
    if locked.status != PartnerStatus.INVITED:
        raise ConsortiumError(_("This invitation has already been answered or withdrawn."))
    return locked


def accept_partner_invitation(
    *, partner: ConsortiumPartner, by: User, organisation: Organisation | None = None
) -> ConsortiumPartner:
    """The invited organisation joins the consortium; its members can then co-edit the proposal.
    An invitation by address is accepted for `organisation`, one of the user's supplier organisations.
    Notifies the lead (PARTNER_ACCEPTED); audited."""
    with transaction.atomic():
        # Proposal first, then the challenge (as submissions lock them), then the partner row: joining is
        # decided one at a time with the challenge's submissions.
        _lock_open_proposal(partner.proposal)
        lock_challenge(partner.proposal.challenge_id)
        partner = _lock_pending(partner)
        if partner.organisation_id is None:
            if token_is_expired(partner):
                raise ConsortiumError(_("This invitation has expired. Ask the lead to send a new one."))
            if organisation is None:
                raise ConsortiumError(_("Choose the organisation that joins the consortium."))
        else:
            organisation = partner.organisation
        if organisation.pk not in by.supplier_organisation_ids:
            raise ConsortiumError(_("You can only accept for a supplier organisation you belong to."))
        _check_can_join(proposal=partner.proposal, organisation=organisation)
        if (
            partner.organisation_id is None
            and ConsortiumPartner.objects.filter(
                proposal=partner.proposal, organisation=organisation, status__in=LIVE_PARTNER_STATUSES
            ).exists()
        ):
            raise ConsortiumError(
                _("%(organisation)s is already invited to or part of this consortium.")
                % {"organisation": organisation.name}
            )
        partner.organisation = organisation
        partner.status, partner.responded_by, partner.responded_at = (
            PartnerStatus.ACCEPTED,
            by,
            timezone.now(),
        )
        # The digest stays: the used link then says it was used, and the status keeps it from working twice.
        partner.save(update_fields=["organisation", "status", "responded_by", "responded_at"])
        record_audit(
            actor=by,
            action="consortium.invitation_accepted",
            target=partner.proposal,
            organisation=organisation,
            data={"partner": partner.pk, "organisation": organisation.pk},
        )
        _notify_lead(partner=partner, kind=kinds.PARTNER_ACCEPTED, organisation=organisation)
    return partner


def decline_partner_invitation(
    *, partner: ConsortiumPartner, by: User, organisation: Organisation | None = None
) -> ConsortiumPartner:
    """The invited organisation (or, for an invitation by address, the person who received it) says no.
    Notifies the lead (PARTNER_DECLINED); audited."""
    with transaction.atomic():
        partner = _lock_pending(partner)
        if partner.organisation_id is not None:
            organisation = partner.organisation
            if organisation.pk not in by.supplier_organisation_ids:
                raise ConsortiumError(_("You can only answer for a supplier organisation you belong to."))
        elif organisation is not None and organisation.pk not in by.supplier_organisation_ids:
            raise ConsortiumError(_("You can only answer for a supplier organisation you belong to."))
        partner.status, partner.responded_by, partner.responded_at = (
            PartnerStatus.DECLINED,
            by,
            timezone.now(),
        )
        partner.save(update_fields=["status", "responded_by", "responded_at"])
        record_audit(
            actor=by,
            action="consortium.invitation_declined",
            target=partner.proposal,
            organisation=organisation,
            data={"partner": partner.pk, "organisation": organisation.pk if organisation else None},
        )
        shown = organisation or Organisation(name=partner.email)
        _notify_lead(partner=partner, kind=kinds.PARTNER_DECLINED, organisation=shown)
    return partner


def update_lead_share(
    *, proposal: Proposal, by: User, lead_role: str, lead_share: Decimal | None
) -> Proposal:
    """The lead states its own role and share of the work. Counts as an edit of the proposal (its
    revision goes up, so a co-editor's open editor notices). Audited."""
    if lead_share is not None and not Decimal("0") <= lead_share <= Decimal("100"):
        raise ConsortiumError(_("The share of the work must be between 0 and 100 %."))
    with transaction.atomic():
        proposal = _lock_open_proposal(proposal)
        proposal.lead_role, proposal.lead_share = lead_role.strip(), lead_share
        proposal.revision += 1
        proposal.save(update_fields=["lead_role", "lead_share", "revision", "updated_at"])
        record_audit(
            actor=by,
            action="consortium.lead_share_changed",
            target=proposal,
            organisation=proposal.supplier,
            data={"share": str(lead_share) if lead_share is not None else None},
        )
    return proposal
