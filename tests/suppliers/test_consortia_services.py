"""Consortium writes: invitations by organisation and by address, answers, withdrawals, removals, and the
one-bid-per-supplier rule."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from portal.accounts.enums import MembershipRole
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification, OutboxMail
from suppliers import kinds
from suppliers.enums import PartnerStatus, ProposalStatus
from suppliers.models import ConsortiumPartner
from suppliers.services.consortia import (
    INVITATION_LIFETIME,
    ConsortiumError,
    accept_partner_invitation,
    decline_partner_invitation,
    invite_partner_by_email,
    invite_partner_organisation,
    partner_for_token,
    partner_token_digest,
    remove_partner,
    token_is_expired,
    update_lead_share,
    withdraw_partner_invitation,
)
from tests.factories.accounts import BuyerFactory, MembershipFactory, SupplierFactory
from tests.factories.suppliers import (
    AcceptedPartnerFactory,
    ConsortiumPartnerFactory,
    CriterionAnswerFactory,
    OutcomeAnswerFactory,
    PriceLineFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    SubmittedProposalFactory,
)
from tests.suppliers.conftest import close_challenge

pytestmark = pytest.mark.django_db


def member(organisation, role=MembershipRole.MEMBER):
    return MembershipFactory(organisation=organisation, role=role).user


@pytest.fixture
def lead():
    proposal = ProposalFactory()
    return {"proposal": proposal, "user": member(proposal.supplier, MembershipRole.ADMIN)}


def invite(lead, organisation, **extra):
    return invite_partner_organisation(
        proposal=lead["proposal"],
        by=lead["user"],
        organisation=organisation,
        role=extra.pop("role", "Installation"),
        work_share=extra.pop("work_share", Decimal("30")),
        **extra,
    )


# --- Inviting ---------------------------------------------------------------------------------------------


def test_invite_organisation_notifies_its_admins_only_and_audits(lead):
    partner_org = SupplierFactory()
    admin = member(partner_org, MembershipRole.ADMIN)
    plain = member(partner_org)

    partner = invite(lead, partner_org, message="Join us?")

    assert partner.status == PartnerStatus.INVITED
    assert partner.token_digest == ""
    notes = Notification.objects.filter(kind=kinds.PARTNER_INVITED.key)
    assert [note.recipient for note in notes] == [admin]
    assert plain not in [note.recipient for note in notes]
    mail = OutboxMail.objects.get(kind=kinds.PARTNER_INVITED.key)
    assert mail.to_email == admin.email
    assert lead["proposal"].supplier.name in mail.subject
    assert "Join us?" in mail.body_text
    assert AuditEvent.objects.filter(action="consortium.partner_invited").count() == 1


def test_invite_refuses_the_lead_itself(lead):
    with pytest.raises(ConsortiumError, match="leads this proposal"):
        invite(lead, lead["proposal"].supplier)


def test_invite_refuses_a_duplicate_live_invitation(lead):
    partner_org = SupplierFactory()
    invite(lead, partner_org)

    with pytest.raises(ConsortiumError, match="already invited"):
        invite(lead, partner_org)
    assert ConsortiumPartner.objects.filter(organisation=partner_org).count() == 1


def test_invite_again_after_a_decline_is_allowed(lead):
    partner_org = SupplierFactory()
    first = invite(lead, partner_org)
    decline_partner_invitation(partner=first, by=member(partner_org))

    second = invite(lead, partner_org)

    assert second.status == PartnerStatus.INVITED


def test_invite_refuses_a_buyer_organisation(lead):
    with pytest.raises(ConsortiumError, match="supplier organisation"):
        invite(lead, BuyerFactory())


@pytest.mark.parametrize("share", [Decimal("-1"), Decimal("100.01"), None])
def test_invite_refuses_a_share_outside_0_to_100(lead, share):
    with pytest.raises(ConsortiumError, match="between 0 and 100"):
        invite(lead, SupplierFactory(), work_share=share)


def test_invite_refuses_an_empty_role(lead):
    with pytest.raises(ConsortiumError, match="role"):
        invite(lead, SupplierFactory(), role="   ")


def test_invite_refuses_after_submission(lead):
    lead["proposal"].status, lead["proposal"].submitted_at = ProposalStatus.SUBMITTED, timezone.now()
    lead["proposal"].save()

    with pytest.raises(ConsortiumError, match="withdraw it first"):
        invite(lead, SupplierFactory())


def test_invite_refuses_after_the_deadline(lead):
    close_challenge(lead["proposal"].challenge)

    with pytest.raises(ConsortiumError, match="no longer accepts"):
        invite(lead, SupplierFactory())


def test_invite_does_not_reveal_that_the_invited_organisation_bids(lead):
    # Refusing here would tell the lead that the other organisation has bid: the check waits for the answer.
    bidder = SubmittedProposalFactory(challenge=lead["proposal"].challenge).supplier

    partner = invite(lead, bidder)

    assert partner.status == PartnerStatus.INVITED


def test_invite_by_email_stores_only_the_digest_and_mails_the_link(lead):
    partner, token = invite_partner_by_email(
        proposal=lead["proposal"],
        by=lead["user"],
        email=" new@partner.example ",
        role="Design",
        work_share=Decimal("20"),
    )

    assert partner.email == "new@partner.example"
    assert partner.organisation is None
    assert partner.token_digest == partner_token_digest(token)
    assert token not in partner.token_digest
    mail = OutboxMail.objects.get(kind=kinds.PARTNER_INVITED.key)
    assert mail.to_email == "new@partner.example"
    assert f"/consortium-invitations/link/{token}/" in mail.body_text
    assert partner_for_token(token) == partner
    assert AuditEvent.objects.filter(action="consortium.partner_invited").count() == 1


def test_invite_by_email_refuses_a_second_open_invitation_to_the_same_address(lead):
    kwargs = {"proposal": lead["proposal"], "by": lead["user"], "role": "Design", "work_share": Decimal("20")}
    invite_partner_by_email(email="new@partner.example", **kwargs)

    with pytest.raises(ConsortiumError, match="already been invited"):
        invite_partner_by_email(email="NEW@partner.example", **kwargs)


# --- Answering --------------------------------------------------------------------------------------------


def test_accept_notifies_the_lead_and_lets_the_partner_in(lead):
    partner_org = SupplierFactory()
    partner = invite(lead, partner_org)
    answering = member(partner_org)

    accept_partner_invitation(partner=partner, by=answering)

    partner.refresh_from_db()
    assert partner.status == PartnerStatus.ACCEPTED
    assert partner.responded_by == answering
    recipients = set(
        Notification.objects.filter(kind=kinds.PARTNER_ACCEPTED.key).values_list("recipient", flat=True)
    )
    assert recipients == {lead["user"].pk, partner.invited_by_id}
    assert AuditEvent.objects.filter(action="consortium.invitation_accepted").count() == 1
    lead["proposal"].__dict__.pop("bidder_organisation_ids", None)
    assert partner_org.pk in lead["proposal"].bidder_organisation_ids


def test_decline_notifies_the_lead(lead):
    partner_org = SupplierFactory()
    partner = invite(lead, partner_org)

    decline_partner_invitation(partner=partner, by=member(partner_org))

    partner.refresh_from_db()
    assert partner.status == PartnerStatus.DECLINED
    assert Notification.objects.filter(kind=kinds.PARTNER_DECLINED.key, recipient=lead["user"]).exists()
    assert AuditEvent.objects.filter(action="consortium.invitation_declined").count() == 1


def test_answer_twice_is_refused(lead):
    partner_org = SupplierFactory()
    partner = invite(lead, partner_org)
    answering = member(partner_org)
    accept_partner_invitation(partner=partner, by=answering)

    with pytest.raises(ConsortiumError, match="already been answered"):
        decline_partner_invitation(partner=partner, by=answering)


def test_accept_refused_for_someone_outside_the_invited_organisation(lead):
    partner = invite(lead, SupplierFactory())

    with pytest.raises(ConsortiumError, match="belong to"):
        accept_partner_invitation(partner=partner, by=member(SupplierFactory()))


def test_accept_refused_when_the_organisation_leads_its_own_live_proposal(lead):
    partner_org = SupplierFactory()
    ProposalFactory(challenge=lead["proposal"].challenge, supplier=partner_org)
    partner = invite(lead, partner_org)

    with pytest.raises(ConsortiumError, match="its own proposal"):
        accept_partner_invitation(partner=partner, by=member(partner_org))


def empty_draft(challenge, supplier):
    return ProposalFactory(
        challenge=challenge,
        supplier=supplier,
        title="",
        summary="",
        approach="",
        team="",
        timeline="",
        price=None,
    )


def test_accept_allowed_when_its_own_proposal_is_an_empty_draft(lead):
    partner_org = SupplierFactory()
    empty_draft(lead["proposal"].challenge, partner_org)
    partner = invite(lead, partner_org)

    accept_partner_invitation(partner=partner, by=member(partner_org))

    partner.refresh_from_db()
    assert partner.status == PartnerStatus.ACCEPTED


@pytest.mark.parametrize(
    "own",
    [
        "withdrawn",  # it may be submitted again until the deadline
        "submitted",
        "a team only",
        "a price only",
        "an outcome answer only",
        "a criterion answer only",
        "a price line only",
        "a document only",
    ],
)
def test_accept_refused_when_its_own_proposal_has_anything_in_it_or_was_submitted(lead, own):
    partner_org = SupplierFactory()
    proposal = empty_draft(lead["proposal"].challenge, partner_org)
    if own == "withdrawn":
        proposal.status, proposal.withdrawn_at = ProposalStatus.WITHDRAWN, timezone.now()
    elif own == "submitted":
        proposal.status, proposal.submitted_at = ProposalStatus.SUBMITTED, timezone.now()
    elif own == "a team only":
        proposal.team = "Two engineers"
    elif own == "a price only":
        proposal.price = Decimal("1")
    elif own == "an outcome answer only":
        OutcomeAnswerFactory(proposal=proposal)
    elif own == "a criterion answer only":
        CriterionAnswerFactory(proposal=proposal)
    elif own == "a price line only":
        PriceLineFactory(proposal=proposal)
    else:
        ProposalDocumentFactory(proposal=proposal)
    proposal.save()
    partner = invite(lead, partner_org)

    with pytest.raises(ConsortiumError, match=f"{partner_org.name} has its own proposal"):
        accept_partner_invitation(partner=partner, by=member(partner_org))

    partner.refresh_from_db()
    assert partner.status == PartnerStatus.INVITED


def test_accept_refused_when_already_partner_of_another_proposal_for_the_challenge(lead):
    partner_org = SupplierFactory()
    AcceptedPartnerFactory(
        proposal=ProposalFactory(challenge=lead["proposal"].challenge), organisation=partner_org
    )
    partner = invite(lead, partner_org)

    with pytest.raises(ConsortiumError, match="another proposal"):
        accept_partner_invitation(partner=partner, by=member(partner_org))


def test_partnering_another_challenge_does_not_count(lead):
    partner_org = SupplierFactory()
    AcceptedPartnerFactory(organisation=partner_org)  # a proposal for another challenge
    partner = invite(lead, partner_org)

    accept_partner_invitation(partner=partner, by=member(partner_org))

    partner.refresh_from_db()
    assert partner.status == PartnerStatus.ACCEPTED


def test_accept_refused_after_the_deadline_but_decline_works(lead):
    partner_org = SupplierFactory()
    partner = invite(lead, partner_org)
    close_challenge(lead["proposal"].challenge)

    with pytest.raises(ConsortiumError, match="no longer accepts"):
        accept_partner_invitation(partner=partner, by=member(partner_org))
    decline_partner_invitation(partner=partner, by=member(partner_org))


# --- Answering by link ------------------------------------------------------------------------------------


@pytest.fixture
def emailed(lead):
    partner, token = invite_partner_by_email(
        proposal=lead["proposal"], by=lead["user"], email="new@partner.example", role="Design", work_share=20
    )
    return {**lead, "partner": partner, "token": token}


def test_accept_by_link_for_a_chosen_organisation(emailed):
    partner_org = SupplierFactory()
    user = member(partner_org)

    accept_partner_invitation(partner=partner_for_token(emailed["token"]), by=user, organisation=partner_org)

    partner = ConsortiumPartner.objects.get(pk=emailed["partner"].pk)
    assert (partner.status, partner.organisation) == (PartnerStatus.ACCEPTED, partner_org)


def test_accept_by_link_needs_an_organisation(emailed):
    with pytest.raises(ConsortiumError, match="Choose the organisation"):
        accept_partner_invitation(partner=emailed["partner"], by=member(SupplierFactory()))


def test_accept_by_link_refuses_an_organisation_the_user_does_not_belong_to(emailed):
    with pytest.raises(ConsortiumError, match="belong to"):
        accept_partner_invitation(
            partner=emailed["partner"], by=member(SupplierFactory()), organisation=SupplierFactory()
        )


def test_accept_by_link_refuses_the_lead_itself(emailed):
    with pytest.raises(ConsortiumError, match="leads this proposal"):
        accept_partner_invitation(
            partner=emailed["partner"], by=emailed["user"], organisation=emailed["proposal"].supplier
        )


def test_accept_by_link_refuses_an_organisation_with_its_own_bid(emailed):
    own_bidder = SupplierFactory()
    ProposalFactory(challenge=emailed["proposal"].challenge, supplier=own_bidder)  # written, not submitted

    with pytest.raises(ConsortiumError, match="has its own proposal"):
        accept_partner_invitation(partner=emailed["partner"], by=member(own_bidder), organisation=own_bidder)

    emailed["partner"].refresh_from_db()
    assert emailed["partner"].status == PartnerStatus.INVITED


def test_accept_by_link_refuses_an_organisation_already_in_the_consortium(emailed):
    partner_org = SupplierFactory()
    AcceptedPartnerFactory(proposal=emailed["proposal"], organisation=partner_org)

    with pytest.raises(ConsortiumError, match="already invited"):
        accept_partner_invitation(
            partner=emailed["partner"], by=member(partner_org), organisation=partner_org
        )


def test_expired_link_is_refused(emailed):
    ConsortiumPartner.objects.filter(pk=emailed["partner"].pk).update(
        invited_at=timezone.now() - INVITATION_LIFETIME - timedelta(minutes=1)
    )
    partner = partner_for_token(emailed["token"])
    partner_org = SupplierFactory()

    assert token_is_expired(partner)
    with pytest.raises(ConsortiumError, match="expired"):
        accept_partner_invitation(partner=partner, by=member(partner_org), organisation=partner_org)


def test_used_link_is_refused(emailed):
    first, second = SupplierFactory(), SupplierFactory()
    accept_partner_invitation(partner=emailed["partner"], by=member(first), organisation=first)

    with pytest.raises(ConsortiumError, match="already been answered"):
        accept_partner_invitation(
            partner=partner_for_token(emailed["token"]), by=member(second), organisation=second
        )


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 101])
def test_wrong_link_finds_nothing(emailed, token):
    assert partner_for_token(token) is None


# --- The lead's changes -----------------------------------------------------------------------------------


def test_withdraw_an_invitation(lead):
    partner = invite(lead, SupplierFactory())

    withdraw_partner_invitation(partner=partner, by=lead["user"])

    partner.refresh_from_db()
    assert partner.status == PartnerStatus.REVOKED
    assert AuditEvent.objects.filter(action="consortium.invitation_withdrawn").count() == 1
    with pytest.raises(ConsortiumError, match="already been answered"):
        accept_partner_invitation(partner=partner, by=member(partner.organisation))


def test_withdraw_an_accepted_partner_is_refused(lead):
    partner = AcceptedPartnerFactory(proposal=lead["proposal"])

    with pytest.raises(ConsortiumError, match="already been answered"):
        withdraw_partner_invitation(partner=partner, by=lead["user"])


def test_remove_a_partner_while_editable(lead):
    partner = AcceptedPartnerFactory(proposal=lead["proposal"])

    remove_partner(partner=partner, by=lead["user"])

    partner.refresh_from_db()
    assert partner.status == PartnerStatus.REVOKED
    assert AuditEvent.objects.filter(action="consortium.partner_removed").count() == 1


def test_remove_a_partner_after_submission_is_refused(lead):
    partner = AcceptedPartnerFactory(proposal=lead["proposal"])
    lead["proposal"].status, lead["proposal"].submitted_at = ProposalStatus.SUBMITTED, timezone.now()
    lead["proposal"].save()

    with pytest.raises(ConsortiumError, match="withdraw it first"):
        remove_partner(partner=partner, by=lead["user"])


def test_remove_an_invited_partner_is_refused(lead):
    partner = ConsortiumPartnerFactory(proposal=lead["proposal"])

    with pytest.raises(ConsortiumError, match="not a partner"):
        remove_partner(partner=partner, by=lead["user"])


def test_update_lead_share_counts_as_an_edit(lead):
    before = lead["proposal"].revision

    proposal = update_lead_share(
        proposal=lead["proposal"], by=lead["user"], lead_role=" Lead ", lead_share=Decimal("70")
    )

    proposal.refresh_from_db()
    assert (proposal.lead_role, proposal.lead_share, proposal.revision) == ("Lead", Decimal("70"), before + 1)


def test_update_lead_share_refuses_more_than_100(lead):
    with pytest.raises(ConsortiumError, match="between 0 and 100"):
        update_lead_share(
            proposal=lead["proposal"], by=lead["user"], lead_role="Lead", lead_share=Decimal("101")
        )
