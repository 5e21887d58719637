"""Issue 8, part 4: no task is scheduled further ahead than the broker's visibility timeout. With Redis and
acks_late, a message not acknowledged within the visibility timeout is handed to another worker; a task
waiting for its countdown or ETA counts as not acknowledged, so a longer delay would run it twice (and
again every timeout). Far-off work belongs in rows that a periodic task scans. A static test: it reads
every module of the project and fails on a delay it cannot prove short enough."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

PROJECT_DIR = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "node_modules", "tests", "var", "static", "locale", "templates", ".git"}
# Keyword arguments that delay a task: on apply_async()/retry()/signature options, and on @shared_task.
DELAY_KEYWORDS = {"countdown", "eta"}
TASK_OPTION_DELAYS = {"default_retry_delay", "retry_backoff_max"}


def visibility_timeout() -> float:
    return settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


def project_modules() -> list[Path]:
    return sorted(
        path
        for path in PROJECT_DIR.rglob("*.py")
        if not SKIP_DIRS.intersection(path.relative_to(PROJECT_DIR).parts)
    )


def seconds_of(node: ast.expr) -> float | None:
    """The number of seconds a literal (or timedelta(...) of literals) stands for, or None if unknown."""
    try:
        return float(ast.literal_eval(node))
    except (ValueError, TypeError, SyntaxError):
        pass
    if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "timedelta":
        units = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
        try:
            positional = [float(ast.literal_eval(arg)) for arg in node.args]
            total = sum(value * unit for value, unit in zip(positional, [86400, 1], strict=False))
            for keyword in node.keywords:
                total += float(ast.literal_eval(keyword.value)) * units[keyword.arg]
            return total
        except (ValueError, TypeError, KeyError, SyntaxError):
            return None
    return None


def delays_in(source: str, filename: str) -> list[tuple[str, int, str, float | None]]:
    """(file, line, keyword, seconds or None) for every delay given to a task in the source."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg in DELAY_KEYWORDS | TASK_OPTION_DELAYS:
                seconds = None if keyword.arg == "eta" else seconds_of(keyword.value)
                found.append((filename, node.lineno, keyword.arg, seconds))
            elif keyword.arg is None and isinstance(keyword.value, ast.Dict):  # **{"countdown": …}
                for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value in DELAY_KEYWORDS:
                        found.append((filename, node.lineno, key.value, seconds_of(value)))
    return found


def test_no_task_is_delayed_beyond_the_visibility_timeout():
    limit = visibility_timeout()
    modules = project_modules()
    assert len(modules) > 50  # it did find the project
    problems = []
    for path in modules:
        relative = str(path.relative_to(PROJECT_DIR))
        for filename, line, keyword, seconds in delays_in(path.read_text(), relative):
            if seconds is None:
                problems.append(f"{filename}:{line}: {keyword} that cannot be checked statically")
            elif seconds >= limit:
                problems.append(f"{filename}:{line}: {keyword} of {seconds:.0f} s, not under {limit} s")
    assert problems == [], "\n".join(problems)


def test_the_periodic_schedule_fits_within_the_visibility_timeout():
    limit = visibility_timeout()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert float(entry["schedule"]) < limit, name
        assert "countdown" not in entry.get("options", {}), name


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("task.apply_async(kwargs={}, countdown=30)", [("countdown", 30.0)]),
        ("task.apply_async(countdown=7200)", [("countdown", 7200.0)]),
        ("task.apply_async(eta=when)", [("eta", None)]),
        ("self.retry(countdown=delay)", [("countdown", None)]),
        ("task.apply_async(countdown=timedelta(hours=2))", [("countdown", 7200.0)]),
        ("task.apply_async(**{'countdown': 4000})", [("countdown", 4000.0)]),
        ("shared_task(default_retry_delay=86400)", [("default_retry_delay", 86400.0)]),
        ("task.apply_async(kwargs={}, retry=False)", []),
    ],
)
def test_the_scanner_sees_every_way_of_delaying_a_task(source, expected):
    assert [(keyword, seconds) for _f, _l, keyword, seconds in delays_in(source, "x.py")] == expected
