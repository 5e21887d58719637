"""Joining an organisation by invitation link: as a new visitor through allauth's sign-up, by signing in,
or while signed in."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from portal.accounts.adapters import INVITATION_SESSION_KEY
from portal.accounts.enums import MembershipRole
from portal.accounts.models import Membership, User
from portal.accounts.services import invite_member
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from tests.factories.accounts import PASSWORD, UserFactory, invitation_with_token

pytestmark = pytest.mark.django_db


def _accept_url(token: str) -> str:
    return reverse("accounts:invitation-accept", args=[token])


def _signup(client, email: str):
    return client.post(
        reverse("account_signup"),
        {"full_name": "Nina Ny", "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _signed_in_user(client):
    return client.get(reverse("web:home")).wsgi_request.user


@pytest.fixture
def invitation(actors):
    invitation, token = invitation_with_token(
        organisation=actors["organisation"], email="nina@example.org", invited_by=actors["admin"]
    )
    return invitation, token


# A visitor without an account


def test_invitation_page_for_visitor_names_organisation_and_offers_signup(client, actors, invitation):
    _invitation, token = invitation

    response = client.get(_accept_url(token))

    content = response.content.decode()
    assert response.status_code == 200
    assert actors["organisation"].name in content
    assert "nina@example.org" in content
    assert reverse("account_signup") in content
    assert client.session[INVITATION_SESSION_KEY] == token


def test_invitation_visitor_signing_up_with_invited_address_joins_without_verification(
    client, actors, invitation, mailoutbox, django_capture_on_commit_callbacks
):
    _invitation, token = invitation
    client.get(_accept_url(token))

    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client, "nina@example.org")

    user = User.objects.get(email="nina@example.org")
    assert response.status_code == 302
    assert response["Location"] == _accept_url(token)
    assert _signed_in_user(client) == user
    assert EmailAddress.objects.get(user=user).verified is True
    assert user.memberships.get().organisation == actors["organisation"]
    assert user.memberships.get().role == MembershipRole.MEMBER
    # No confirmation mail: the invitation link already proved the address. The admin hears of the new member.
    assert [message.to for message in mailoutbox] == [[actors["admin"].email]]
    assert Notification.objects.get(kind="accounts.member_joined").recipient == actors["admin"]
    assert AuditEvent.objects.get(action="invitation.accepted").actor == user
    assert AuditEvent.objects.get(action="user.signed_up").actor == user


def test_invitation_visitor_after_signup_lands_on_page_saying_they_joined(client, actors, invitation):
    _invitation, token = invitation
    client.get(_accept_url(token))
    _signup(client, "nina@example.org")

    response = client.get(_accept_url(token))

    content = response.content.decode()
    assert f"You have joined {actors['organisation'].name}." in content
    assert f"You are a member of {actors['organisation'].name}." in content
    assert client.session.get("active_organisation_id") == actors["organisation"].pk
    assert INVITATION_SESSION_KEY not in client.session


def test_invitation_visitor_signing_up_with_invited_address_in_other_case_joins(client, actors, invitation):
    _invitation, token = invitation
    client.get(_accept_url(token))

    _signup(client, "Nina@Example.org")

    assert _signed_in_user(client).organisation_roles == {actors["organisation"].pk: MembershipRole.MEMBER}


# allauth's mails go through the outbox, sent after the commit: this test needs real commits.
@pytest.mark.django_db(transaction=True)
def test_invitation_visitor_signing_up_with_another_address_must_verify_it(
    client, actors, invitation, mailoutbox
):
    _invitation, token = invitation
    client.get(_accept_url(token))

    response = _signup(client, "nina.private@example.org")

    user = User.objects.get(email="nina.private@example.org")
    assert response["Location"] == reverse("account_email_verification_sent")
    assert _signed_in_user(client).is_anonymous
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [
        ("nina.private@example.org", False)
    ]
    assert not user.memberships.exists()
    assert [message.to for message in mailoutbox] == [["nina.private@example.org"]]


def test_invitation_visitor_signing_in_with_invited_address_joins(client, actors):
    existing = UserFactory(email="kari@example.org")
    _invitation, token = invitation_with_token(organisation=actors["organisation"], email="kari@example.org")
    client.get(_accept_url(token))

    response = client.post(reverse("account_login"), {"login": "kari@example.org", "password": PASSWORD})

    assert response["Location"] == _accept_url(token)
    assert existing.memberships.get().organisation == actors["organisation"]
    assert AuditEvent.objects.get(action="invitation.accepted").actor == existing


def test_invitation_visitor_signing_in_with_other_address_is_told_why_not(client, actors, invitation):
    other = UserFactory(email="someone@example.org")
    _invitation, token = invitation
    client.get(_accept_url(token))

    response = client.post(
        reverse("account_login"), {"login": other.email, "password": PASSWORD}, follow=True
    )

    assert not other.memberships.exists()
    assert (
        "This invitation was sent to nina@example.org. Sign in with that address to accept it."
        in response.content.decode()
    )


def test_invitation_visitor_signing_up_with_existing_address_gets_no_account(client, actors, mailoutbox):
    UserFactory(email="kari@example.org")
    _invitation, token = invitation_with_token(organisation=actors["organisation"], email="kari@example.org")
    client.get(_accept_url(token))

    response = _signup(client, "kari@example.org")

    assert response["Location"] == reverse("account_email_verification_sent")
    assert _signed_in_user(client).is_anonymous
    assert User.objects.filter(email__iexact="kari@example.org").count() == 1


# A signed-in person


def test_invitation_signed_in_with_matching_address_joins_by_post(client, actors, invitation):
    invitation_row, token = invitation
    user = UserFactory(email="nina@example.org")
    client.force_login(user)

    page = client.get(_accept_url(token))
    assert f"Join {actors['organisation'].name}" in page.content.decode()
    response = client.post(_accept_url(token))

    assert response["Location"] == actors["organisation"].get_absolute_url()
    assert user.memberships.get().organisation == actors["organisation"]
    assert client.session["active_organisation_id"] == actors["organisation"].pk
    invitation_row.refresh_from_db()
    assert invitation_row.accepted_by == user


def test_invitation_get_does_not_join(client, actors, invitation):
    _invitation, token = invitation
    user = UserFactory(email="nina@example.org")
    client.force_login(user)

    client.get(_accept_url(token))

    assert not user.memberships.exists()


def test_invitation_signed_in_with_other_address_gets_clear_error(client, actors, invitation):
    _invitation, token = invitation
    other = UserFactory(email="someone@example.org")
    client.force_login(other)

    response = client.post(_accept_url(token))

    assert response.status_code == 200
    assert (
        "This invitation was sent to nina@example.org. Sign in with that address to accept it."
        in _messages(response)
    )
    assert not other.memberships.exists()


def test_invitation_signed_in_with_unverified_matching_address_refused(client, actors, invitation):
    _invitation, token = invitation
    user = UserFactory(email="nina@example.org", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    client.force_login(user)

    response = client.post(_accept_url(token))

    assert response.status_code == 200
    assert not user.memberships.exists()


def test_invitation_for_existing_member_says_so(client, actors):
    _invitation, token = invitation_with_token(
        organisation=actors["organisation"], email=actors["member"].email
    )
    client.force_login(actors["member"])

    response = client.get(_accept_url(token))

    assert f"You are a member of {actors['organisation'].name}." in response.content.decode()


# Links that no longer work


CLOSED = {
    "expired": {"expires_at": timezone.now() - timedelta(minutes=1)},
    "revoked": {"revoked_at": timezone.now()},
    "used": {"accepted_at": timezone.now()},
}


@pytest.mark.parametrize("state", CLOSED.values(), ids=CLOSED.keys())
def test_invitation_closed_link_cannot_be_used_signed_in(client, actors, state):
    _invitation, token = invitation_with_token(
        organisation=actors["organisation"], email="nina@example.org", **state
    )
    user = UserFactory(email="nina@example.org")
    client.force_login(user)

    response = client.post(_accept_url(token))

    assert response.status_code == 200
    assert "This invitation has expired, was withdrawn or has already been used." in response.content.decode()
    assert not user.memberships.exists()


@pytest.mark.parametrize("state", CLOSED.values(), ids=CLOSED.keys())
def test_invitation_closed_link_gives_visitor_no_shortcut(client, actors, state):
    _invitation, token = invitation_with_token(
        organisation=actors["organisation"], email="nina@example.org", **state
    )

    page = client.get(_accept_url(token))
    response = _signup(client, "nina@example.org")

    assert "This invitation has expired, was withdrawn or has already been used." in page.content.decode()
    assert response["Location"] == reverse("account_email_verification_sent")
    assert _signed_in_user(client).is_anonymous
    assert not Membership.objects.filter(user__email="nina@example.org").exists()


def test_invitation_revoked_after_opening_cannot_be_used_at_signup(client, actors, invitation):
    invitation_row, token = invitation
    client.get(_accept_url(token))
    invitation_row.revoked_at = timezone.now()
    invitation_row.save(update_fields=["revoked_at"])

    _signup(client, "nina@example.org")

    assert not Membership.objects.filter(user__email="nina@example.org").exists()


def test_invitation_reinvite_replaces_the_old_link(
    client, actors, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        invite_member(
            organisation=actors["organisation"],
            by=actors["admin"],
            email="nina@example.org",
            role=MembershipRole.MEMBER,
        )
        invite_member(
            organisation=actors["organisation"],
            by=actors["admin"],
            email="nina@example.org",
            role=MembershipRole.ADMIN,
        )
    old_token, new_token = (message.body.split("/invitations/")[1].split("/")[0] for message in mailoutbox)
    user = UserFactory(email="nina@example.org")
    client.force_login(user)

    old = client.post(_accept_url(old_token))
    new = client.post(_accept_url(new_token))

    assert old.status_code == 200
    assert new.status_code == 302
    assert user.memberships.get().role == MembershipRole.ADMIN


@pytest.mark.parametrize("token", ["unknown-token", "x" * 101, "x" * 5000, "%00", "..", "a b"])
def test_invitation_unknown_or_malformed_token_not_found(client, token):
    response = client.get(f"/invitations/{token}/")

    assert response.status_code == 404
    assert INVITATION_SESSION_KEY not in client.session


def test_invitation_unknown_token_not_found_when_signed_in(client):
    client.force_login(UserFactory())

    assert client.post(_accept_url("unknown-token")).status_code == 404
