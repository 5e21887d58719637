"""Who may open each page of portal/accounts/urls.py. Objects the user may not see are 404, never 403."""

import pytest
from django.urls import reverse

from portal.accounts.enums import MembershipRole
from tests.factories.accounts import InvitationFactory, invitation_with_token

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"


def _login(client, actors, actor):
    if user := actors[actor]:
        client.force_login(user)


def _assert_status(response, status):
    assert response.status_code == status
    if status == 302 and response.wsgi_request.user.is_anonymous:
        assert response["Location"].startswith(LOGIN_URL)


ALL_SIGNED_IN_200 = [
    ("anonymous", 302),
    ("member", 200),
    ("admin", 200),
    ("other_admin", 200),
    ("staff", 200),
]


@pytest.mark.parametrize(("actor", "status"), ALL_SIGNED_IN_200)
def test_profile_page_access(client, actors, actor, status):
    _login(client, actors, actor)

    _assert_status(client.get(reverse("accounts:profile")), status)


@pytest.mark.parametrize(("actor", "status"), ALL_SIGNED_IN_200)
def test_organisation_list_page_access(client, actors, actor, status):
    _login(client, actors, actor)

    _assert_status(client.get(reverse("accounts:organisation-list")), status)


@pytest.mark.parametrize(("actor", "status"), ALL_SIGNED_IN_200)
def test_organisation_create_page_access(client, actors, actor, status):
    _login(client, actors, actor)

    _assert_status(client.get(reverse("accounts:organisation-create")), status)


@pytest.mark.parametrize(
    ("actor", "status"),
    [("anonymous", 302), ("member", 302), ("admin", 302), ("other_admin", 302), ("staff", 302)],
)
def test_organisation_switch_access(client, actors, actor, status):
    _login(client, actors, actor)

    response = client.post(
        reverse("accounts:organisation-switch"), {"organisation": actors["organisation"].pk}
    )

    _assert_status(response, status)


def test_organisation_switch_refuses_get(client, actors):
    client.force_login(actors["member"])

    assert client.get(reverse("accounts:organisation-switch")).status_code == 405


@pytest.mark.parametrize(
    ("actor", "status"),
    [("anonymous", 302), ("member", 200), ("admin", 200), ("other_admin", 404), ("staff", 200)],
)
def test_organisation_detail_page_access(client, actors, actor, status):
    _login(client, actors, actor)

    _assert_status(client.get(actors["organisation"].get_absolute_url()), status)


ADMIN_ONLY_GET = [("anonymous", 302), ("member", 404), ("admin", 200), ("other_admin", 404), ("staff", 404)]
ADMIN_ONLY_POST = [("anonymous", 302), ("member", 404), ("admin", 302), ("other_admin", 404), ("staff", 404)]


@pytest.mark.parametrize(("actor", "status"), ADMIN_ONLY_GET)
def test_organisation_update_page_access(client, actors, actor, status):
    _login(client, actors, actor)

    _assert_status(
        client.get(reverse("accounts:organisation-update", args=[actors["organisation"].slug])), status
    )


@pytest.mark.parametrize(("actor", "status"), ADMIN_ONLY_POST)
def test_organisation_update_post_access(client, actors, actor, status):
    _login(client, actors, actor)
    url = reverse("accounts:organisation-update", args=[actors["organisation"].slug])

    response = client.post(url, {"name": "Renamed", "country": "NO"})

    _assert_status(response, status)
    actors["organisation"].refresh_from_db()
    assert (actors["organisation"].name == "Renamed") is (actor == "admin")


@pytest.mark.parametrize(("actor", "status"), ADMIN_ONLY_GET)
def test_invitation_create_page_access(client, actors, actor, status):
    _login(client, actors, actor)

    _assert_status(
        client.get(reverse("accounts:invitation-create", args=[actors["organisation"].slug])), status
    )


@pytest.mark.parametrize(("actor", "status"), ADMIN_ONLY_POST)
def test_invitation_create_post_access(client, actors, actor, status):
    _login(client, actors, actor)
    url = reverse("accounts:invitation-create", args=[actors["organisation"].slug])

    response = client.post(url, {"email": "new@example.org", "role": MembershipRole.MEMBER})

    _assert_status(response, status)
    assert actors["organisation"].invitations.exists() is (actor == "admin")


@pytest.mark.parametrize(("actor", "status"), ADMIN_ONLY_POST)
def test_invitation_revoke_access(client, actors, actor, status):
    _login(client, actors, actor)
    invitation = InvitationFactory(organisation=actors["organisation"])

    response = client.post(
        reverse("accounts:invitation-revoke", args=[actors["organisation"].slug, invitation.pk])
    )

    _assert_status(response, status)
    invitation.refresh_from_db()
    assert (invitation.revoked_at is not None) is (actor == "admin")


@pytest.mark.parametrize(("actor", "status"), ADMIN_ONLY_POST)
def test_membership_role_access(client, actors, actor, status):
    _login(client, actors, actor)
    colleague = actors["colleague_membership"]

    response = client.post(
        reverse("accounts:membership-role", args=[actors["organisation"].slug, colleague.pk]),
        {"role": "admin"},
    )

    _assert_status(response, status)
    colleague.refresh_from_db()
    assert (colleague.role == MembershipRole.ADMIN) is (actor == "admin")


@pytest.mark.parametrize(("actor", "status"), ADMIN_ONLY_POST)
def test_membership_remove_access(client, actors, actor, status):
    _login(client, actors, actor)
    colleague = actors["colleague_membership"]

    response = client.post(
        reverse("accounts:membership-remove", args=[actors["organisation"].slug, colleague.pk])
    )

    _assert_status(response, status)
    assert actors["organisation"].memberships.filter(pk=colleague.pk).exists() is (actor != "admin")


@pytest.mark.parametrize(
    ("actor", "status"),
    [("anonymous", 200), ("member", 200), ("admin", 200), ("other_admin", 200), ("staff", 200)],
)
def test_invitation_accept_page_access(client, actors, actor, status):
    _login(client, actors, actor)
    _invitation, token = invitation_with_token(organisation=actors["organisation"])

    _assert_status(client.get(reverse("accounts:invitation-accept", args=[token])), status)


@pytest.mark.parametrize(
    "name",
    ["accounts:invitation-revoke", "accounts:membership-role", "accounts:membership-remove"],
)
def test_post_only_views_refuse_get(client, actors, name):
    client.force_login(actors["admin"])

    response = client.get(
        reverse(name, args=[actors["organisation"].slug, actors["colleague_membership"].pk])
    )

    assert response.status_code == 405


def test_membership_of_another_organisation_is_not_found_through_this_one(client, actors):
    # The admin may manage their own organisation, but not reach another's membership through its URL.
    client.force_login(actors["admin"])
    foreign = actors["other_organisation"].memberships.get()

    response = client.post(
        reverse("accounts:membership-remove", args=[actors["organisation"].slug, foreign.pk])
    )

    assert response.status_code == 404
    assert actors["other_organisation"].memberships.filter(pk=foreign.pk).exists()


def test_invitation_of_another_organisation_is_not_found_through_this_one(client, actors):
    client.force_login(actors["admin"])
    foreign = InvitationFactory(organisation=actors["other_organisation"])

    response = client.post(
        reverse("accounts:invitation-revoke", args=[actors["organisation"].slug, foreign.pk])
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_staff_without_authenticator_app_is_sent_to_set_one_up(client, actors):
    actors["staff"].authenticator_set.all().delete()
    client.force_login(actors["staff"])

    response = client.get(actors["organisation"].get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
