"""Who may do what with supplier profiles, proposals, consortia and the partner board: the one place of
this app's permissions. Pages first fetch objects through `visible_to` querysets (a proposal the user may
not see is a 404); these predicates decide the actions on what they can see."""

import rules

from challenges.rules import is_open as challenge_is_open
from challenges.rules import is_supplier_member

from .enums import PartnerPostStatus, PartnerStatus, ProposalStatus

# Profiles (object: SupplierProfile)


@rules.predicate
def is_profile_member(user, profile) -> bool:
    return bool(
        user.is_authenticated and profile is not None and profile.organisation_id in user.organisation_ids
    )


@rules.predicate
def is_profile_admin(user, profile) -> bool:
    return bool(
        user.is_authenticated
        and profile is not None
        and user.organisation_roles.get(profile.organisation_id) == "admin"
    )


@rules.predicate
def is_listed(user, profile) -> bool:
    return profile is not None and profile.is_listed


# Proposals (object: Proposal)


@rules.predicate
def is_bidder(user, proposal) -> bool:
    """A member of the lead organisation or of a partner that accepted."""
    return bool(
        user.is_authenticated
        and proposal is not None
        and proposal.bidder_organisation_ids & user.organisation_ids
    )


@rules.predicate
def is_lead_member(user, proposal) -> bool:
    return bool(
        user.is_authenticated and proposal is not None and proposal.supplier_id in user.organisation_ids
    )


@rules.predicate
def is_open_for_submission(user, proposal) -> bool:
    """Its challenge accepts proposals now (the services check again against the database clock)."""
    return proposal is not None and proposal.challenge.is_open


@rules.predicate
def is_editable(user, proposal) -> bool:
    return proposal is not None and proposal.status in {ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN}


@rules.predicate
def is_submitted(user, proposal) -> bool:
    return proposal is not None and proposal.status == ProposalStatus.SUBMITTED


@rules.predicate
def is_opened(user, proposal) -> bool:
    return proposal is not None and proposal.is_opened


@rules.predicate
def is_buyer_admin(user, proposal) -> bool:
    return bool(
        user.is_authenticated
        and proposal is not None
        and user.organisation_roles.get(proposal.challenge.owner_id) == "admin"
    )


@rules.predicate
def is_evaluator(user, proposal) -> bool:
    return bool(user.is_authenticated and proposal is not None and user.pk in proposal.evaluator_user_ids)


@rules.predicate
def is_on_panel(user, proposal) -> bool:
    return bool(user.is_authenticated and proposal is not None and user.pk in proposal.panel_user_ids)


# Reading a proposal: its bidders always; after the deadline, the buyer's admins who are not on the panel,
# and the panel members under the evaluator's rules (an admin on the panel too). Never programme staff or
# superusers as such. The same rule as ProposalQuerySet.visible_to.
rules.add_perm(
    "suppliers.view_proposal",
    is_bidder | (is_opened & ((is_buyer_admin & ~is_on_panel) | is_evaluator)),
)
rules.add_perm("suppliers.edit_proposal", is_bidder & is_open_for_submission & is_editable)
rules.add_perm("suppliers.submit_proposal", is_lead_member & is_open_for_submission & is_editable)
rules.add_perm("suppliers.withdraw_proposal", is_lead_member & is_open_for_submission & is_submitted)
rules.add_perm("suppliers.manage_partners", is_lead_member & is_open_for_submission & is_editable)
rules.add_perm("suppliers.view_receipts", is_bidder)
# Starting a proposal (object: Challenge): a supplier organisation's member, while the challenge is open.
rules.add_perm("suppliers.start_proposal", is_supplier_member & challenge_is_open)


# Consortium invitations (object: ConsortiumPartner)


@rules.predicate
def is_invited_organisation_member(user, partner) -> bool:
    return bool(
        user.is_authenticated
        and partner is not None
        and partner.organisation_id is not None
        and partner.organisation_id in user.supplier_organisation_ids
    )


@rules.predicate
def is_pending_invitation(user, partner) -> bool:
    return partner is not None and partner.status == PartnerStatus.INVITED


rules.add_perm("suppliers.respond_partner_invitation", is_invited_organisation_member & is_pending_invitation)


# Partner board (objects: PartnerPost, PartnerConversation)


@rules.predicate
def is_post_author_member(user, post) -> bool:
    return bool(user.is_authenticated and post is not None and post.organisation_id in user.organisation_ids)


@rules.predicate
def is_open_post(user, post) -> bool:
    return post is not None and post.status == PartnerPostStatus.OPEN


@rules.predicate
def is_conversation_party(user, conversation) -> bool:
    return bool(
        user.is_authenticated
        and conversation is not None
        and {conversation.organisation_id, conversation.post.organisation_id} & user.organisation_ids
    )


rules.add_perm("suppliers.post_partner_search", is_supplier_member & challenge_is_open)
rules.add_perm("suppliers.manage_partner_post", is_post_author_member)
rules.add_perm("suppliers.reply_partner_post", is_supplier_member & is_open_post & ~is_post_author_member)
rules.add_perm("suppliers.view_partner_conversation", is_conversation_party)

# Profiles
rules.add_perm("suppliers.view_profile", is_listed | is_profile_member)
rules.add_perm("suppliers.change_profile", is_profile_admin)
