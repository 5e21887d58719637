"""Fixtures and helpers shared by the authoring tests (tests/challenges/test_authoring_*.py)."""

import re

from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories.accounts import (
    AdminMembershipFactory,
    BuyerFactory,
    MembershipFactory,
    SupplierFactory,
    TOTPAuthenticatorFactory,
)
from tests.factories.challenges import ChallengeFactory

LOGIN_URL = "/accounts/login/"


def authoring_actors(**challenge_fields) -> dict:
    """The people of a permission grid around one buyer's draft challenge. "anonymous" is None."""
    buyer = BuyerFactory()
    member = MembershipFactory(organisation=buyer).user
    admin = AdminMembershipFactory(organisation=buyer).user
    other_buyer = MembershipFactory(organisation=BuyerFactory()).user
    supplier = MembershipFactory(organisation=SupplierFactory()).user
    staff = TOTPAuthenticatorFactory().user
    challenge = ChallengeFactory(owner=buyer, **challenge_fields)
    return {
        "anonymous": None,
        "owner_member": member,
        "owner_admin": admin,
        "other_buyer": other_buyer,
        "supplier": supplier,
        "staff": staff,
        "buyer": buyer,
        "challenge": challenge,
    }


def login(client, actors: dict, actor: str) -> None:
    if user := actors[actor]:
        client.force_login(user)


def assert_status(response, status: int) -> None:
    assert response.status_code == status
    if status == 302 and response.wsgi_request.user.is_anonymous:
        assert response["Location"].startswith(LOGIN_URL)


def edit_url(challenge, step: str) -> str:
    return reverse("challenges:challenge-edit", kwargs={"pk": challenge.pk, "step": step})


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def h1_count(response) -> int:
    return len(re.findall(r"<h1[ >]", response.content.decode()))


class InProcessSite:
    """Answers a browser's requests with Django's test client (Playwright routes every request here), so a
    browser test runs inside the test's own transaction; records console-worthy failures of static files."""

    def __init__(self, client) -> None:
        self.client = client
        self.missing_static: list[str] = []

    def handle(self, route, request) -> None:
        import mimetypes
        from pathlib import Path
        from urllib.parse import urlsplit

        from django.contrib.staticfiles import finders

        url = urlsplit(request.url)
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
            response = self.client.generic(
                "POST",
                path,
                request.post_data_buffer or b"",
                content_type=request.headers.get("content-type", ""),
            )
        else:
            response = self.client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        route.fulfill(status=response.status_code, body=body, headers=dict(response.items()))
