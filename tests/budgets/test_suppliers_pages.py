"""Query budgets of the suppliers pages: the directory and profiles, the "looking for partners" board,
consortia, and the proposal editor, submission and receipts. Each renders with the same number of queries
with 1 and with 50 rows (profiles, references, posts, conversations, messages, partners, outcome answers,
price lines, documents, proposals …) and at most 15.

A case signs in the person who sees the most (the lead supplier's admin, the poster, the invited partner),
makes one row and returns the URL, a function that adds more rows and the expected status."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from suppliers.services.consortia import new_partner_token
from tests.budgets.budget import assert_flat_budget
from tests.factories.accounts import AdminMembershipFactory, SupplierFactory
from tests.factories.challenges import OutcomeFactory, PublishedChallengeFactory
from tests.factories.suppliers import (
    AcceptedPartnerFactory,
    CapabilityTagFactory,
    ConsortiumPartnerFactory,
    OutcomeAnswerFactory,
    PartnerConversationFactory,
    PartnerMessageFactory,
    PartnerPostFactory,
    PriceLineFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    ReceiptFactory,
    SubmittedProposalFactory,
    SupplierProfileFactory,
    SupplierReferenceFactory,
)

pytestmark = pytest.mark.django_db

PAGES = {
    "suppliers:directory",
    "suppliers:profile-detail",
    "suppliers:profile-edit",
    "suppliers:profile-logo",
    "suppliers:board",
    "suppliers:board-post-edit",
    "suppliers:board-post-detail",
    "suppliers:board-conversation",
    "suppliers:consortium",
    "suppliers:partner-invitation-list",
    "suppliers:partner-invitation-detail",
    "suppliers:partner-invitation-token",
    # suppliers/views/proposals.py and submission.py
    "suppliers:proposal-list",
    "suppliers:proposal-edit",
    "suppliers:proposal-document",
    "suppliers:proposal-detail",
    "suppliers:proposal-submit",
    "suppliers:proposal-withdraw",
    "suppliers:receipt-detail",
    "suppliers:receipt-download",
}

POST_ONLY = {
    "suppliers:board-post-close",
    "suppliers:board-post-reopen",
    "suppliers:board-conversation-share",
    "suppliers:consortium-invite",
    "suppliers:consortium-invite-email",
    "suppliers:consortium-lead",
    "suppliers:consortium-partner-withdraw",
    "suppliers:consortium-partner-remove",
    "suppliers:proposal-start",
    "suppliers:proposal-autosave",
    "suppliers:proposal-document-add",
    "suppliers:proposal-document-remove",
    "suppliers:receipt-verify",
}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (20, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _supplier_admin(client):
    membership = AdminMembershipFactory(organisation=SupplierFactory())
    client.force_login(membership.user)
    return membership


# --- Directory and profiles -------------------------------------------------------------------------------


def _listed_profile(n):
    tag = CapabilityTagFactory()
    for _n in range(n):
        profile = SupplierProfileFactory()
        profile.capability_tags.add(tag)
        SupplierReferenceFactory(profile=profile)


def _directory(client):
    _supplier_admin(client)
    _listed_profile(1)
    return reverse("suppliers:directory"), _listed_profile, 200


def _own_profile(client):
    membership = _supplier_admin(client)
    profile = SupplierProfileFactory(organisation=membership.organisation)
    profile.logo.save("logo.png", ContentFile(_png()), save=True)

    def grow(n):
        SupplierReferenceFactory.create_batch(n, profile=profile)
        profile.capability_tags.add(*CapabilityTagFactory.create_batch(n))
        SubmittedProposalFactory.create_batch(n, supplier=profile.organisation)

    grow(1)
    return profile, grow


def _profile_page(name):
    def case(client):
        profile, grow = _own_profile(client)
        return reverse(name, args=[profile.organisation.slug]), grow, 200

    return case


# --- The partner board ------------------------------------------------------------------------------------


def _board_scene(client):
    """A supplier admin who posted on an open challenge's board, with one other post and one reply."""
    membership = _supplier_admin(client)
    challenge = PublishedChallengeFactory()
    post = PartnerPostFactory(
        challenge=challenge, organisation=membership.organisation, created_by=membership.user
    )
    PartnerPostFactory(challenge=challenge)
    conversation = PartnerConversationFactory(post=post)
    PartnerMessageFactory(conversation=conversation)

    def grow(n):
        PartnerPostFactory.create_batch(n, challenge=challenge)
        for _n in range(n):
            PartnerMessageFactory(conversation=PartnerConversationFactory(post=post))
        PartnerMessageFactory.create_batch(n, conversation=conversation)

    return challenge, post, conversation, grow


def _board(client):
    challenge, _post, _conversation, grow = _board_scene(client)
    return reverse("suppliers:board", args=[challenge.pk]), grow, 200


def _board_post_edit(client):
    challenge, _post, _conversation, grow = _board_scene(client)
    return reverse("suppliers:board-post-edit", args=[challenge.pk]), grow, 200


def _board_post_detail(client):
    _challenge, post, _conversation, grow = _board_scene(client)
    return reverse("suppliers:board-post-detail", args=[post.pk]), grow, 200


def _board_conversation(client):
    _challenge, _post, conversation, grow = _board_scene(client)
    return reverse("suppliers:board-conversation", args=[conversation.pk]), grow, 200


# --- Consortia and proposals ---------------------------------------------------------------------------


def _proposal_scene(client, factory=ProposalFactory):
    """The lead supplier's admin and its proposal on an open challenge, with an outcome answer, a price
    line, a document and an accepted partner of each kind; growing adds as many more of each."""
    membership = _supplier_admin(client)
    challenge = PublishedChallengeFactory()
    proposal = factory(challenge=challenge, supplier=membership.organisation, created_by=membership.user)

    def grow(n):
        for _n in range(n):
            OutcomeAnswerFactory(proposal=proposal, outcome=OutcomeFactory(challenge=challenge))
            PriceLineFactory(proposal=proposal)
            ProposalDocumentFactory(proposal=proposal, uploaded_by=membership.user)
            AcceptedPartnerFactory(proposal=proposal)

    grow(1)
    return membership, proposal, grow


def _proposal_page(name, factory=ProposalFactory, status=200):
    def case(client):
        _membership, proposal, grow = _proposal_scene(client, factory)
        return reverse(name, args=[proposal.pk]), grow, status

    return case


def _proposal_list(client):
    membership = _supplier_admin(client)

    def grow(n):
        for _n in range(n):
            ProposalFactory(supplier=membership.organisation, created_by=membership.user)
            AcceptedPartnerFactory(organisation=membership.organisation)

    grow(1)
    return reverse("suppliers:proposal-list"), grow, 200


def _proposal_document(client):
    _membership, proposal, grow = _proposal_scene(client)
    document = proposal.documents.first()
    return reverse("suppliers:proposal-document", args=[proposal.pk, document.pk]), grow, 200


def _receipt_page(name):
    def case(client):
        membership, proposal, grow = _proposal_scene(client, SubmittedProposalFactory)
        receipt = ReceiptFactory(proposal=proposal, submitted_by=membership.user)
        return reverse(name, args=[receipt.pk]), grow, 200

    return case


def _invited_partner(client):
    """An admin of a supplier invited into a consortium, with as many other invitations as rows."""
    membership = _supplier_admin(client)
    partner = ConsortiumPartnerFactory(organisation=membership.organisation)

    def grow(n):
        for _n in range(n):
            ConsortiumPartnerFactory(organisation=membership.organisation)
            AcceptedPartnerFactory(proposal=partner.proposal)

    return partner, grow


def _invitation_list(client):
    _partner, grow = _invited_partner(client)
    return reverse("suppliers:partner-invitation-list"), grow, 200


def _invitation_detail(client):
    partner, grow = _invited_partner(client)
    return reverse("suppliers:partner-invitation-detail", args=[partner.pk]), grow, 200


def _invitation_token(client):
    membership = _supplier_admin(client)
    token, digest = new_partner_token()
    partner = ConsortiumPartnerFactory(organisation=None, email=membership.user.email, token_digest=digest)

    def grow(n):
        AcceptedPartnerFactory.create_batch(n, proposal=partner.proposal)

    return reverse("suppliers:partner-invitation-token", args=[token]), grow, 200


CASES = {
    "suppliers:directory": _directory,
    "suppliers:profile-detail": _profile_page("suppliers:profile-detail"),
    "suppliers:profile-edit": _profile_page("suppliers:profile-edit"),
    "suppliers:profile-logo": _profile_page("suppliers:profile-logo"),
    "suppliers:board": _board,
    "suppliers:board-post-edit": _board_post_edit,
    "suppliers:board-post-detail": _board_post_detail,
    "suppliers:board-conversation": _board_conversation,
    "suppliers:consortium": _proposal_page("suppliers:consortium"),
    "suppliers:partner-invitation-list": _invitation_list,
    "suppliers:partner-invitation-detail": _invitation_detail,
    "suppliers:partner-invitation-token": _invitation_token,
    "suppliers:proposal-list": _proposal_list,
    "suppliers:proposal-edit": _proposal_page("suppliers:proposal-edit"),
    "suppliers:proposal-document": _proposal_document,
    "suppliers:proposal-detail": _proposal_page("suppliers:proposal-detail", SubmittedProposalFactory),
    "suppliers:proposal-submit": _proposal_page("suppliers:proposal-submit"),
    "suppliers:proposal-withdraw": _proposal_page("suppliers:proposal-withdraw", SubmittedProposalFactory),
    "suppliers:receipt-detail": _receipt_page("suppliers:receipt-detail"),
    "suppliers:receipt-download": _receipt_page("suppliers:receipt-download"),
}


def test_every_page_has_a_case():
    assert set(CASES) == PAGES


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_query_budget(client, django_assert_max_num_queries, name):
    url, grow, status = CASES[name](client)

    assert_flat_budget(client, django_assert_max_num_queries, url, grow, status=status)
