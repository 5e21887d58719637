"""A real Chromium whose requests Django's test client answers in-process (Playwright routes every request
here). The test runs inside its own rolled-back transaction: no live server, so nothing is flushed after
it, the rows the migrations seeded (CPV codes, themes, coach rules) included. For pages' scripts under the
strict CSP; whole journeys across several people use the live server in tests/e2e."""

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.db import DEFAULT_DB_ALIAS, connections

# localhost, not testserver: Chromium ignores (and complains about) COOP on an untrustworthy origin.
ORIGIN = "http://localhost"
TIMEOUT_MS = 5_000


class InProcessSite:
    """Answers a browser's requests with a test client. `pages` serves extra HTML at given paths (under
    the portal's own CSP); `posts` records every POST as (path, body); `missing_static` every static file
    that was not found."""

    def __init__(self, client, pages: dict[str, str] | None = None) -> None:
        self.client = client
        self.pages = pages or {}
        self.posts: list[tuple[str, str]] = []
        self.missing_static: list[str] = []
        self.csp = client.get("/").get("Content-Security-Policy", "") if self.pages else ""

    def handle(self, route, request) -> None:
        url = urlsplit(request.url)
        if url.path in self.pages:
            headers = {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": self.csp}
            route.fulfill(status=200, body=self.pages[url.path], headers=headers)
            return
        if url.path.startswith("/static/"):
            found = finders.find(url.path.removeprefix("/static/"))
            if not found:
                self.missing_static.append(url.path)
                route.fulfill(status=404, body="")
                return
            content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            route.fulfill(status=200, body=Path(found).read_bytes(), headers={"Content-Type": content_type})
            return
        path = url.path + (f"?{url.query}" if url.query else "")
        if request.method == "POST":
            self.posts.append((url.path, request.post_data or ""))
            response = self.client.generic(
                "POST",
                path,
                request.post_data_buffer or b"",
                content_type=request.headers.get("content-type", ""),
                headers={"X-CSRFToken": request.headers.get("x-csrftoken", "")},
            )
        else:
            response = self.client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        route.fulfill(status=response.status_code, body=body, headers=dict(response.items()))


@pytest.fixture
def open_in_chromium(db, monkeypatch):
    """Yields (open_(site, path) -> page, console errors)."""
    # Playwright's sync API keeps an event loop running in this thread, and Django refuses database work
    # in a thread with a running loop unless told it is safe (it is: one thread, one request at a time).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM

    # While that loop runs, Django's connection handler keeps a separate set of connections (asgiref's
    # Local sees an async context), which would autocommit outside the test's transaction and leak rows
    # into other tests. Hand it the test's own connection instead.
    test_connection = connections[DEFAULT_DB_ALIAS]

    def use_test_connection() -> None:
        connections[DEFAULT_DB_ALIAS] = test_connection

    with sync_playwright() as playwright:
        use_test_connection()
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
            headless=True,
        )
        errors: list[str] = []

        def open_(site: InProcessSite, path: str):
            context = browser.new_context()
            context.set_default_timeout(TIMEOUT_MS)
            context.route("**/*", lambda route, request: (use_test_connection(), site.handle(route, request)))
            page = context.new_page()
            page.on("console", lambda message: message.type == "error" and errors.append(message.text))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(ORIGIN + path)
            return page

        yield open_, errors
        browser.close()
