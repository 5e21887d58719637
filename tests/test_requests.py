"""Malformed requests get a 4xx answer, never a server error: bad ids and slugs in URLs, bogus query
strings, oversized or odd bodies."""

import pytest
from django.conf import settings
from django.urls import reverse

from portal.accounts.models import User
from tests.accounts.form_assertions import assert_field_error
from tests.factories.accounts import PASSWORD, TOTPAuthenticatorFactory, organisation_actors

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors():
    return organisation_actors()


@pytest.fixture
def admin_client(client, actors):
    client.force_login(actors["admin"])
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/organisations/no-such-organisation/",
        "/organisations/no-such-organisation/edit/",
        "/organisations/no-such-organisation/invite/",
        "/organisations/" + "x" * 500 + "/",
        "/organisations/%C3%A6%C3%B8%C3%A5/",
        "/organisations/%00/",
        "/organisations/..%2F..%2Fetc/",
        "/audit/organisations/no-such-organisation/",
    ],
)
def test_unknown_or_malformed_slug_not_found(admin_client, path):
    assert admin_client.get(path).status_code == 404


@pytest.mark.parametrize("pk", ["abc", "-1", "0", "1.5", "99999999999999999999999999", "9223372036854775808"])
@pytest.mark.parametrize("action", ["role", "remove"])
def test_bad_membership_id_not_found(admin_client, actors, pk, action):
    response = admin_client.post(
        f"/organisations/{actors['organisation'].slug}/members/{pk}/{action}/", {"role": "admin"}
    )

    assert response.status_code == 404


@pytest.mark.parametrize("pk", ["abc", "-1", "99999999999999999999999999", "9223372036854775808"])
def test_bad_invitation_id_not_found(admin_client, actors, pk):
    response = admin_client.post(f"/organisations/{actors['organisation'].slug}/invitations/{pk}/revoke/")

    assert response.status_code == 404


@pytest.mark.parametrize("token", ["x" * 101, "x" * 4000, "%FF%FE", "%00abc"])
def test_malformed_invitation_token_not_found(client, token):
    assert client.get(f"/invitations/{token}/").status_code == 404


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "1e3", "9" * 50, "%00", ""])
@pytest.mark.parametrize("name", ["accounts:organisation-list", "audit:event-list"])
def test_bogus_page_query_string_answers_a_page(client, name, page):
    client.force_login(TOTPAuthenticatorFactory().user)

    response = client.get(f"{reverse(name)}?page={page}")

    assert response.status_code == 200


def test_bogus_page_on_organisation_audit_log(admin_client, actors):
    url = reverse("audit:organisation-event-list", args=[actors["organisation"].slug])

    assert admin_client.get(url, {"page": "last-but-one"}).status_code == 200


@pytest.mark.parametrize("query", ["kind=%FF", "kind=" + "x" * 5000, "kind=buyer&kind=supplier", "kind[]=1"])
def test_odd_query_strings_answer_a_page(admin_client, query):
    assert admin_client.get(f"{reverse('accounts:organisation-list')}?{query}").status_code == 200


def _oversized() -> dict:
    return {"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "kind": "buyer", "country": "NO"}


def test_oversized_post_body_refused(admin_client):
    response = admin_client.post(reverse("accounts:organisation-create"), _oversized())

    assert response.status_code == 400


def test_oversized_urlencoded_post_body_refused(admin_client):
    body = "name=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = admin_client.post(
        reverse("accounts:organisation-create"), body, content_type="application/x-www-form-urlencoded"
    )

    # Refused by its Content-Length before it is read (portal/uploads_limit.py).
    assert response.status_code == 413
    assert response.content.decode().startswith("The request is too large")


def test_oversized_post_body_to_login_refused(client):
    response = client.post(
        reverse("account_login"), {"login": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )

    assert response.status_code == 400


def test_too_many_fields_refused(admin_client):
    body = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    response = admin_client.post(
        reverse("accounts:organisation-create"), body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400


@pytest.mark.parametrize("value", ["abc", "", "1; DROP TABLE accounts_user", "9" * 40, "-5"])
def test_non_integer_organisation_in_switcher_refused_politely(admin_client, value):
    response = admin_client.post(reverse("accounts:organisation-switch"), {"organisation": value})

    assert response.status_code == 302
    assert "active_organisation_id" not in admin_client.session


def test_null_character_in_form_field_is_a_form_error(admin_client):
    response = admin_client.post(
        reverse("accounts:organisation-create"), {"name": "Oslo\x00kommune", "kind": "buyer", "country": "NO"}
    )

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("account_login", {"login": "ann\x00@example.org", "password": "x"}),
        (
            "account_signup",
            {"email": "ann\x00@example.org", "full_name": "\x00", "password1": "x", "password2": "x"},
        ),
        ("account_reset_password", {"email": "ann\x00@example.org"}),
    ],
)
def test_null_character_in_allauth_forms_is_a_form_error(client, name, data):
    response = client.post(reverse(name), data)

    assert response.status_code == 200


def test_invitation_with_null_character_in_email_is_a_form_error(admin_client, actors):
    response = admin_client.post(
        reverse("accounts:invitation-create", args=[actors["organisation"].slug]),
        {"email": "ann\x00@example.org", "role": "member"},
    )

    assert response.status_code == 200


def test_unsupported_method_refused(admin_client, actors):
    response = admin_client.put(actors["organisation"].get_absolute_url())

    assert response.status_code == 405


def test_json_body_to_form_view_is_a_form_error(admin_client):
    response = admin_client.post(
        reverse("accounts:organisation-create"), {"name": 1}, content_type="application/json"
    )

    assert response.status_code == 200


def test_csrf_missing_refused(actors):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(actors["admin"])

    response = client.post(
        reverse("accounts:organisation-create"), {"name": "x", "kind": "buyer", "country": "NO"}
    )

    assert response.status_code == 403


@pytest.mark.parametrize("name", ["accounts:organisation-list", "audit:event-list"])
def test_unsupported_method_on_list_refused(client, name):
    client.force_login(TOTPAuthenticatorFactory().user)

    assert client.post(reverse(name)).status_code == 405


# An address longer than an account or invitation can hold (254 characters) but which email syntax allows.
LONG_EMAIL = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".org"


def test_overlong_email_at_signup_is_a_form_error(client):
    response = client.post(
        reverse("account_signup"),
        {"full_name": "Nina", "email": LONG_EMAIL, "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 200
    assert_field_error(response, "email", "Ensure this value has at most 254 characters (it has 308).")
    assert not User.objects.exists()


def test_overlong_email_in_invitation_is_a_form_error(admin_client, actors):
    response = admin_client.post(
        reverse("accounts:invitation-create", args=[actors["organisation"].slug]),
        {"email": LONG_EMAIL, "role": "member"},
    )

    assert response.status_code == 200
    assert_field_error(response, "email", "Ensure this value has at most 254 characters (it has 308).")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("account_login", {"login": LONG_EMAIL, "password": "x"}),
        ("account_reset_password", {"email": LONG_EMAIL}),
    ],
)
def test_overlong_email_in_other_allauth_forms_is_no_server_error(client, name, data):
    assert client.post(reverse(name), data).status_code < 500


@pytest.mark.parametrize("action", ["user%00", "%00", "user.%0Alogged", "%ff%fe"])
def test_control_characters_in_audit_filter_answer_a_page(client, action):
    client.force_login(TOTPAuthenticatorFactory().user)

    response = client.get(f"{reverse('audit:event-list')}?action={action}")

    assert response.status_code == 200


@pytest.mark.parametrize("target", ["/organisations/\r\nX-Evil: 1", "/\x00", "/a\nb"])
def test_control_characters_in_switcher_next_cannot_inject_headers(admin_client, actors, target):
    response = admin_client.post(
        reverse("accounts:organisation-switch"), {"organisation": actors["organisation"].pk, "next": target}
    )

    assert response.status_code == 302
    assert "\n" not in response["Location"]
    assert "X-Evil" not in response.headers
