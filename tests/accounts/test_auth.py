"""Sign-up, sign-in, sign-out, passwords and two-factor authentication, through allauth's real views."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.urls import reverse

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from tests.accounts.form_assertions import assert_field_error, assert_input_value, assert_non_field_error
from tests.factories.accounts import (
    PASSWORD,
    TOTP_SECRET,
    ProgrammeStaffFactory,
    TOTPAuthenticatorFactory,
    UserFactory,
    current_totp_code,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def _signup(client, email: str, headers: dict | None = None, **fields):
    data = {"full_name": "Nina Ny", "email": email, "password1": PASSWORD, "password2": PASSWORD, **fields}
    return client.post(reverse("account_signup"), data, headers=headers)


def _login(client, email: str, password: str = PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def _link(message, path_prefix: str) -> str:
    match = re.search(rf"http://testserver({re.escape(path_prefix)}\S+)", message.body)
    assert match is not None, f"no {path_prefix} link in {message.body!r}"
    return match.group(1)


def _signed_in_user(client):
    return client.get(reverse("web:home")).wsgi_request.user


# Sign-up with mandatory email verification


# allauth's mails go through the outbox, sent after the commit: this test needs real commits.
@pytest.mark.django_db(transaction=True)
def test_signup_sends_confirmation_mail_and_does_not_sign_in(client, mailoutbox):
    response = _signup(client, "nina@example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert [message.to for message in mailoutbox] == [["nina@example.org"]]
    assert "/accounts/confirm-email/" in mailoutbox[0].body
    assert _signed_in_user(client).is_anonymous


def test_signup_saves_name_and_language_and_records_audit_entry(client):
    _signup(client, "nina@example.org", headers={"Accept-Language": "nb"})

    user = User.objects.get(email="nina@example.org")
    assert user.full_name == "Nina Ny"
    assert user.language == "nb"
    assert AuditEvent.objects.get(action="user.signed_up").actor == user


def test_signup_unconfirmed_account_cannot_sign_in(client, mailoutbox):
    _signup(client, "nina@example.org")
    client.logout()

    response = _login(client, "nina@example.org")

    assert response["Location"] == reverse("account_email_verification_sent")
    assert _signed_in_user(client).is_anonymous
    assert not AuditEvent.objects.filter(action="user.logged_in").exists()


# allauth's mails go through the outbox, sent after the commit: this test needs real commits.
@pytest.mark.django_db(transaction=True)
def test_signup_confirmation_link_verifies_and_signs_in(client, mailoutbox):
    _signup(client, "nina@example.org")
    confirm_url = _link(mailoutbox[0], "/accounts/confirm-email/")

    assert client.get(confirm_url).status_code == 200  # a page with a button: no change on GET
    assert not EmailAddress.objects.get(email="nina@example.org").verified
    response = client.post(confirm_url)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="nina@example.org").verified
    assert _signed_in_user(client).email == "nina@example.org"
    assert AuditEvent.objects.filter(action="user.email_confirmed").count() == 1


# allauth's mails go through the outbox, sent after the commit: this test needs real commits.
@pytest.mark.django_db(transaction=True)
def test_signup_confirmed_account_can_sign_in_later(client, mailoutbox):
    _signup(client, "nina@example.org")
    client.post(_link(mailoutbox[0], "/accounts/confirm-email/"))
    client.post(reverse("account_logout"))

    response = _login(client, "nina@example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert _signed_in_user(client).email == "nina@example.org"


def _page_without_secrets(client, url: str, email: str) -> str:
    content = client.get(url).content.decode().replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content)


# allauth's mails go through the outbox, sent after the commit: this test needs real commits.
@pytest.mark.django_db(transaction=True)
def test_signup_with_existing_email_looks_like_a_new_one(client, mailoutbox):
    existing = UserFactory(email="kari@example.org")
    other_client = type(client)()

    new_response = _signup(other_client, "brand-new@example.org")
    existing_response = _signup(client, "kari@example.org")

    assert existing_response.status_code == new_response.status_code == 302
    assert existing_response["Location"] == new_response["Location"]
    assert _page_without_secrets(client, existing_response["Location"], "kari@example.org") == (
        _page_without_secrets(other_client, new_response["Location"], "brand-new@example.org")
    )
    assert User.objects.filter(email__iexact="kari@example.org").count() == 1
    # The owner of the address is told, instead of the visitor.
    to_owner = [message for message in mailoutbox if message.to == [existing.email]]
    assert len(to_owner) == 1
    assert "already exists" in to_owner[0].body


def test_signup_with_existing_email_in_other_case_does_not_create_account(client, mailoutbox):
    UserFactory(email="kari@example.org")

    _signup(client, "KARI@Example.org")

    assert User.objects.filter(email__iexact="kari@example.org").count() == 1


def test_signup_bad_input_shows_errors_and_keeps_input(client):
    response = client.post(
        reverse("account_signup"),
        {"full_name": "Nina Ny", "email": "not-an-address", "password1": "short", "password2": "short"},
    )

    assert response.status_code == 200
    assert_field_error(response, "email", "Enter a valid email address.")
    assert_input_value(response, "email", "not-an-address")
    assert_input_value(response, "full_name", "Nina Ny")


def test_signup_weak_password_shows_error(client):
    response = client.post(
        reverse("account_signup"),
        {"full_name": "Nina Ny", "email": "nina@example.org", "password1": "12345", "password2": "12345"},
    )

    assert_field_error(
        response, "password1", "This password is too short. It must contain at least 10 characters."
    )
    assert_input_value(response, "email", "nina@example.org")
    assert not User.objects.exists()


def test_signup_missing_name_shows_error(client):
    response = _signup(client, "nina@example.org", full_name="")

    assert_field_error(response, "full_name", "This field is required.")
    assert_input_value(response, "email", "nina@example.org")


# Sign-in and sign-out


def test_login_signs_in_and_records_audit_entry_without_mfa(client):
    user = UserFactory()

    response = _login(client, user.email, REMOTE_ADDR="203.0.113.9")

    assert response["Location"] == reverse("web:home")
    event = AuditEvent.objects.get(action="user.logged_in")
    assert event.actor == user
    assert event.data == {"methods": ["password"], "mfa": False}
    assert event.ip_address == "203.0.113.9"


def test_login_applies_the_language_chosen_in_the_profile(client):
    user = UserFactory(language="nb")

    _login(client, user.email)

    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nb"
    assert '<html lang="nb">' in client.get(reverse("web:home")).content.decode()


def test_login_email_is_case_insensitive(client):
    user = UserFactory(email="kari@example.org")

    _login(client, "Kari@Example.ORG")

    assert _signed_in_user(client) == user


def test_login_wrong_password_shows_error_and_records_failure(client):
    user = UserFactory()

    response = _login(client, user.email, "wrong-password", REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 200
    assert_non_field_error(response, "The email address and/or password you specified are not correct.")
    assert_input_value(response, "login", user.email)
    event = AuditEvent.objects.get(action="user.login_failed")
    assert event.actor is None
    assert event.data == {"email": user.email}
    assert event.ip_address == "198.51.100.7"
    assert "wrong-password" not in str(event.data)


def test_login_unknown_address_looks_like_wrong_password(client):
    UserFactory(email="kari@example.org")

    unknown = _login(client, "nobody@example.org")
    wrong = _login(client, "kari@example.org", "wrong-password")

    assert unknown.status_code == wrong.status_code == 200
    assert_non_field_error(unknown, "The email address and/or password you specified are not correct.")
    assert_non_field_error(wrong, "The email address and/or password you specified are not correct.")


def test_login_repeated_failures_are_throttled(client):
    # allauth's default: five failed attempts per address within five minutes.
    user = UserFactory()
    for _ in range(5):
        _login(client, user.email, "wrong-password")

    response = _login(client, user.email)

    assert response.status_code == 200
    assert_non_field_error(response, "Too many failed login attempts. Try again later.")
    assert _signed_in_user(client).is_anonymous


def test_login_inactive_user_refused(client):
    user = UserFactory(is_active=False)

    response = _login(client, user.email)

    assert _signed_in_user(client).is_anonymous
    assert response["Location"] == reverse("account_inactive")


def test_signup_is_throttled_per_ip(client):
    # allauth's default: 20 sign-up attempts a minute from one IP address.
    for n in range(20):
        client.post(reverse("account_signup"), {"email": f"bot{n}@example.org"})

    response = _signup(client, "nina@example.org")

    assert response.status_code == 429
    assert not User.objects.filter(email="nina@example.org").exists()


def test_logout_signs_out(client):
    user = UserFactory()
    _login(client, user.email)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert _signed_in_user(client).is_anonymous


# Passwords


# allauth's mails go through the outbox, sent after the commit: this test needs real commits.
@pytest.mark.django_db(transaction=True)
def test_password_reset_mails_a_link_that_sets_a_new_password(client, mailoutbox):
    user = UserFactory()

    response = client.post(reverse("account_reset_password"), {"email": user.email})

    assert response["Location"] == reverse("account_reset_password_done")
    key_url = _link(mailoutbox[0], "/accounts/password/reset/key/")
    set_url = client.get(key_url)["Location"]
    done = client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.get(action="user.password_reset").actor == user


# allauth's mails go through the outbox, sent after the commit: this test needs real commits.
@pytest.mark.django_db(transaction=True)
def test_password_reset_unknown_address_looks_like_a_known_one(client, mailoutbox):
    user = UserFactory()

    known = client.post(reverse("account_reset_password"), {"email": user.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The unknown address is told no account exists; no reset link goes to it.
    to_unknown = [message for message in mailoutbox if message.to == ["nobody@example.org"]]
    assert len(to_unknown) == 1
    assert "/accounts/password/reset/key/" not in to_unknown[0].body


# allauth's mails go through the outbox, sent after the commit: this test needs real commits.
@pytest.mark.django_db(transaction=True)
def test_password_reset_link_used_twice_refused(client, mailoutbox):
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    key_url = _link(mailoutbox[0], "/accounts/password/reset/key/")
    client.post(client.get(key_url)["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    response = client.get(key_url)

    assert response.status_code == 200
    assert "token" in response.content.decode().lower() or "invalid" in response.content.decode().lower()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


# allauth's mails go through the outbox, sent after the commit: this test needs real commits.
@pytest.mark.django_db(transaction=True)
def test_password_reset_from_key_mismatch_shows_error(client, mailoutbox):
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    set_url = client.get(_link(mailoutbox[0], "/accounts/password/reset/key/"))["Location"]

    response = client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})

    assert response.status_code == 200
    assert_field_error(response, "password2", "You must type the same password each time.")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_is_throttled_per_address(client):
    user = UserFactory()
    for _ in range(5):
        client.post(reverse("account_reset_password"), {"email": user.email})

    response = client.post(reverse("account_reset_password"), {"email": user.email})

    assert response.status_code == 429


def test_password_reset_bad_address_shows_error(client):
    response = client.post(reverse("account_reset_password"), {"email": "not-an-address"})

    assert response.status_code == 200
    assert_field_error(response, "email", "Enter a valid email address.")
    assert_input_value(response, "email", "not-an-address")


def test_password_change_sets_new_password_and_records_audit_entry(client):
    user = UserFactory()
    _login(client, user.email)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.get(action="user.password_changed").actor == user
    assert _signed_in_user(client) == user


def test_password_change_wrong_old_password_shows_error(client):
    user = UserFactory()
    _login(client, user.email)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert_field_error(response, "oldpassword", "Please type your current password.")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_requires_sign_in(client):
    response = client.get(reverse("account_change_password"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# Two-factor authentication


def test_staff_without_authenticator_is_sent_to_activation_after_login(client):
    staff = ProgrammeStaffFactory()
    _login(client, staff.email)

    response = client.get(reverse("accounts:organisation-list"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before a second factor is set up; the page is reachable.
    reauthenticate = client.get(response["Location"])["Location"]
    assert reauthenticate.startswith(reverse("account_reauthenticate"))
    assert client.post(reauthenticate, {"password": PASSWORD})["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_staff_activating_authenticator_is_then_let_through(client):
    staff = ProgrammeStaffFactory()
    _login(client, staff.email)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]

    client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})

    assert client.get(reverse("accounts:organisation-list")).status_code == 200


@pytest.mark.parametrize("path", ["/accounts/logout/", "/accounts/2fa/totp/activate/", "/health/"])
def test_staff_without_authenticator_may_reach_setup_and_exempt_pages(client, path):
    staff = ProgrammeStaffFactory()
    _login(client, staff.email)

    response = client.get(path)

    assert response.get("Location") != reverse("mfa_activate_totp")


def test_staff_with_authenticator_is_let_through(client):
    staff = TOTPAuthenticatorFactory().user
    client.force_login(staff)

    response = client.get(reverse("accounts:organisation-list"))

    assert response.status_code == 200


def test_non_staff_without_authenticator_is_let_through(client):
    client.force_login(UserFactory())

    assert client.get(reverse("accounts:organisation-list")).status_code == 200


def test_staff_login_asks_for_the_code_and_records_mfa(client):
    staff = TOTPAuthenticatorFactory().user

    first = _login(client, staff.email)
    assert first["Location"] == reverse("mfa_authenticate")
    assert _signed_in_user(client).is_anonymous
    second = client.post(reverse("mfa_authenticate"), {"code": current_totp_code()})

    assert second.status_code == 302
    assert _signed_in_user(client) == staff
    event = AuditEvent.objects.get(action="user.logged_in")
    assert event.data == {"methods": ["mfa", "password"], "mfa": True}


def test_staff_login_wrong_code_refused(client):
    staff = TOTPAuthenticatorFactory().user
    _login(client, staff.email)

    response = client.post(
        reverse("mfa_authenticate"), {"code": "000000" if current_totp_code() != "000000" else "111111"}
    )

    assert response.status_code == 200
    assert_field_error(response, "code", "Incorrect code.")
    assert _signed_in_user(client).is_anonymous
    assert not AuditEvent.objects.filter(action="user.logged_in").exists()


def test_any_user_may_activate_an_authenticator_app(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    _login(client, user.email)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session["mfa.totp.secret"]

    with django_capture_on_commit_callbacks(execute=True):  # allauth reports the new authenticator on commit
        response = client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert AuditEvent.objects.filter(action="user.mfa_added", actor=user).exists()


def test_activate_authenticator_wrong_code_shows_error(client):
    user = UserFactory()
    _login(client, user.email)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    wrong = "000000" if current_totp_code(client.session["mfa.totp.secret"]) != "000000" else "111111"

    response = client.post(reverse("mfa_activate_totp"), {"code": wrong})

    assert response.status_code == 200
    assert_field_error(response, "code", "Incorrect code.")
    assert_input_value(response, "code", wrong)
    assert not Authenticator.objects.filter(user=user).exists()


def test_reauthenticate_wrong_password_shows_error(client):
    user = UserFactory()
    _login(client, user.email)

    response = client.post(reverse("account_reauthenticate"), {"password": "wrong-password"})

    assert response.status_code == 200
    assert_field_error(response, "password", "Incorrect password.")


def test_authenticator_factory_secret_gives_valid_codes():
    from allauth.mfa.totp.internal.auth import validate_totp_code

    assert validate_totp_code(TOTP_SECRET, current_totp_code())


def test_signup_confirmation_mail_waits_in_the_outbox(client, django_capture_on_commit_callbacks):
    from portal.notifications.enums import OutboxStatus
    from portal.notifications.models import OutboxMail

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _signup(client, "olav@example.org")

    outbox_mail = OutboxMail.objects.get(to_email="olav@example.org")
    assert outbox_mail.kind == "accounts.account"
    assert outbox_mail.status == OutboxStatus.PENDING
    assert "/accounts/confirm-email/" in outbox_mail.body_text
    assert len(callbacks) == 1
