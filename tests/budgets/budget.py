"""The query budget of a page (issue 8): the same number of queries with 1 and with 50 rows, and at most
BUDGET, the same for every page (none has a ceiling of its own). Shared by the
tests/budgets/test_<area>_pages.py modules."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

BUDGET = 15
ROWS = 50


def measure_as(client, url: str, user, assert_max_num_queries) -> int:
    """The queries of one GET of `url` as `user` (None: signed out), after a first request that fills the
    per-process caches; at most BUDGET."""
    client.logout()
    if user is not None:
        client.force_login(user)
    first = client.get(url)  # fills the per-process caches
    assert first.status_code == 200, (url, first.status_code)
    with assert_max_num_queries(BUDGET), CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def counts_by_rows(client, assert_max_num_queries, build, rows) -> dict[int, list[tuple[str, int]]]:
    """For each number of rows, build the scene (`build(rows)` → [(name, url, user)]) and measure each of its
    pages with measure_as: {rows: [(name, queries)]}."""
    counts = {}
    for number in rows:
        counts[number] = [
            (name, measure_as(client, url, user, assert_max_num_queries)) for name, url, user in build(number)
        ]
    return counts


def count_queries(client, url: str, *, status: int = 200) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return len(context)


def assert_flat_budget(
    client,
    django_assert_max_num_queries,
    url: str,
    grow: Callable[[int], object],
    *,
    status: int = 200,
) -> tuple[int, int]:
    """Render `url` once to warm the caches that live for the process (content types, sites), then with
    the one row the caller made, then after grow(ROWS - 1) more: the two counts must be equal and within
    the budget. Returns them."""
    client.get(url)
    one = count_queries(client, url, status=status)
    grow(ROWS - 1)
    with django_assert_max_num_queries(BUDGET):
        many = count_queries(client, url, status=status)
    assert one == many, f"{url}: {one} queries with 1 row, {many} with {ROWS}"
    return one, many


def assert_flat_budgets(
    client,
    django_assert_max_num_queries,
    urls: dict[str, str],
    grow: Callable[[int], object],
) -> dict[str, tuple[int, int]]:
    """assert_flat_budget for several pages of one scene (each answering 200), so that a scene that is
    slow to build is built once: every page is measured with the one row, then all again after
    grow(ROWS - 1). Returns {name: (with 1 row, with ROWS rows)}."""
    for url in urls.values():
        client.get(url)
    one = {name: count_queries(client, url) for name, url in urls.items()}
    grow(ROWS - 1)
    many = {}
    for name, url in urls.items():
        with django_assert_max_num_queries(BUDGET):
            many[name] = count_queries(client, url)
    assert one == many, f"queries with 1 row: {one}; with {ROWS}: {many}"
    return {name: (one[name], many[name]) for name in urls}
