"""A short-lived cache of public pages as anonymous visitors see them.

Most of the portal's traffic is people who are not signed in reading the same public pages: the challenge
list and its searches, a challenge's statement, the supplier directory, an exchange's agenda. Each of
those renders the same HTML for every anonymous visitor in a language, so the page is kept (in
each web process's memory; see PAGES_CACHE) for `PUBLIC_PAGE_CACHE_SECONDS` and served from there without
touching the database.

What makes it safe:

* Only views marked with `@public_page` are cached, only for GET, and only for a request that carries no
  session cookie and no messages cookie: a signed-in person, or someone with a message to be shown, always
  gets a freshly rendered page.
* Only a 200 whose rendering touched nothing personal is stored: not one that used a CSRF token (the token
  is tied to the visitor's cookie), set a cookie, wrote to the session, or said `Cache-Control: private`
  or `no-store`.
* The key holds the host, the language, the path and the query string, and a generation number. A write
  to the data the public pages show (a model saved or deleted, a many-to-many change) moves the generation
  on once its transaction commits, so a newly published challenge or an answered question shows at once.
  What changes with the clock alone (a deadline passing) shows within `PUBLIC_PAGE_CACHE_SECONDS`.

Writes that no public page shows leave the generation alone (PRIVATE_MODELS, PRIVATE_WRITES). Were they to
move it on, the pages would be rendered again whenever anyone works, and anyone could tell that someone is
working: an anonymous visitor who times a public page on a quiet portal sees a miss (slower) after each
write, and could learn, say, that a bidder is autosaving a proposal before the deadline, that a panel is
scoring, or when someone signs in. The rule for a model listed there: no `@public_page` view reads its
table, as an anonymous visitor sees the page, directly or through a count, an annotation or a join; for
one in PRIVATE_WRITES, the writes it picks out change nothing that a public page reads. A model that a
public page reads only to decide what to leave out still counts as read. tests/web/test_pagecache.py holds
the gate: it renders every public page over data that fills each of their panels and fails if one reads
the table of a model listed as private. What is left is by design: a write that changes a public page (a
proposal submitted or withdrawn, a registration, an edited profile) still shows, as the page itself would.

The response phase of every middleware still runs on a page served from the cache, so the security
headers, Content-Language and Vary are those of a fresh page.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)

# The pages are kept in each web process's own memory (the "public_pages" cache: a bounded number of
# entries, the oldest culled), so that no query string an anonymous client makes up can fill the shared
# Redis, which also holds the broker's queues and the sign-in rate limits. The generation is in the
# shared cache (Redis), so a write in one process expires the pages of all of them. If the shared cache
# does not answer, pages are neither served from memory nor stored: a generation that cannot be read
# could hide a write.
PAGES_CACHE = "public_pages"
GENERATION_KEY = "pagecache:generation"
KEY_PREFIX = "pagecache:page"
# Headers of the view's own response that are kept with the page (the middleware adds the rest again).
KEPT_HEADERS = ("Content-Type", "Cache-Control", "Content-Disposition", "Link")
# Models whose writes do not expire the public pages: no public page reads their tables (the rule and its gate
# are in the module's docstring). Many-to-many changes are named by their through model ("app.model_field").
PRIVATE_MODELS = frozenset(
    {
        # Sign-in, sessions and the admin: who is signed in, their addresses, second factors and rights.
        "sessions.session",
        "account.emailaddress",
        "account.emailconfirmation",
        "mfa.authenticator",
        "accounts.user_groups",
        "accounts.user_user_permissions",
        "auth.group",
        "auth.group_permissions",
        "admin.logentry",
        # Organisations' members and invitations (the organisations themselves are public).
        "accounts.membership",
        "accounts.invitation",
        # The audit log, notifications, mail, reminders and the scheduler.
        "audit.auditevent",
        "notifications.notification",
        "notifications.outboxmail",
        "notifications.emailpreference",
        "notifications.reminderrecord",
        "django_celery_beat.periodictask",
        "django_celery_beat.periodictasks",
        "django_celery_beat.intervalschedule",
        "django_celery_beat.crontabschedule",
        "django_celery_beat.clockedschedule",
        "django_celery_beat.solarschedule",
        # A person's follows and saved searches; reviews of a challenge before it is published; the coach.
        "challenges.follow",
        "challenges.savedsearch",
        "challenges.review",
        "challenges.coachrule",
        # What a proposal holds (sealed: only the award notice shows whose the winners are, and how many bid),
        # its receipts, its consortium, and the partner board (for signed-in suppliers only).
        "suppliers.outcomeanswer",
        "suppliers.criterionanswer",
        "suppliers.priceline",
        "suppliers.proposaldocument",
        "suppliers.receipt",
        "suppliers.consortiumpartner",
        "suppliers.partnerpost",
        "suppliers.partnerconversation",
        "suppliers.partnermessage",
        # The evaluation before its outcome: the panel's members, declarations, scores and trials (the panel's
        # settings, the award, its winners and bidders' feedback rows, which the notice counts, are public).
        "evaluation.evaluator",
        "evaluation.conflictdeclaration",
        "evaluation.scoresheet",
        "evaluation.score",
        "evaluation.consensusscore",
        "evaluation.trial",
        "evaluation.trialresult",
        # Exchanges: a person's calendar feed; surveys' questions and answers (a published reflection report
        # keeps its own copy of the ratings; the survey itself is read with the event, so it stays public).
        "exchanges.calendarfeed",
        "surveys.question",
        "surveys.choice",
        "surveys.response",
        "surveys.answer",
        "surveys.completion",
        # The insight dashboards' data (no dashboard is a public page; they have their own cache).
        "insight.programme",
        "insight.programme_buyers",
        "insight.procurementvolume",
        "insight.capabilityassessment",
    }
)


def _writes_only(fields: frozenset[str]):
    """A save that names its fields, all of them in `fields` (a delete is never private here)."""

    def private(instance, update_fields=None, signal=None, **kwargs) -> bool:
        return signal is post_save and update_fields is not None and update_fields <= fields

    return private


# What the public pages read of a proposal: whose it is (the award notice names the winners) and, to be safe,
# its challenge and status. A write that touches none of them, such as an autosave of its text or a document
# added, is private; so is any write of a draft, which no public page shows or counts (a draft is never
# awarded, and submitting one saves it as submitted). "draft" is suppliers' ProposalStatus.DRAFT, named by
# its value: the portal package imports no feature app.
_PROPOSAL_PUBLIC_FIELDS = frozenset({"supplier", "supplier_id", "challenge", "challenge_id", "status"})


def _private_proposal_write(instance, update_fields=None, signal=None, **kwargs) -> bool:
    # Read from the instance's own fields: a deferred status is not fetched (that would be a query per write).
    if instance.__dict__.get("status") == "draft":
        return True
    return signal is post_save and update_fields is not None and not update_fields & _PROPOSAL_PUBLIC_FIELDS


_sign_in_only = _writes_only(frozenset({"last_login", "password"}))


def _private_user_write(instance, created=False, signal=None, **kwargs) -> bool:
    # A new account is on no public page: a page shows a person only through a row that names them (a
    # speaker on an agenda, an idea's author), and writing that row expires the pages. So signing up does not
    # tell a visitor timing the pages that someone signed up.
    return (signal is post_save and created) or _sign_in_only(instance, signal=signal, **kwargs)


# Models a public page shows in part: a write for which the function answers True is private. A person's name
# is public (a speaker on an agenda); their last sign-in and password are not, nor is a new account.
PRIVATE_WRITES = {
    "accounts.user": _private_user_write,
    "suppliers.proposal": _private_proposal_write,
}


def public_page(view):
    """Marks a view whose page is the same for every anonymous visitor in a language (see the module)."""
    view.public_page = True
    return view


def seconds() -> int:
    return settings.PUBLIC_PAGE_CACHE_SECONDS


def _anonymous(request: HttpRequest) -> bool:
    from django.contrib.messages.storage.cookie import CookieStorage

    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def page_key(request: HttpRequest, generation: int) -> str:
    where = f"{request.get_host()}|{getattr(request, 'LANGUAGE_CODE', '')}|{request.get_full_path()}"
    return f"{KEY_PREFIX}:{generation}:{hashlib.sha256(where.encode()).hexdigest()}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


class PublicPageCacheMiddleware:
    """Serves and stores `@public_page` pages for anonymous visitors. Last in MIDDLEWARE: it sees the view's
    own response, before the other middleware add cookies and headers to it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        key = getattr(request, "_public_page_key", None)
        if key is not None and _storable(request, response):
            headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            caches[PAGES_CACHE].set(key, (response.content, headers), seconds())
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if (
            not getattr(view_func, "public_page", False)
            or request.method != "GET"
            or seconds() <= 0
            or not _anonymous(request)
        ):
            return None
        try:
            generation = cache.get_or_set(GENERATION_KEY, time.time_ns, None)
        except Exception:  # the shared cache is down: render, as if there were no cache
            logger.warning("Public page cache: the generation could not be read", exc_info=True)
            return None
        key = page_key(request, generation)
        stored = caches[PAGES_CACHE].get(key)
        if stored is None:
            request._public_page_key = key
            return None
        content, headers = stored
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
        # A fresh page read the session to learn that nobody is signed in, which makes it vary by cookie.
        patch_vary_headers(response, ("Cookie",))
        return response


def _next_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        # Not there (evicted, or never read): a value no earlier generation had, so no page stored before
        # can be served again.
        cache.set(GENERATION_KEY, time.time_ns(), None)


def expire_public_pages() -> None:
    """Every public page is rendered again on its next request, once the current transaction commits. A
    failure of the shared cache never fails the write: it is logged, and the pages then live out their
    PUBLIC_PAGE_CACHE_SECONDS. Nothing to do while the cache is off (no page is stored)."""
    if seconds() <= 0:
        return
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        transaction.on_commit(_next_generation, robust=True)
        return
    try:
        _next_generation()
    except Exception:
        logger.warning("Public page cache: the generation could not be moved on", exc_info=True)


def _on_write(sender, **kwargs) -> None:
    label = sender._meta.label_lower
    if label in PRIVATE_MODELS:
        return
    private_write = PRIVATE_WRITES.get(label)
    if private_write is not None and kwargs.get("signal") is not m2m_changed and private_write(**kwargs):
        return
    expire_public_pages()


@functools.cache
def connect_signals() -> None:
    post_save.connect(_on_write, dispatch_uid="pagecache.post_save")
    post_delete.connect(_on_write, dispatch_uid="pagecache.post_delete")
    m2m_changed.connect(_on_write, dispatch_uid="pagecache.m2m_changed")
