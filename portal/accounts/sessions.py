"""Idle sign-out for the people who can see the most: Django admin users, programme staff and evaluators are
signed out after `SESSION_IDLE_TIMEOUT` seconds (30 minutes) without a request.

Whether the rule applies is decided once, when the person signs in (or on the first request of a session
from before the rule), and kept in the session, so no page pays a query for it. Someone appointed to a panel
while signed in comes under the rule at their next sign-in.

A page that applies it tells the browser (`data-idle-timeout` on <body>): portal.js warns two minutes before
the end with a button that keeps the session (WCAG 2.2.1, timing adjustable), and typing in a form counts as
activity, so a long score justification is never lost to the timeout. The page is told when the server last
saw the person (`data-idle-last-seen`, with the server's clock in `data-idle-now`), because the server
records activity at most once a minute: the page's countdown ends when the server's does.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils.translation import gettext as _

# Keys in the session: whether the rule applies, and when the person was last seen (Unix seconds).
IDLE_TIMEOUT_KEY = "idle_timeout"
LAST_SEEN_KEY = "idle_last_seen"
# The session is written at most once a minute to record activity, not on every request.
TOUCH_EVERY = 60


def idle_timeout() -> int:
    return settings.SESSION_IDLE_TIMEOUT


def needs_idle_timeout(user) -> bool:
    """Django admin users, programme staff and anyone on an evaluation panel."""
    if user.is_staff or user.is_superuser or user.is_programme_staff:
        return True
    return user.evaluator_roles.filter(removed_at__isnull=True).exists()


@receiver(user_logged_in, dispatch_uid="accounts.apply_idle_timeout")
def apply_idle_timeout(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session[IDLE_TIMEOUT_KEY] = idle_timeout() if needs_idle_timeout(user) else 0
    request.session[LAST_SEEN_KEY] = int(time.time())


class IdleTimeoutMiddleware:
    """Signs out a session under the idle rule that has not been seen for longer than the timeout, and
    sends the person to the sign-in page, back to where they were afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        timeout = session.get(IDLE_TIMEOUT_KEY)
        if timeout is None and request.user.is_authenticated:
            # A session from before this rule (or a sign-in that bypassed the signal): decide once.
            apply_idle_timeout(sender=None, request=request, user=request.user)
            timeout = session[IDLE_TIMEOUT_KEY]
        if timeout and request.user.is_authenticated:
            now = int(time.time())
            last_seen = session.get(LAST_SEEN_KEY, now)
            if now - last_seen > timeout:
                logout(request)
                if request.path == reverse("accounts:session-keep-alive"):
                    # The page asked to stay signed in too late: it says so itself, without a redirect.
                    return HttpResponse(status=401)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity. Sign in to continue.")
                    % {"minutes": timeout // 60},
                )
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= TOUCH_EVERY:
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def keep_alive(request):
    """POST: the person is still here (they pressed "Stay signed in", or are typing in a form). The
    middleware above has already recorded the activity; this answers 204, or 401 once signed out."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    session = request.session
    if session.get(IDLE_TIMEOUT_KEY):
        session[LAST_SEEN_KEY] = int(time.time())
    return HttpResponse(status=204)
