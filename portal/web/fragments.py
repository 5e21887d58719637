"""Parts of a page rendered for one person, kept while the rows they were rendered from are unchanged.

Some signed-in pages render the same part again and again from rows that rarely change between two
requests: a panel chair's table of hundreds of proposals is read through the sealed-bid rules, and
rendered, on every visit. `private_fragment` keeps such a part, for that person only, under a version of
the rows it is rendered from (`rows_version`), which is read from the database on every request. What
makes it safe:

* The view still decides, on every request and before the version is read, whether the person may see the
  page at all: only the rendering of what they may see is kept.
* The version is read by the database itself, from the rows, not from a counter that writes must remember
  to move on: every inserted, updated or deleted row changes it, whether it was written by a service, a
  bulk UPDATE, the admin or psql (see `rows_version`). So a part is never shown after a write it does not
  reflect: a conflict of interest declared a moment ago hides the bid at once, as it would on a page
  rendered afresh.
* The version and everything the part is rendered from are read in one read-only snapshot (`snapshot`), so
  what is kept under a version is exactly what the rows said at that version.
* The key holds the person, their language and time zone, the path and page number, and the version; the
  parts are kept in each web process's own memory (the "private_fragments" cache, bounded), never in
  the shared Redis, and for `PRIVATE_FRAGMENT_CACHE_SECONDS` at most.
* Only PostgreSQL gives rows their version (`xmin`), and only in a snapshot of its own (not inside a
  transaction that may have written); elsewhere the part is always rendered.

Which rows a part is rendered from is the caller's to name; a test per caller renders the part afresh,
lists every table it read, and fails if one is not among those the version covers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

FRAGMENTS_CACHE = "private_fragments"
KEY_PREFIX = "fragment"


@dataclass(frozen=True)
class Rows:
    """Rows a part is rendered from: those of `model` matching `where`, SQL over the model's table in which
    `%(name)s` is a parameter and an earlier source (see rows_version) is named as a table. `columns` are
    what later sources read of these rows."""

    name: str
    model: type[Model]
    where: str
    columns: tuple[str, ...] = ()

    @property
    def select(self) -> str:
        columns = ", ".join(("id", "xmin", *self.columns))
        return f"SELECT {columns} FROM {self.model._meta.db_table} WHERE {self.where}"  # noqa: S608 (ours)


# Whether the current transaction is a snapshot() (rows_version gives a version only there).
_in_snapshot: ContextVar[bool] = ContextVar("fragments_in_snapshot", default=False)


@contextmanager
def snapshot():
    """A read-only transaction that sees one snapshot of the database (REPEATABLE READ), for reading a part's
    version and then everything the part is rendered from: the part is then exactly as new as its version,
    even if a row is written and the write undone while it renders. Only on PostgreSQL, and only when no
    transaction is open already (which could have written what it would read): elsewhere it does nothing,
    and rows_version gives no version."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        token = _in_snapshot.set(True)
        try:
            yield
        finally:
            _in_snapshot.reset(token)


def rows_version(sources: Sequence[Rows], params: dict, *, conditions: Sequence[str] = ()) -> str | None:
    """A version of the rows each source selects, read in one query inside a snapshot(); None where the
    database is not PostgreSQL, outside a snapshot, or with the cache turned off.

    The sources are run as the query's common table expressions in the given order, so a source may select
    from the ones before it. `conditions` are SQL expressions over them whose value is part of the version
    (what the clock changes without a write, such as whether a deadline has passed).

    Each source gives its row count and a sum of 64-bit hashes of its rows' (id, xmin), `xmin` being the
    transaction that wrote that version of the row: a committed row version is never written again, so any
    row inserted, updated or deleted gives another version (two different sets of rows give the same sum by
    chance about once in 2⁶⁴). The snapshot is what makes the rows committed ones: inside a transaction that
    writes, a row written twice keeps its `xmin`, and what a transaction that later rolls back has written
    would be kept under a version that its rows never had."""
    if settings.PRIVATE_FRAGMENT_CACHE_SECONDS <= 0 or connection.vendor != "postgresql":
        return None
    if not (_in_snapshot.get() and connection.in_atomic_block):
        return None
    ctes = ", ".join(f"{source.name} AS MATERIALIZED ({source.select})" for source in sources)
    digest = "count(*) || ':' || coalesce(sum(hashtextextended(id || ':' || xmin, 0)), 0)"
    columns = [f"(SELECT {digest} FROM {source.name})" for source in sources]  # noqa: S608 (names are ours)
    # A condition over no rows (a challenge that does not exist) is NULL: spelt "-", not an error.
    columns += [f"coalesce(({condition})::text, '-')" for condition in conditions]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {ctes} SELECT {', '.join(columns)}", params)
        return "|".join(cursor.fetchone())


# A part is kept for the first 999 pages of its list only: any other query string is rendered every time, so
# that made-up query strings cannot fill the cache and crowd out other people's parts.
KEPT_PAGE = re.compile(r"[1-9][0-9]{0,2}")


def private_fragment(
    request: HttpRequest, *, name: str, version: str | None, render: Callable[[], str]
) -> SafeString:
    """The part `render` renders for this request's person, from the cache when it holds one rendered at
    this version (see the module). With no version, a query string other than a page number, or the cache
    turned off, `render` is called. Call it, and the view's permission check, inside the snapshot() in which
    the version was read."""
    seconds = settings.PRIVATE_FRAGMENT_CACHE_SECONDS
    page = request.GET.get("page", "1")
    if (
        version is None
        or seconds <= 0
        or not request.user.is_authenticated
        or set(request.GET) - {"page"}
        or len(request.GET.getlist("page")) > 1
        or not KEPT_PAGE.fullmatch(page)
    ):
        return mark_safe(render())  # noqa: S308 (rendered by a template)
    where = "|".join(
        (
            str(request.user.pk),
            getattr(request, "LANGUAGE_CODE", ""),
            timezone.get_current_timezone_name(),
            request.path,
            page,
            version,
        )
    )
    key = f"{KEY_PREFIX}:{name}:{hashlib.sha256(where.encode()).hexdigest()}"
    store = caches[FRAGMENTS_CACHE]
    html = store.get(key)
    if html is None:
        html = render()
        store.set(key, html, seconds)
    return mark_safe(html)  # noqa: S308 (rendered by a template)
