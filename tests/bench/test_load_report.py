"""The load generator's report (bench/load.py): the signed-in floor and the layout floors are reported beside
the floor, and never count as pages against the targets."""

import io
from types import SimpleNamespace

from bench.load import LAYOUT_FLOOR, SIGNED_IN_FLOOR, SIGNED_IN_LAYOUT_FLOOR, Stats, table, verdict


def _stats(name: str, p50: float, p95: float | None = None, count: int = 100, errors: int = 0) -> Stats:
    return Stats(
        name=name,
        count=count,
        errors=errors,
        p50=p50,
        p95=p95 if p95 is not None else p50 * 2,
        p99=p50 * 3,
        mean=p50,
        rps=10.0,
    )


def _results(pages: list[Stats], signed_in: list[str]) -> dict:
    total = _stats("all", 5, count=sum(page.count for page in pages))
    fixed = {"rate": 50.0, "pages": [vars(page) for page in pages], "total": vars(total), "floor_p50": 4.0}
    return {
        "fixed": fixed,
        "flat": {"total": vars(_stats("all", 5))},
        "alone": [vars(page) for page in pages],
        "rss_peak_mb": {1: 120.0},
        "signed_in": signed_in,
    }


def test_the_signed_in_floor_is_neither_a_page_over_the_targets_nor_left_out_of_the_report():
    pages = [
        _stats("floor", 4.0),
        _stats(SIGNED_IN_FLOOR, 13.0),  # over 3× the floor: the stack's own cost, not a page's
        _stats("home", 5.0),
        _stats("dashboard", 20.0),
    ]
    args = SimpleNamespace(duration=1.0)

    lines = verdict(_results(pages, ["dashboard", SIGNED_IN_FLOOR]), args)

    first = lines[0]
    assert first.startswith("FAIL every page's p50 within 3× the floor (4.0 ms)")
    assert first.endswith("over: dashboard")
    info = next(line for line in lines if line.startswith("INFO"))
    assert "signed-in floor (13.0 ms)" in info
    assert "dashboard 1.5×" in info
    assert "home" not in info


def test_the_info_line_is_left_out_without_a_signed_in_page():
    pages = [_stats("floor", 4.0), _stats("home", 5.0)]

    lines = verdict(_results(pages, []), SimpleNamespace(duration=1.0))

    assert lines[0] == "PASS every page's p50 within 3× the floor (4.0 ms) at 50/s"
    assert not any(line.startswith("INFO") for line in lines)


def test_the_table_gives_signed_in_pages_a_second_ratio():
    out = io.StringIO()
    rows = [
        _stats("floor", 4.0),
        _stats(SIGNED_IN_FLOOR, 8.0),
        _stats("home", 6.0),
        _stats("dashboard", 24.0),
    ]

    table("Fixed rate", rows, 4.0, out, {"dashboard", SIGNED_IN_FLOOR})

    lines = {line.split()[0]: line for line in out.getvalue().splitlines() if line.startswith("  ")}
    assert "× signed-in floor" in lines["page"]
    assert lines["dashboard"].split()[-2:] == ["6.0", "3.0"]
    assert lines["home"].split()[-1] == "1.5"


def test_the_layout_floors_are_reported_against_the_floor_and_never_count_as_pages():
    pages = [
        _stats("floor", 4.0),
        _stats(SIGNED_IN_FLOOR, 8.0),
        _stats(LAYOUT_FLOOR, 6.0),
        _stats(SIGNED_IN_LAYOUT_FLOOR, 14.0),  # over 3× the floor, but the layout is not a page
        _stats("home", 5.0),
    ]

    lines = verdict(_results(pages, [SIGNED_IN_FLOOR, SIGNED_IN_LAYOUT_FLOOR]), SimpleNamespace(duration=1.0))

    assert lines[0] == "PASS every page's p50 within 3× the floor (4.0 ms) at 50/s"
    layout = next(line for line in lines if line.startswith("INFO the layout"))
    assert f"{LAYOUT_FLOOR} 1.5×" in layout and f"{SIGNED_IN_LAYOUT_FLOOR} 3.5×" in layout
    # Not in the signed-in pages' line either: there is no signed-in page here.
    assert not any(line.startswith("INFO signed-in") for line in lines)
