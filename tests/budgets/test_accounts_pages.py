"""Query budgets of the pages of portal/accounts, portal/notifications, portal/audit, portal/web and the
allauth pages as our templates render them: each renders with the same number of queries with 1 and with
50 rows (memberships, invitations, notifications, audit events, email addresses …) and at most 15.

A case signs in the person who sees the most, makes one row and returns the URL, a function that adds more
rows and the expected status. Pages with nothing of their own to list (sign-in, sign-up, password forms)
grow what every page reads: the signed-in person's memberships, or, signed out, other people's accounts."""

import time

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.account.internal.userkit import user_id_to_str
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse

from portal.accounts.kinds import ROLE_CHANGED
from portal.notifications.services import unsubscribe_token
from tests.budgets.budget import assert_flat_budget
from tests.factories.accounts import (
    AdminMembershipFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    TOTPAuthenticatorFactory,
    UserFactory,
    invitation_with_token,
)
from tests.factories.audit import AuditEventFactory
from tests.factories.notifications import NotificationFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "web:home",
    "web:health",
    "accounts:profile",
    "accounts:organisation-list",
    "accounts:organisation-create",
    "accounts:organisation-detail",
    "accounts:organisation-update",
    "accounts:invitation-create",
    "accounts:invitation-accept",
    "notifications:list",
    "notifications:preferences",
    "notifications:unsubscribe",
    "notifications:open",
    "audit:event-list",
    "audit:organisation-event-list",
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",
    "account_reauthenticate",
    "account_email",
    "account_email_verification_sent",
    "account_change_password",
    "account_set_password",
    "account_reset_password",
    "account_confirm_login_code",
    "account_confirm_email",
    "account_reset_password_from_key_done",
    "account_reset_password_from_key",
    "account_reset_password_done",
    "mfa_index",
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
}

POST_ONLY = {
    "accounts:organisation-switch",
    "accounts:invitation-revoke",
    "accounts:membership-role",
    "accounts:membership-remove",
    "accounts:session-keep-alive",
    "notifications:mark-all-read",
    "notifications:mark-read",
}


def _memberships_of(user):
    return lambda n: MembershipFactory.create_batch(n, user=user)


def _other_users(n):
    UserFactory.create_batch(n)


def _signed_in(client, user=None):
    user = user or UserFactory()
    MembershipFactory(user=user)
    client.force_login(user)
    return user


def _staff(client):
    """Programme staff with an authenticator app, signed in and just reauthenticated (as the MFA pages
    expect before they show anything)."""
    authenticator = TOTPAuthenticatorFactory()
    user = authenticator.user
    MembershipFactory(user=user)
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email, "reauthenticated": True}
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()
    return user


def _web_home(client):
    user = _signed_in(client)
    return reverse("web:home"), _memberships_of(user), 200


def _web_health(client):
    return reverse("web:health"), _other_users, 200


def _profile(client):
    user = _signed_in(client)
    return reverse("accounts:profile"), _memberships_of(user), 200


def _organisation_list(client):
    user = _signed_in(client)
    return reverse("accounts:organisation-list"), _memberships_of(user), 200


def _organisation_create(client):
    user = _signed_in(client)
    return reverse("accounts:organisation-create"), _memberships_of(user), 200


def _admin_of_organisation(client):
    membership = AdminMembershipFactory()
    client.force_login(membership.user)
    organisation = membership.organisation
    InvitationFactory(organisation=organisation)

    def grow(n):
        MembershipFactory.create_batch(n, organisation=organisation)
        InvitationFactory.create_batch(n, organisation=organisation)

    return organisation, grow


def _organisation_detail(client):
    organisation, grow = _admin_of_organisation(client)
    return reverse("accounts:organisation-detail", args=[organisation.slug]), grow, 200


def _organisation_update(client):
    organisation, grow = _admin_of_organisation(client)
    return reverse("accounts:organisation-update", args=[organisation.slug]), grow, 200


def _invitation_create(client):
    organisation, grow = _admin_of_organisation(client)
    return reverse("accounts:invitation-create", args=[organisation.slug]), grow, 200


def _invitation_accept(client):
    user = _signed_in(client)
    invitation, token = invitation_with_token(email=user.email)

    def grow(n):
        MembershipFactory.create_batch(n, organisation=invitation.organisation)
        MembershipFactory.create_batch(n, user=user)

    return reverse("accounts:invitation-accept", args=[token]), grow, 200


def _notification_list(client):
    user = _signed_in(client)
    NotificationFactory(recipient=user)
    return reverse("notifications:list"), lambda n: NotificationFactory.create_batch(n, recipient=user), 200


def _preferences(client):
    user = _signed_in(client)
    return reverse("notifications:preferences"), _memberships_of(user), 200


def _unsubscribe(client):
    user = UserFactory()
    token = unsubscribe_token(user_id=user.pk, kind=ROLE_CHANGED.key)

    def grow(n):
        NotificationFactory.create_batch(n, recipient=user)

    return reverse("notifications:unsubscribe", args=[token]), grow, 200


def _notification_open(client):
    user = _signed_in(client)
    notification = NotificationFactory(recipient=user)
    return (
        reverse("notifications:open", args=[notification.pk]),
        lambda n: NotificationFactory.create_batch(n, recipient=user),
        302,
    )


def _event_list(client):
    user = _staff(client)
    AuditEventFactory(organisation=OrganisationFactory(), actor=user)

    def grow(n):
        for _n in range(n):
            AuditEventFactory(organisation=OrganisationFactory(), actor=UserFactory())

    return reverse("audit:event-list"), grow, 200


def _organisation_event_list(client):
    membership = AdminMembershipFactory()
    client.force_login(membership.user)
    AuditEventFactory(organisation=membership.organisation, actor=membership.user)

    def grow(n):
        for _n in range(n):
            AuditEventFactory(organisation=membership.organisation, actor=UserFactory())

    return reverse("audit:organisation-event-list", args=[membership.organisation.slug]), grow, 200


# --- allauth ---------------------------------------------------------------------------------------------


def _anonymous(name, status=200):
    def case(client):
        return reverse(name), _other_users, status

    return case


def _signed_in_page(name, status=200):
    def case(client):
        user = _signed_in(client)
        return reverse(name), _memberships_of(user), status

    return case


def _staff_page(name, status=200):
    def case(client):
        user = _staff(client)
        return reverse(name), _memberships_of(user), status

    return case


def _account_email(client):
    user = _signed_in(client)
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": True}
    )

    def grow(n):
        for index in range(n):
            EmailAddress.objects.create(user=user, email=f"extra{index}.{user.pk}@example.org")

    return reverse("account_email"), grow, 200


def _confirm_email(client):
    user = UserFactory()
    address, _created = EmailAddress.objects.get_or_create(user=user, email=user.email)
    key = EmailConfirmationHMAC(address).key
    return reverse("account_confirm_email", args=[key]), _other_users, 200


def _reset_from_key(client):
    user = UserFactory()
    url = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    # allauth swaps the key for a session-held one and redirects; the budget is that of the form it shows.
    response = client.get(url)
    assert response.status_code == 302
    return response.url, _other_users, 200


def _recovery_codes(name, status=200):
    def case(client):
        user = _staff(client)
        RecoveryCodes.activate(user)
        return reverse(name), _memberships_of(user), status

    return case


CASES = {
    "web:home": _web_home,
    "web:health": _web_health,
    "accounts:profile": _profile,
    "accounts:organisation-list": _organisation_list,
    "accounts:organisation-create": _organisation_create,
    "accounts:organisation-detail": _organisation_detail,
    "accounts:organisation-update": _organisation_update,
    "accounts:invitation-create": _invitation_create,
    "accounts:invitation-accept": _invitation_accept,
    "notifications:list": _notification_list,
    "notifications:preferences": _preferences,
    "notifications:unsubscribe": _unsubscribe,
    "notifications:open": _notification_open,
    "audit:event-list": _event_list,
    "audit:organisation-event-list": _organisation_event_list,
    "account_login": _anonymous("account_login"),
    "account_logout": _signed_in_page("account_logout"),
    "account_inactive": _anonymous("account_inactive"),
    "account_signup": _anonymous("account_signup"),
    "account_reauthenticate": _signed_in_page("account_reauthenticate"),
    "account_email": _account_email,
    "account_email_verification_sent": _anonymous("account_email_verification_sent"),
    "account_change_password": _signed_in_page("account_change_password"),
    "account_set_password": _signed_in_page("account_set_password", status=302),
    "account_reset_password": _anonymous("account_reset_password"),
    "account_confirm_login_code": _anonymous("account_confirm_login_code", status=302),
    "account_confirm_email": _confirm_email,
    "account_reset_password_from_key_done": _anonymous("account_reset_password_from_key_done"),
    "account_reset_password_from_key": _reset_from_key,
    "account_reset_password_done": _anonymous("account_reset_password_done"),
    "mfa_index": _staff_page("mfa_index"),
    "mfa_authenticate": _anonymous("mfa_authenticate", status=302),
    "mfa_reauthenticate": _staff_page("mfa_reauthenticate"),
    "mfa_activate_totp": _staff_page("mfa_activate_totp", status=302),
    "mfa_deactivate_totp": _staff_page("mfa_deactivate_totp"),
    "mfa_view_recovery_codes": _recovery_codes("mfa_view_recovery_codes"),
    "mfa_generate_recovery_codes": _recovery_codes("mfa_generate_recovery_codes"),
    "mfa_download_recovery_codes": _recovery_codes("mfa_download_recovery_codes"),
}


def test_every_page_has_a_case():
    assert set(CASES) == PAGES


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_query_budget(client, django_assert_max_num_queries, name):
    url, grow, status = CASES[name](client)

    assert_flat_budget(client, django_assert_max_num_queries, url, grow, status=status)
