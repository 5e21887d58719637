"""Shared fixtures, and the rule for tests that need real services: marked tests skip with the reason
shown when the service is missing, except on CI (CI=true), where a missing service fails the run."""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.utils import translation

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1
        ) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _missing(marker: str) -> str | None:
    """Why a service a marker needs is unavailable, or None."""
    if marker == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal"
    elif marker == "redis":
        url = os.environ.get("REDIS_URL", "")
        if not url:
            return "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0"
        if not _redis_reachable(url):
            return f"needs Redis, but {url} does not answer"
    elif marker == "browser":
        if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
            return f"needs Chromium at {CHROMIUM} (apt-get install -y chromium)"
        try:
            import playwright  # noqa: F401
        except ImportError:
            return "needs Playwright for Python (pip install playwright)"
    return None


_reasons: dict[str, str | None] = {}


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker) is None:
            continue
        if marker not in _reasons:
            _reasons[marker] = _missing(marker)
        reason = _reasons[marker]
        if reason is None:
            continue
        if ON_CI:
            pytest.fail(f"CI must provide this service: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _default_language():
    # Django leaves the language of the last request active in the thread: every test starts in English.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    # allauth's rate limits live in the cache, and the parts of pages kept for one person in their own: every
    # test starts with a clean slate (a database rolled back may give rows the versions they had before).
    for store in (cache, caches["private_fragments"]):
        store.clear()
    yield
    for store in (cache, caches["private_fragments"]):
        store.clear()


@pytest.fixture(autouse=True)
def _media_in_memory(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


# A fixture shared by the browser tests that run in-process (tests/inprocess_browser.py).
# The fault suite's services (a broker queue, a private Redis, an SMTP sink, a worker, the hand-over spy),
# for the fault, notification and fan-out tests alike (tests/faults/support.py).
from tests.faults.support import (  # noqa: E402, F401
    broker_fixture,
    handing_over_fixture,
    private_redis_fixture,
    queue_fixture,
    smtp_sink_fixture,
    start_worker_fixture,
)
from tests.inprocess_browser import open_in_chromium  # noqa: E402, F401
