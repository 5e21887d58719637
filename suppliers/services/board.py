"""Writes for the "looking for partners" board: a supplier posts what it brings and seeks (one post per
organisation and challenge, which it edits, closes and reopens); others write to it through the portal.
Messages notify the other organisation's members without showing anyone's address; contact details
appear only once both sides have agreed to share them."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from portal.accounts.models import Organisation, User
from portal.audit.services import record_audit
from portal.notifications.services import notify

from .. import kinds
from ..enums import PartnerPostStatus
from ..models import PartnerConversation, PartnerMessage, PartnerPost

# Enough for a real conversation, too few for a spam run across the board.
MESSAGE_RATE_LIMIT = 20
MESSAGE_RATE_WINDOW = timedelta(hours=1)
MESSAGE_MAX_LENGTH = 5000


class BoardError(Exception):
    """A board action the rules do not allow; the message is for the user."""


def _check_open(challenge: Challenge) -> None:
    """By the database clock: the board takes posts and messages only while the challenge is open."""
    is_open = Challenge.objects.filter(
        pk=challenge.pk, status=ChallengeStatus.PUBLISHED, submission_deadline__gt=Now()
    ).exists()
    if not is_open:
        raise BoardError(_("The challenge has closed: the board no longer takes posts or messages."))


def _check_member(by: User, organisation: Organisation) -> None:
    if organisation is None or organisation.pk not in by.supplier_organisation_ids:
        raise BoardError(_("Only members of a supplier organisation can use the partner board."))


def save_partner_post(
    *, challenge: Challenge, organisation: Organisation, by: User, brings: str, seeks: str
) -> PartnerPost:
    """Post the organisation's notice on the challenge's board, or update (and reopen) the one it has:
    one post per organisation and challenge. Audited."""
    _check_member(by, organisation)
    brings, seeks = brings.strip(), seeks.strip()
    if not brings or not seeks:
        raise BoardError(_("Say what your organisation brings and what it is looking for."))
    with transaction.atomic():
        _check_open(challenge)
        post = (
            PartnerPost.objects.select_for_update()
            .filter(challenge=challenge, organisation=organisation)
            .first()
        )
        if post is None:
            try:
                with transaction.atomic():
                    post = PartnerPost.objects.create(
                        challenge=challenge,
                        organisation=organisation,
                        created_by=by,
                        brings=brings,
                        seeks=seeks,
                    )
            except IntegrityError:  # posted twice at once: the second one updates the first
                post = PartnerPost.objects.select_for_update().get(
                    challenge=challenge, organisation=organisation
                )
            else:
                record_audit(actor=by, action="board.post_created", target=post, organisation=organisation)
                return post
        post.brings, post.seeks, post.status = brings, seeks, PartnerPostStatus.OPEN
        post.save(update_fields=["brings", "seeks", "status", "updated_at"])
        record_audit(actor=by, action="board.post_updated", target=post, organisation=organisation)
    return post


def close_partner_post(*, post: PartnerPost, by: User) -> PartnerPost:
    """No longer looking: the post leaves the board; conversations already started stay. Audited."""
    with transaction.atomic():
        post = PartnerPost.objects.select_for_update().get(pk=post.pk)
        if post.status != PartnerPostStatus.CLOSED:
            post.status = PartnerPostStatus.CLOSED
            post.save(update_fields=["status", "updated_at"])
            record_audit(actor=by, action="board.post_closed", target=post, organisation=post.organisation)
    return post


def reopen_partner_post(*, post: PartnerPost, by: User) -> PartnerPost:
    with transaction.atomic():
        post = PartnerPost.objects.select_for_update().select_related("challenge").get(pk=post.pk)
        _check_open(post.challenge)
        if post.status != PartnerPostStatus.OPEN:
            post.status = PartnerPostStatus.OPEN
            post.save(update_fields=["status", "updated_at"])
            record_audit(actor=by, action="board.post_reopened", target=post, organisation=post.organisation)
    return post


def conversation_side(*, conversation: PartnerConversation, user: User) -> str:
    """ "poster" or "replier": which of the two organisations the user speaks for. A person in both
    (rare) speaks for the poster."""
    if conversation.post.organisation_id in user.organisation_ids:
        return "poster"
    if conversation.organisation_id in user.organisation_ids:
        return "replier"
    raise BoardError(_("Only the two organisations of a conversation can write in it."))


def _check_rate(by: User) -> None:
    recent = PartnerMessage.objects.filter(sender=by, created_at__gte=timezone.now() - MESSAGE_RATE_WINDOW)
    if recent.count() >= MESSAGE_RATE_LIMIT:
        raise BoardError(
            _(
                "You have sent %(limit)d messages in the last hour, the most the board allows. "
                "Please wait a while before sending more."
            )
            % {"limit": MESSAGE_RATE_LIMIT}
        )


def _add_message(
    *, conversation: PartnerConversation, by: User, sender: Organisation, body: str
) -> PartnerMessage:
    message = PartnerMessage.objects.create(
        conversation=conversation, sender=by, sender_organisation=sender, body=body
    )
    PartnerConversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    post = conversation.post
    recipient_organisation_id = (
        conversation.organisation_id if sender.pk == post.organisation_id else post.organisation_id
    )
    recipients = User.objects.filter(memberships__organisation_id=recipient_organisation_id, is_active=True)
    # The mail names the sending organisation only: no person's name or address before both agree.
    notify(
        recipients=recipients,
        kind=kinds.PARTNER_BOARD_MESSAGE,
        context={"challenge": post.challenge, "sender_organisation": sender, "body": body},
        target=conversation,
        url=reverse("suppliers:board-conversation", kwargs={"pk": conversation.pk}),
    )
    return message


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise BoardError(_("Write a message."))
    if len(body) > MESSAGE_MAX_LENGTH:
        raise BoardError(
            _("A message can be at most %(limit)d characters long.") % {"limit": MESSAGE_MAX_LENGTH}
        )
    return body


def reply_to_partner_post(
    *, post: PartnerPost, organisation: Organisation, by: User, body: str
) -> PartnerConversation:
    """Write to a post's organisation for `organisation`: starts their conversation (one per post and
    replying organisation) or continues it. Notifies the post's organisation's members."""
    _check_member(by, organisation)
    body = _clean_body(body)
    if organisation.pk == post.organisation_id:
        raise BoardError(_("This is your own organisation's post."))
    with transaction.atomic():
        post = PartnerPost.objects.select_related("challenge").get(pk=post.pk)
        _check_open(post.challenge)
        _check_rate(by)
        conversation = PartnerConversation.objects.filter(post=post, organisation=organisation).first()
        if conversation is None:
            if post.status != PartnerPostStatus.OPEN:
                raise BoardError(_("This organisation is no longer looking for partners."))
            try:
                with transaction.atomic():
                    conversation = PartnerConversation.objects.create(post=post, organisation=organisation)
            except IntegrityError:
                conversation = PartnerConversation.objects.get(post=post, organisation=organisation)
        conversation.post = post
        _add_message(conversation=conversation, by=by, sender=organisation, body=body)
    return conversation


def send_partner_message(*, conversation: PartnerConversation, by: User, body: str) -> PartnerMessage:
    """Write in a conversation, for whichever of its two organisations the user belongs to. Notifies the
    other organisation's members."""
    body = _clean_body(body)
    side = conversation_side(conversation=conversation, user=by)
    with transaction.atomic():
        conversation = PartnerConversation.objects.select_related(
            "post__challenge", "post__organisation", "organisation"
        ).get(pk=conversation.pk)
        _check_open(conversation.post.challenge)
        _check_rate(by)
        sender = conversation.post.organisation if side == "poster" else conversation.organisation
        return _add_message(conversation=conversation, by=by, sender=sender, body=body)


def share_contact_details(*, conversation: PartnerConversation, by: User) -> PartnerConversation:
    """The user's organisation agrees to show its contact details (senders' names and addresses, its
    website) to the other side, which sees them once it has agreed too. Audited."""
    side = conversation_side(conversation=conversation, user=by)
    field = "poster_shares_contact_at" if side == "poster" else "replier_shares_contact_at"
    with transaction.atomic():
        updated = PartnerConversation.objects.filter(pk=conversation.pk, **{f"{field}__isnull": True}).update(
            **{field: timezone.now()}
        )
        conversation = PartnerConversation.objects.select_related("post__organisation", "organisation").get(
            pk=conversation.pk
        )
        if updated:
            record_audit(
                actor=by,
                action="board.contact_shared",
                target=conversation,
                organisation=conversation.post.organisation
                if side == "poster"
                else conversation.organisation,
            )
    return conversation
