"""Idle sign-out for the people who can see the most: Django admin users, programme staff and evaluators are
signed out after `SESSION_IDLE_TIMEOUT` seconds (30 minutes) without a request.

Whether the rule applies is decided when the person signs in (or on the first request of a session from
before the rule) and kept in the session, so a page pays no query for it. A session the rule does not apply
to is decided again at most once a minute (one query, with the session write that records the time), so
someone appointed to a panel while signed in comes under the rule within a minute, without signing in
again. A session under the rule stays under it until it ends.

A page that applies it tells the browser (`data-idle-timeout` on <body>; on the Django admin's pages, on a
wrapper of the banners, templates/admin/base_site.html): portal.js warns two minutes before the end with a
button that keeps the session (WCAG 2.2.1, timing adjustable), and typing in a form counts as activity, so
a long score justification is never lost to the timeout. The page is told when the server last saw the
person (`data-idle-last-seen`, with the server's clock in `data-idle-now`), because the server records
activity at most once a minute: the page's countdown ends when the server's does.

A sign-out that interrupts a POST cannot replay it (what was typed is gone with the request): the person is
sent back, after signing in, to the same-site page the form was on, or the home page, and told that what
they sent was not saved.
"""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

# Keys in the session: whether the rule applies, and when the person was last seen (Unix seconds). In a
# session the rule does not apply to, LAST_SEEN_KEY says when that was last decided.
IDLE_TIMEOUT_KEY = "idle_timeout"
LAST_SEEN_KEY = "idle_last_seen"
# The session is written at most once a minute to record activity, not on every request; a session outside
# the rule is decided again as often, in the same write.
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
    sends the person to the sign-in page, back to where they were afterwards (for a POST, to the page the
    form was on)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        timeout = session.get(IDLE_TIMEOUT_KEY)
        if request.user.is_authenticated and (timeout is None or (not timeout and _decision_is_old(session))):
            # A session from before this rule (or a sign-in that bypassed the signal), or one outside the
            # rule decided over a minute ago: the person may have been appointed to a panel since.
            apply_idle_timeout(sender=None, request=request, user=request.user)
            timeout = session[IDLE_TIMEOUT_KEY]
        if timeout and request.user.is_authenticated:
            now = int(time.time())
            last_seen = session.get(LAST_SEEN_KEY, now)
            if now - last_seen > timeout:
                return _sign_out(request, timeout)
            if now - last_seen >= TOUCH_EVERY:
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def _decision_is_old(session) -> bool:
    return int(time.time()) - session.get(LAST_SEEN_KEY, 0) >= TOUCH_EVERY


def _sign_out(request, timeout: int) -> HttpResponse:
    logout(request)
    if request.path == reverse("accounts:session-keep-alive"):
        # The page asked to stay signed in too late: it says so itself, without a redirect.
        return HttpResponse(status=401)
    minutes = {"minutes": timeout // 60}
    if request.method in ("GET", "HEAD"):
        messages.info(
            request,
            _("You were signed out after %(minutes)d minutes without activity. Sign in to continue.")
            % minutes,
        )
        return redirect_to_login(request.get_full_path())
    # Sent back to a POST-only URL after signing in, they would meet a 405; and the request that was cut
    # short cannot be replayed, so they must know that what they sent is gone.
    messages.warning(
        request,
        _(
            "You were signed out after %(minutes)d minutes without activity, so what you sent was not "
            "saved. Sign in and send it again."
        )
        % minutes,
    )
    return redirect_to_login(_page_the_form_was_on(request))


def _page_the_form_was_on(request) -> str:
    """The path (and query) of the Referer if it is a page of this site, else the home page: the header
    comes from the client, so an address elsewhere must never become where sign-in sends the person."""
    referer = request.headers.get("referer", "")
    allowed = {"allowed_hosts": {request.get_host()}, "require_https": request.is_secure()}
    if referer and url_has_allowed_host_and_scheme(referer, **allowed):
        parts = urlsplit(referer)
        path = f"{parts.path}?{parts.query}" if parts.query else parts.path
        # Checked again on its own: a path such as "//elsewhere.example" is an address on another site.
        if path.startswith("/") and url_has_allowed_host_and_scheme(path, **allowed):
            return path
    return reverse("web:home")


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
