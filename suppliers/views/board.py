"""The "looking for partners" board of a public challenge: the list of posts, posting (one per
organisation), a post's page (its author sees the conversations; others write to it) and a conversation.

Reading the board needs sign-in as a supplier organisation's member (the posts are business
information): anonymous visitors go to the sign-in page; signed-in people without a supplier
organisation get a 403 (the challenge is public, the board is not theirs). A conversation is a 404 for
anyone but its two organisations' members."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from challenges.models import Challenge
from portal.accounts.models import Organisation
from portal.accounts.selectors import active_organisation_for

from ..forms_board import MessageForm, PartnerPostForm
from ..models import PartnerPost
from ..rules import is_supplier_member
from ..selectors.board import (
    conversations_for,
    conversations_of_post,
    conversations_visible_to,
    messages_of,
    open_posts_for,
    own_posts_for,
)
from ..services.board import (
    BoardError,
    close_partner_post,
    conversation_side,
    reopen_partner_post,
    reply_to_partner_post,
    save_partner_post,
    send_partner_message,
    share_contact_details,
)

PAGE_SIZE = 20
MESSAGES_PAGE_SIZE = 50


def _challenge(pk: int) -> Challenge:
    return get_object_or_404(Challenge.objects.public().select_related("owner"), pk=pk)


def _require_supplier(request: HttpRequest) -> None:
    if not is_supplier_member(request.user):
        raise PermissionDenied(_("The partner board is for members of supplier organisations."))


def _acting_supplier(request: HttpRequest) -> Organisation | None:
    """The supplier organisation the user acts for: the active one if it is a supplier, else their first
    supplier organisation by name."""
    organisation = active_organisation_for(request=request)
    if organisation is not None and organisation.pk in request.user.supplier_organisation_ids:
        return organisation
    return Organisation.objects.filter(pk__in=request.user.supplier_organisation_ids).order_by("name").first()


def _post(pk: int) -> PartnerPost:
    return get_object_or_404(
        PartnerPost.objects.filter(challenge__in=Challenge.objects.public()).select_related(
            "challenge__owner", "organisation", "organisation__supplier_profile"
        ),
        pk=pk,
    )


@login_required
@require_safe
def board(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(pk)
    _require_supplier(request)
    page = Paginator(open_posts_for(challenge=challenge), PAGE_SIZE).get_page(request.GET.get("page"))
    own_posts = own_posts_for(challenge=challenge, user=request.user)
    return render(
        request,
        "suppliers/board/board.html",
        {
            "challenge": challenge,
            "page_obj": page,
            "own_posts": own_posts,
            "own_post_ids": {post.pk for post in own_posts},
            "conversations": conversations_for(user=request.user, challenge=challenge),
            "can_post": rules.has_perm("suppliers.post_partner_search", request.user, challenge),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(pk)
    _require_supplier(request)
    if not rules.has_perm("suppliers.post_partner_search", request.user, challenge):
        raise PermissionDenied(_("The board takes posts only while the challenge is open."))
    organisation = _acting_supplier(request)
    existing = PartnerPost.objects.filter(challenge=challenge, organisation=organisation).first()
    form = PartnerPostForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        try:
            save_partner_post(
                challenge=challenge,
                organisation=organisation,
                by=request.user,
                brings=form.cleaned_data["brings"],
                seeks=form.cleaned_data["seeks"],
            )
        except BoardError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your post is on the board."))
            return redirect("suppliers:board", pk=challenge.pk)
    return render(
        request,
        "suppliers/board/post_form.html",
        {"challenge": challenge, "form": form, "organisation": organisation, "existing": existing},
    )


def _post_state_change(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    _require_supplier(request)
    post = _post(pk)
    if not rules.has_perm("suppliers.manage_partner_post", request.user, post):
        raise PermissionDenied
    try:
        action(post=post, by=request.user)
    except BoardError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("suppliers:board-post-detail", pk=post.pk)


@login_required
@require_POST
def post_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_state_change(request, pk, close_partner_post, _("Your post is no longer on the board."))


@login_required
@require_POST
def post_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_state_change(request, pk, reopen_partner_post, _("Your post is back on the board."))


@login_required
@require_http_methods(["GET", "POST"])
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_supplier(request)
    post = _post(pk)
    challenge = post.challenge
    is_author = rules.has_perm("suppliers.manage_partner_post", request.user, post)
    own_conversation = None if is_author else conversations_visible_to(request.user).filter(post=post).first()
    if own_conversation is not None and request.method == "GET":
        return redirect("suppliers:board-conversation", pk=own_conversation.pk)
    can_reply = (
        not is_author
        and own_conversation is None
        and challenge.is_open
        and rules.has_perm("suppliers.reply_partner_post", request.user, post)
    )
    form = MessageForm(request.POST or None) if can_reply else None
    if request.method == "POST":
        if not can_reply:
            raise PermissionDenied
        if form.is_valid():
            try:
                conversation = reply_to_partner_post(
                    post=post,
                    organisation=_acting_supplier(request),
                    by=request.user,
                    body=form.cleaned_data["body"],
                )
            except BoardError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your message has been sent."))
                return redirect("suppliers:board-conversation", pk=conversation.pk)
    return render(
        request,
        "suppliers/board/post_detail.html",
        {
            "challenge": challenge,
            "post": post,
            "is_author": is_author,
            "conversations": conversations_of_post(post=post) if is_author else [],
            "form": form,
            "acting_for": _acting_supplier(request) if can_reply else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(
        conversations_visible_to(request.user).select_related(
            "post__challenge", "post__organisation", "organisation"
        ),
        pk=pk,
    )
    challenge = conversation.post.challenge
    side = conversation_side(conversation=conversation, user=request.user)
    can_write = challenge.is_open
    form = MessageForm(request.POST or None) if can_write else None
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        if form.is_valid():
            try:
                send_partner_message(
                    conversation=conversation, by=request.user, body=form.cleaned_data["body"]
                )
            except BoardError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your message has been sent."))
                return redirect("suppliers:board-conversation", pk=conversation.pk)
    paginator = Paginator(messages_of(conversation=conversation), MESSAGES_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page") or paginator.num_pages)
    we_share = (
        conversation.poster_shares_contact_at if side == "poster" else conversation.replier_shares_contact_at
    )
    they_share = (
        conversation.replier_shares_contact_at if side == "poster" else conversation.poster_shares_contact_at
    )
    return render(
        request,
        "suppliers/board/conversation_detail.html",
        {
            "challenge": challenge,
            "conversation": conversation,
            "post": conversation.post,
            "us": conversation.post.organisation if side == "poster" else conversation.organisation,
            "them": conversation.organisation if side == "poster" else conversation.post.organisation,
            "page_obj": page,
            "form": form,
            "we_share": we_share,
            "they_share": they_share,
            "contacts_shared": conversation.contacts_shared,
        },
    )


@login_required
@require_POST
def conversation_share(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(
        conversations_visible_to(request.user).select_related("post__organisation", "organisation"), pk=pk
    )
    conversation = share_contact_details(conversation=conversation, by=request.user)
    if conversation.contacts_shared:
        messages.success(request, _("Both organisations have agreed: contact details are now shown."))
    else:
        messages.success(
            request, _("Your contact details will be shown once the other organisation agrees too.")
        )
    return redirect("suppliers:board-conversation", pk=conversation.pk)
