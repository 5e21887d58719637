from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.models import User

from .forms import EmailPreferencesForm
from .kinds import UnknownKind, get_kind
from .models import Notification
from .selectors import email_preferences_for, notifications_for
from .services import (
    mark_all_notifications_read,
    mark_notification_read,
    read_unsubscribe_token,
    set_email_preference,
    set_email_preferences,
)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("filter") == "unread"
    page = Paginator(notifications_for(user=request.user, unread_only=unread_only), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page_obj": page,
            "unread_only": unread_only,
            "query_string": "filter=unread" if unread_only else "",
        },
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notification marks it read and follows its link."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    mark_notification_read(notification=notification)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    mark_notification_read(notification=notification)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = mark_all_notifications_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = {kind.key: enabled for kind, enabled in email_preferences_for(user=request.user)}
    # Not "request.POST or None": with every box unticked the POST may be empty, and must still be saved.
    form = EmailPreferencesForm(request.POST if request.method == "POST" else None, current=current)
    if request.method == "POST" and form.is_valid():
        set_email_preferences(user=request.user, enabled=form.cleaned_data)
        messages.success(request, _("Your email preferences have been saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# The signed token is the credential; mail clients POST here for one-click unsubscribe (RFC 8058).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id, key = read_unsubscribe_token(token)
        kind = get_kind(key)
    except (signing.BadSignature, UnknownKind):
        raise Http404 from None
    if kind.mandatory:  # such mails carry no unsubscribe link; do not pretend to unsubscribe
        raise Http404
    user = get_object_or_404(User, pk=user_id, is_active=True)
    if request.method == "POST":
        set_email_preference(user=user, kind=kind, enabled=False)
        return render(request, "notifications/unsubscribed.html", {"kind": kind})
    return render(request, "notifications/unsubscribe_confirm.html", {"kind": kind, "token": token})
