"""The partner board's writes: one post per organisation, conversations, messages that reveal no address,
contact details only when both sides agree, and a modest rate limit."""

import pytest
from django.contrib.auth.models import AnonymousUser

from portal.accounts.enums import MembershipRole
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification, OutboxMail
from suppliers import kinds
from suppliers.enums import PartnerPostStatus
from suppliers.models import PartnerConversation, PartnerMessage, PartnerPost
from suppliers.selectors.board import board_summary
from suppliers.services.board import (
    MESSAGE_RATE_LIMIT,
    BoardError,
    close_partner_post,
    conversation_side,
    reopen_partner_post,
    reply_to_partner_post,
    save_partner_post,
    send_partner_message,
    share_contact_details,
)
from tests.factories.accounts import BuyerFactory, MembershipFactory, SupplierFactory
from tests.factories.challenges import PublishedChallengeFactory
from tests.factories.suppliers import PartnerPostFactory
from tests.suppliers.conftest import close_challenge

pytestmark = pytest.mark.django_db


def member(organisation, role=MembershipRole.MEMBER):
    return MembershipFactory(organisation=organisation, role=role).user


@pytest.fixture
def board():
    challenge = PublishedChallengeFactory()
    poster_org, replier_org = SupplierFactory(name="Poster AS"), SupplierFactory(name="Replier AS")
    post = PartnerPostFactory(challenge=challenge, organisation=poster_org)
    return {
        "challenge": challenge,
        "post": post,
        "poster_org": poster_org,
        "replier_org": replier_org,
        "poster": member(poster_org, MembershipRole.ADMIN),
        "poster_colleague": member(poster_org),
        "replier": member(replier_org),
        "replier_colleague": member(replier_org),
    }


def reply(board, body="Shall we team up?"):
    return reply_to_partner_post(
        post=board["post"], organisation=board["replier_org"], by=board["replier"], body=body
    )


# --- Posts ------------------------------------------------------------------------------------------------


def test_one_post_per_organisation_saving_again_updates_it(board):
    organisation = SupplierFactory()
    user = member(organisation)

    first = save_partner_post(
        challenge=board["challenge"], organisation=organisation, by=user, brings="A", seeks="B"
    )
    second = save_partner_post(
        challenge=board["challenge"], organisation=organisation, by=user, brings="C", seeks="D"
    )

    assert first.pk == second.pk
    assert PartnerPost.objects.filter(challenge=board["challenge"], organisation=organisation).count() == 1
    assert (second.brings, second.seeks) == ("C", "D")
    assert AuditEvent.objects.filter(action__startswith="board.post_").count() == 2


def test_saving_a_closed_post_reopens_it(board):
    close_partner_post(post=board["post"], by=board["poster"])

    post = save_partner_post(
        challenge=board["challenge"],
        organisation=board["poster_org"],
        by=board["poster"],
        brings="X",
        seeks="Y",
    )

    assert post.status == PartnerPostStatus.OPEN


def test_post_refused_after_the_deadline(board):
    close_challenge(board["challenge"])

    with pytest.raises(BoardError, match="closed"):
        save_partner_post(
            challenge=board["challenge"],
            organisation=board["replier_org"],
            by=board["replier"],
            brings="A",
            seeks="B",
        )


def test_post_refused_for_a_non_member_or_a_buyer(board):
    with pytest.raises(BoardError, match="supplier organisation"):
        save_partner_post(
            challenge=board["challenge"],
            organisation=board["replier_org"],
            by=board["poster"],
            brings="A",
            seeks="B",
        )
    buyer = BuyerFactory()
    with pytest.raises(BoardError, match="supplier organisation"):
        save_partner_post(
            challenge=board["challenge"], organisation=buyer, by=member(buyer), brings="A", seeks="B"
        )


def test_post_needs_both_texts(board):
    with pytest.raises(BoardError, match="brings"):
        save_partner_post(
            challenge=board["challenge"],
            organisation=board["replier_org"],
            by=board["replier"],
            brings=" ",
            seeks="B",
        )


def test_close_and_reopen(board):
    close_partner_post(post=board["post"], by=board["poster"])
    board["post"].refresh_from_db()
    assert board["post"].status == PartnerPostStatus.CLOSED

    reopen_partner_post(post=board["post"], by=board["poster"])
    board["post"].refresh_from_db()
    assert board["post"].status == PartnerPostStatus.OPEN


def test_reopen_refused_after_the_deadline(board):
    close_partner_post(post=board["post"], by=board["poster"])
    close_challenge(board["challenge"])

    with pytest.raises(BoardError, match="closed"):
        reopen_partner_post(post=board["post"], by=board["poster"])


# --- Messages ---------------------------------------------------------------------------------------------


def test_reply_starts_one_conversation_and_notifies_the_posters_members_without_addresses(board):
    conversation = reply(board)
    again = reply(board, body="Second message")

    assert conversation.pk == again.pk
    assert PartnerMessage.objects.filter(conversation=conversation).count() == 2
    recipients = set(
        Notification.objects.filter(kind=kinds.PARTNER_BOARD_MESSAGE.key).values_list("recipient", flat=True)
    )
    assert recipients == {board["poster"].pk, board["poster_colleague"].pk}
    mails = OutboxMail.objects.filter(kind=kinds.PARTNER_BOARD_MESSAGE.key)
    assert mails.count() == 4
    for mail in mails:
        for text in (mail.subject, mail.body_text, mail.body_html):
            assert board["replier"].email not in text
            assert board["replier"].full_name not in text
        assert "Replier AS" in mail.body_text
        assert f"/suppliers/partner-conversations/{conversation.pk}/" in mail.body_text


def test_poster_answers_and_the_repliers_members_are_notified(board):
    conversation = reply(board)
    Notification.objects.all().delete()

    send_partner_message(conversation=conversation, by=board["poster"], body="Yes, let us talk.")

    message = PartnerMessage.objects.latest("pk")
    assert message.sender_organisation == board["poster_org"]
    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert recipients == {board["replier"].pk, board["replier_colleague"].pk}
    for mail in OutboxMail.objects.filter(kind=kinds.PARTNER_BOARD_MESSAGE.key, recipient=board["replier"]):
        assert board["poster"].email not in mail.body_text + mail.body_html + mail.subject


def test_reply_to_own_post_is_refused(board):
    with pytest.raises(BoardError, match="your own"):
        reply_to_partner_post(
            post=board["post"], organisation=board["poster_org"], by=board["poster"], body="Hi"
        )


def test_a_closed_post_takes_no_new_conversation_but_existing_ones_continue(board):
    conversation = reply(board)
    close_partner_post(post=board["post"], by=board["poster"])
    latecomer = SupplierFactory()

    with pytest.raises(BoardError, match="no longer looking"):
        reply_to_partner_post(post=board["post"], organisation=latecomer, by=member(latecomer), body="Hi")
    send_partner_message(conversation=conversation, by=board["poster"], body="Still here")


def test_messages_refused_after_the_deadline(board):
    conversation = reply(board)
    close_challenge(board["challenge"])

    with pytest.raises(BoardError, match="closed"):
        send_partner_message(conversation=conversation, by=board["poster"], body="Too late")


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_empty_or_oversized_message_is_refused(board, body):
    with pytest.raises(BoardError):
        reply(board, body=body)


def test_outsider_cannot_write_in_a_conversation(board):
    conversation = reply(board)

    with pytest.raises(BoardError, match="two organisations"):
        send_partner_message(conversation=conversation, by=member(SupplierFactory()), body="Hello")


def test_rate_limit(board):
    for number in range(MESSAGE_RATE_LIMIT):
        reply(board, body=f"Message {number}")

    with pytest.raises(BoardError, match="last hour"):
        reply(board, body="One too many")
    assert PartnerMessage.objects.count() == MESSAGE_RATE_LIMIT
    # the limit is per person: a colleague can still write
    reply_to_partner_post(
        post=board["post"], organisation=board["replier_org"], by=board["replier_colleague"], body="Hi"
    )


# --- Contact details --------------------------------------------------------------------------------------


def test_contact_details_need_both_sides(board):
    conversation = reply(board)

    conversation = share_contact_details(conversation=conversation, by=board["replier"])
    assert conversation.replier_shares_contact_at is not None
    assert not conversation.contacts_shared

    again = share_contact_details(conversation=conversation, by=board["replier_colleague"])
    assert again.replier_shares_contact_at == conversation.replier_shares_contact_at
    assert not again.contacts_shared

    conversation = share_contact_details(conversation=conversation, by=board["poster"])
    assert conversation.contacts_shared
    assert AuditEvent.objects.filter(action="board.contact_shared").count() == 2


def test_conversation_side(board):
    conversation = reply(board)

    assert conversation_side(conversation=conversation, user=board["poster"]) == "poster"
    assert conversation_side(conversation=conversation, user=board["replier"]) == "replier"


# --- The challenge page's summary -------------------------------------------------------------------------


def test_board_summary_counts_open_posts_and_own_post(board, django_assert_num_queries):
    PartnerPostFactory(challenge=board["challenge"], status=PartnerPostStatus.CLOSED)
    board["poster"].organisation_memberships  # noqa: B018 (read once, as a request would)

    with django_assert_num_queries(1):
        summary = board_summary(challenge=board["challenge"], user=board["poster"])

    assert summary == {"open_count": 1, "own_count": 1}
    assert board_summary(challenge=board["challenge"], user=board["replier"]) == {
        "open_count": 1,
        "own_count": 0,
    }


def test_board_summary_runs_no_query_for_anonymous_or_buyers(board, django_assert_num_queries):
    buyer = member(BuyerFactory())
    buyer.organisation_memberships  # noqa: B018

    with django_assert_num_queries(0):
        assert board_summary(challenge=board["challenge"], user=AnonymousUser()) is None
        assert board_summary(challenge=board["challenge"], user=buyer) is None


def test_conversations_are_unique_per_post_and_organisation(board):
    reply(board)

    assert PartnerConversation.objects.filter(post=board["post"]).count() == 1
