"""Parts of a page rendered for one person, kept while the rows they were rendered from are unchanged.

Some signed-in pages render the same part again and again from rows that rarely change between two
requests: a panel chair's table of hundreds of proposals is read through the sealed-bid rules, and
rendered, on every visit. `private_fragment` keeps such a part, for that person only, under a version of
the rows it is rendered from (`rows_version`), which is read from the database on every request. What
makes it safe:

* The view still decides, on every request and before anything is looked up, whether the person may see
  the page at all: only the rendering of what they may see is kept.
* The version is read by the database itself, from the rows, not from a counter that writes must remember
  to move on: every inserted, updated or deleted row changes it, whether it was written by a service, a
  bulk UPDATE, the admin or psql (see `rows_version`). So a part is never shown after a write it does not
  reflect: a conflict of interest declared a moment ago hides the bid at once, as it would on a page
  rendered afresh.
* The version is read before the part is rendered, so what is kept under it is at least as new as it.
* The key holds the person, their language and time zone, the path and query string, and the version; the
  parts are kept in each web process's own memory (the "private_fragments" cache, bounded), never in
  the shared Redis, and for `PRIVATE_FRAGMENT_CACHE_SECONDS` at most.
* Only PostgreSQL gives rows their version (`xmin`), and only outside a transaction; elsewhere the part is
  always rendered.

Which rows a part is rendered from is the caller's to name; a test per caller renders the part afresh,
lists every table it read, and fails if one is not among those the version covers.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

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


def rows_version(sources: Sequence[Rows], params: dict, *, conditions: Sequence[str] = ()) -> str | None:
    """A version of the rows each source selects, read in one query; None where the database is not
    PostgreSQL, or inside a transaction (see below).

    The sources are run as the query's common table expressions in the given order, so a source may select
    from the ones before it. `conditions` are SQL expressions over them whose value is part of the version
    (what the clock changes without a write, such as whether a deadline has passed).

    Each source gives its row count and a sum of 64-bit hashes of its rows' (id, xmin), `xmin` being the
    transaction that wrote that version of the row: a committed row version is never written again, so any
    row inserted, updated or deleted gives another version (two different sets of rows give the same sum by
    chance about once in 2⁶⁴). Inside a transaction it is not so: a row written twice in the same
    transaction keeps its `xmin`, and what a transaction that later rolls back has written would be kept
    under a version that its rows never had. There, no version is given."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    ctes = ", ".join(f"{source.name} AS MATERIALIZED ({source.select})" for source in sources)
    digest = "count(*) || ':' || coalesce(sum(hashtextextended(id || ':' || xmin, 0)), 0)"
    columns = [f"(SELECT {digest} FROM {source.name})" for source in sources]  # noqa: S608 (names are ours)
    columns += [f"({condition})::text" for condition in conditions]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {ctes} SELECT {', '.join(columns)}", params)
        return "|".join(cursor.fetchone())


def private_fragment(
    request: HttpRequest, *, name: str, version: str | None, render: Callable[[], str]
) -> SafeString:
    """The part `render` renders for this request's person, from the cache when it holds one rendered at
    this version (see the module). With no version, or the cache turned off, `render` is called."""
    seconds = settings.PRIVATE_FRAGMENT_CACHE_SECONDS
    if version is None or seconds <= 0 or not request.user.is_authenticated:
        return mark_safe(render())  # noqa: S308 (rendered by a template)
    where = "|".join(
        (
            str(request.user.pk),
            getattr(request, "LANGUAGE_CODE", ""),
            timezone.get_current_timezone_name(),
            request.get_full_path(),
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
