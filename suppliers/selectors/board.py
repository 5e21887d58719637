"""Reads for the "looking for partners" board. Posts are for signed-in suppliers; a conversation is for
its two organisations' members only."""

from django.db.models import Count, Max, OuterRef, Q, QuerySet

from challenges.models import Challenge
from portal.accounts.models import User
from portal.subqueries import correlated_count

from ..enums import PartnerPostStatus
from ..models import PartnerConversation, PartnerMessage, PartnerPost


def open_posts_for(*, challenge: Challenge) -> QuerySet[PartnerPost]:
    """The board: open posts, newest first, with each organisation and its directory profile (if any).
    One query (per page)."""
    return (
        PartnerPost.objects.filter(challenge=challenge, status=PartnerPostStatus.OPEN)
        .select_related("organisation", "organisation__supplier_profile")
        .order_by("-created_at", "-pk")
    )


def own_posts_for(*, challenge: Challenge, user: User) -> list[PartnerPost]:
    """The posts of the user's supplier organisations on this challenge, open or closed. One query."""
    return list(
        PartnerPost.objects.filter(challenge=challenge, organisation_id__in=user.supplier_organisation_ids)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def conversations_visible_to(user: User) -> QuerySet[PartnerConversation]:
    if not user.is_authenticated:
        return PartnerConversation.objects.none()
    ids = user.organisation_ids
    return PartnerConversation.objects.filter(Q(organisation_id__in=ids) | Q(post__organisation_id__in=ids))


def conversations_for(*, user: User, challenge: Challenge) -> list[PartnerConversation]:
    """The user's organisations' conversations on this challenge's board, latest activity first, with
    how many messages each has. One query."""
    return list(
        conversations_visible_to(user)
        .filter(post__challenge=challenge)
        .select_related("post__organisation", "organisation")
        .annotate(message_count=Count("messages"), last_message_at=Max("messages__created_at"))
        .order_by("-updated_at", "-pk")
    )


def conversations_of_post(*, post: PartnerPost) -> list[PartnerConversation]:
    return list(
        PartnerConversation.objects.filter(post=post)
        .select_related("organisation")
        .annotate(message_count=Count("messages"), last_message_at=Max("messages__created_at"))
        .order_by("-updated_at", "-pk")
    )


def messages_of(*, conversation: PartnerConversation) -> QuerySet[PartnerMessage]:
    return (
        PartnerMessage.objects.filter(conversation=conversation)
        .select_related("sender", "sender_organisation")
        .order_by("created_at", "pk")
    )


def board_summary(*, challenge: Challenge, user: User) -> dict | None:
    """For the challenge page's panel: how many organisations are looking for partners, and whether one
    of the user's has posted. None (and no query) for anyone but a supplier organisation's member."""
    if not user.is_authenticated or not user.supplier_organisation_ids:
        return None
    if hasattr(challenge, "board_open_count"):  # read with the challenge (with_board_summary)
        return {"open_count": challenge.board_open_count, "own_count": challenge.board_own_count}
    own = list(user.supplier_organisation_ids)
    return PartnerPost.objects.filter(challenge=challenge).aggregate(
        open_count=Count("pk", filter=Q(status=PartnerPostStatus.OPEN)),
        own_count=Count("pk", filter=Q(organisation_id__in=own)),
    )


def with_board_summary(challenges: QuerySet[Challenge], user: User) -> QuerySet[Challenge]:
    """The challenges with board_summary's two counts in their own row (`board_open_count`,
    `board_own_count`): the challenge page reads them with the challenge (challenges.selectors.discovery
    names this function) instead of by a query of the panel's. Nothing for anyone board_summary answers
    None for."""
    if not user.is_authenticated or not user.supplier_organisation_ids:
        return challenges
    own = list(user.supplier_organisation_ids)
    posts = PartnerPost.objects.filter(challenge=OuterRef("pk"))
    return challenges.annotate(
        board_open_count=correlated_count(posts.filter(status=PartnerPostStatus.OPEN), by="challenge"),
        board_own_count=correlated_count(posts.filter(organisation_id__in=own), by="challenge"),
    )
