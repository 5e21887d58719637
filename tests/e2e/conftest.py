"""The browser harness: one system Chromium per test session (per xdist worker), a fresh browser context
for each person in a test, the site served by pytest-django's live server, and a screenshot of every
open page in test-results/ when a test fails.

Every test under tests/e2e is marked `browser`, so tests/conftest.py skips it with the reason when
Chromium or Playwright is missing (and fails it on CI). Playwright is imported inside the fixtures, not
at the top of this module, so that a missing Playwright is that skip rather than a collection error."""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import CHROMIUM

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Playwright's sync API keeps an asyncio event loop running in the test's thread, and Django refuses
# database work in a thread with a running loop: the flush after each live-server test would fail. The
# check only fires while a loop runs, so other tests in the same process are unaffected.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E_DIR = Path(__file__).resolve().parent
RESULTS_DIR = E2E_DIR.parent.parent / "test-results"
# Without the background-networking flags Chromium keeps trying to reach Google's servers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 5_000


def pytest_collection_modifyitems(config, items):
    # Hooks in a conftest see every collected item, not only this folder's: mark ours only.
    for item in items:
        if E2E_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught exceptions from every page of the test (CSP violations included)."""
    return []


@pytest.fixture
def new_page(request, browser, live_server, settings, console_errors) -> Iterator[Callable[..., "Page"]]:
    """Open a page in a fresh browser context: a new person, with their own cookies."""
    # Links in our own mails (invitations) are built from SITE_URL: point it at the live server.
    settings.SITE_URL = live_server.url
    contexts, pages = [], []
    request.node._e2e_pages = pages

    def open_page(person: str = "visitor") -> "Page":
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()

        def on_console(message) -> None:
            if message.type == "error":
                # For a failed request the location is the resource's URL, which says what to fix.
                where = message.location.get("url") or page.url
                console_errors.append(f"{person} on {page.url}: {message.text} [{where}]")

        page.on("console", on_console)
        page.on("pageerror", lambda error: console_errors.append(f"{person} on {page.url}: {error}"))
        contexts.append(context)
        pages.append((person, page))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> "Page":
    return new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", item.nodeid).strip("-")
        for person, page in getattr(item, "_e2e_pages", []):
            path = RESULTS_DIR / f"{stem}-{person}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as error:  # a crashed page must not hide the test's own failure
                report.sections.append(("screenshot", f"could not save {path}: {error}"))
            else:
                report.sections.append(("screenshot", str(path)))
    return report
