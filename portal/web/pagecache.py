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
* The key holds the host, the language, the path and the query string, and a generation number. Any write
  to the portal's data (a model saved or deleted, a many-to-many change, outside the few high-churn private
  tables below) moves the generation on once its transaction commits, so a newly published challenge or an
  answered question shows at once. What changes with the clock alone (a deadline passing) shows within
  `PUBLIC_PAGE_CACHE_SECONDS`.

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
# Tables written all the time that no public page shows: their writes do not expire the public pages.
PRIVATE_MODELS = {
    "sessions.session",
    "audit.auditentry",
    "notifications.notification",
    "notifications.outboxmail",
    "django_celery_beat.periodictask",
    "django_celery_beat.periodictasks",
    "django_celery_beat.intervalschedule",
    "django_celery_beat.crontabschedule",
    "django_celery_beat.clockedschedule",
    "django_celery_beat.solarschedule",
    "account.emailconfirmation",
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
    PUBLIC_PAGE_CACHE_SECONDS."""
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        transaction.on_commit(_next_generation, robust=True)
        return
    try:
        _next_generation()
    except Exception:
        logger.warning("Public page cache: the generation could not be moved on", exc_info=True)


def _on_write(sender, **kwargs) -> None:
    if seconds() > 0 and sender._meta.label_lower not in PRIVATE_MODELS:
        expire_public_pages()


@functools.cache
def connect_signals() -> None:
    post_save.connect(_on_write, dispatch_uid="pagecache.post_save")
    post_delete.connect(_on_write, dispatch_uid="pagecache.post_delete")
    m2m_changed.connect(_on_write, dispatch_uid="pagecache.m2m_changed")
