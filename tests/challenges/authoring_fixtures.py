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
