"""Headers and sessions (OWASP ASVS level 2, V3 and V14): the Content Security Policy, HSTS and the other
headers on real responses; session cookies; the session key rotated at sign-in; the 30-minute idle sign-out
for Django admin users, programme staff and evaluators (on the admin's pages too, for someone appointed to
a panel mid-session, and for a POST it cuts short); the Django admin's sign-in throttled like everyone's."""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.accounts.sessions import IDLE_TIMEOUT_KEY
from tests.factories.accounts import PASSWORD, TOTPAuthenticatorFactory, UserFactory, current_totp_code

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
PUBLIC_PAGES = ["/", "/challenges/", "/accounts/login/", "/exchanges/", "/ideas/"]


def _login(client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture(scope="module")
def production() -> dict:
    """The security settings as the production settings module sets them (read in a fresh process)."""
    names = [
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_NAME",
    ]
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "test-only-secret-for-reading-the-production-settings-0123456789abcdef",
        "ALLOWED_HOSTS": "portal.example.org",
        "DATABASE_URL": "sqlite:////tmp/portal-settings-read.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# Headers


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_page_sends_a_strict_content_security_policy(client, path):
    response = client.get(path)

    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["style-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_page_sends_the_other_security_headers(client, path):
    response = client.get(path)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_no_page_template_carries_an_inline_script_or_handler():
    # The policy forbids inline scripts, so one in a template would silently not run: keep them out.
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        lowered = text.lower()
        for position in range(len(lowered)):
            if lowered.startswith("<script", position):
                tag = lowered[position : lowered.index(">", position)]
                if "src=" not in tag and 'type="application/json"' not in tag and "json_script" not in tag:
                    offenders.append(f"{template.relative_to(ROOT)}: inline <script>")
        for handler in (" onclick=", " onload=", " onchange=", " onsubmit=", " onerror="):
            if handler in lowered:
                offenders.append(f"{template.relative_to(ROOT)}:{handler.strip()}")
    assert offenders == []


def test_production_sends_hsts_and_secure_cookies(client, production):
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert production["CSRF_COOKIE_NAME"].startswith("__Host-")
    user = UserFactory()

    with override_settings(**production):
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}, secure=True
        )

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    cookie = response.cookies[production["SESSION_COOKIE_NAME"]]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]


def test_production_redirects_plain_http_to_https(client, production):
    with override_settings(**production):
        response = client.get("/challenges/")

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


# Sessions


def test_signing_in_rotates_the_session_key(client):
    user = UserFactory()
    client.get(reverse("account_login"))
    session = client.session
    session["before"] = "anonymous"
    session.save()
    anonymous_key = session.session_key

    _login(client, user.email)

    assert client.session.session_key != anonymous_key
    assert client.session[SESSION_KEY] == str(user.pk)


def test_signing_out_ends_the_session_on_the_server(client):
    user = UserFactory()
    _login(client, user.email)
    key = client.session.session_key

    client.post(reverse("account_logout"))

    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("accounts:profile")).status_code == 302


@pytest.fixture
def staff_client(client):
    staff = TOTPAuthenticatorFactory().user
    _login(client, staff.email)
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code()})
    assert client.session[IDLE_TIMEOUT_KEY] == settings.SESSION_IDLE_TIMEOUT == 30 * 60
    return client


def test_programme_staff_are_signed_out_after_thirty_idle_minutes(staff_client):
    profile = reverse("accounts:profile")
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        response = staff_client.get(profile)

        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={profile}"
        followed = staff_client.get(response["Location"])
        assert "signed out after 30 minutes without activity" in followed.content.decode()
        assert staff_client.get(profile).status_code == 302


def test_activity_keeps_a_staff_session_alive(staff_client):
    profile = reverse("accounts:profile")
    start = timezone.now()
    for minutes in (20, 40, 60):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert staff_client.get(profile).status_code == 200


def test_the_keep_alive_button_counts_as_activity(staff_client):
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=28), tick=False):
        assert staff_client.post(reverse("accounts:session-keep-alive")).status_code == 204
    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        assert staff_client.get(reverse("accounts:profile")).status_code == 200


def test_a_keep_alive_that_comes_too_late_is_told_so_without_a_redirect(staff_client):
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        response = staff_client.post(reverse("accounts:session-keep-alive"))

        assert response.status_code == 401
        assert staff_client.get(reverse("accounts:profile")).status_code == 302


def test_the_page_knows_when_the_server_last_saw_the_person(staff_client):
    start = timezone.now()
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        page = staff_client.get(reverse("accounts:profile")).content.decode()

    # Activity is recorded at most once a minute: the page counts from the server's record, not its load.
    last_seen = int(re.search(r'data-idle-last-seen="(\d+)"', page).group(1))
    now = int(re.search(r'data-idle-now="(\d+)"', page).group(1))
    assert 25 <= now - last_seen <= 35


def test_the_keep_alive_answers_only_posts_from_a_signed_in_person(client):
    url = reverse("accounts:session-keep-alive")
    assert client.post(url).status_code == 401
    client.force_login(UserFactory())
    assert client.get(url).status_code == 405


def test_a_staff_page_tells_the_browser_about_the_timeout(staff_client):
    page = staff_client.get(reverse("accounts:profile")).content.decode()

    assert 'data-idle-timeout="1800"' in page
    assert 'id="idle-warning"' in page and "Stay signed in" in page


def test_evaluators_are_signed_out_after_thirty_idle_minutes(client):
    from tests.factories.suppliers import EvaluatorFactory

    evaluator = EvaluatorFactory()
    _login(client, evaluator.user.email)
    assert client.session[IDLE_TIMEOUT_KEY] == 30 * 60

    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        assert client.get(reverse("accounts:profile")).status_code == 302


def test_a_session_from_before_the_rule_comes_under_it(client):
    staff = TOTPAuthenticatorFactory().user
    client.force_login(staff)
    session = client.session
    del session[IDLE_TIMEOUT_KEY]
    session.save()

    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.session[IDLE_TIMEOUT_KEY] == 30 * 60
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        assert client.get(reverse("accounts:profile")).status_code == 302


def test_other_people_are_not_signed_out_when_idle(client):
    user = UserFactory()
    _login(client, user.email)

    assert client.session[IDLE_TIMEOUT_KEY] == 0
    assert "data-idle-timeout" not in client.get(reverse("accounts:profile")).content.decode()
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        assert client.get(reverse("accounts:profile")).status_code == 200


def _sent_to_sign_in_then(response) -> str:
    """Where a redirect to the sign-in page says to go after signing in."""
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_login")
    return parse_qs(location.query)["next"][0]


def test_a_post_cut_short_by_the_timeout_returns_to_the_page_the_form_was_on(staff_client):
    # The form's target answers POST only: sent back there after sign-in, the person would meet a 405.
    form_page = f"{reverse('accounts:organisation-list')}?page=2"
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        response = staff_client.post(
            reverse("accounts:organisation-switch"),
            {"organisation": "1"},
            headers={"referer": f"http://testserver{form_page}"},
        )

        assert _sent_to_sign_in_then(response) == form_page
        followed = staff_client.get(response["Location"]).content.decode()
        assert "so what you sent was not saved" in followed


@pytest.mark.parametrize(
    "referer",
    [
        None,
        "https://elsewhere.example/accounts/organisations/",
        "http://testserver//elsewhere.example/accounts/organisations/",
        "javascript:alert(1)//testserver/",
    ],
)
def test_a_post_cut_short_by_the_timeout_never_follows_a_referer_off_the_site(staff_client, referer):
    headers = {"referer": referer} if referer else {}
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        response = staff_client.post(reverse("accounts:organisation-switch"), {}, headers=headers)

    assert _sent_to_sign_in_then(response) == reverse("web:home")


def test_someone_appointed_to_a_panel_while_signed_in_comes_under_the_rule_within_a_minute(client):
    from tests.factories.suppliers import EvaluatorFactory

    user = UserFactory()
    _login(client, user.email)
    assert client.session[IDLE_TIMEOUT_KEY] == 0
    start = timezone.now()

    EvaluatorFactory(user=user)

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        page = client.get(reverse("accounts:profile")).content.decode()
        assert client.session[IDLE_TIMEOUT_KEY] == 30 * 60
        assert 'data-idle-timeout="1800"' in page
    with time_machine.travel(start + timedelta(seconds=61, minutes=31), tick=False):
        assert client.get(reverse("accounts:profile")).status_code == 302


def test_the_panel_check_costs_a_page_no_query_in_the_first_minute_and_one_after(client):
    user = UserFactory()
    _login(client, user.email)
    start = timezone.now()
    profile = reverse("accounts:profile")

    def queries_at(seconds: int) -> list[str]:
        with (
            time_machine.travel(start + timedelta(seconds=seconds), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            assert client.get(profile).status_code == 200
        # The session write's savepoint and its release are not queries of their own.
        return [query["sql"] for query in queries if not query["sql"].startswith(("SAVEPOINT", "RELEASE"))]

    within_the_minute = queries_at(30)
    after_it = queries_at(61)

    assert [sql for sql in within_the_minute if "evaluation_evaluator" in sql] == []
    assert [sql for sql in within_the_minute if sql.startswith('UPDATE "django_session"')] == []
    assert len([sql for sql in after_it if "evaluation_evaluator" in sql]) == 1
    assert len(after_it) == len(within_the_minute) + 2  # the panel check and the session write
    # Decided again: the next minute is free again.
    assert len(queries_at(90)) == len(within_the_minute)


@pytest.fixture
def admin_client(client):
    admin = TOTPAuthenticatorFactory(user__is_staff=True, user__is_superuser=True).user
    _login(client, admin.email)
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code()})
    return client


@pytest.mark.parametrize("page", ["", "accounts/user/", "accounts/user/add/"])
def test_the_admins_pages_carry_the_idle_warning_within_the_policy(admin_client, page):
    response = admin_client.get(f"/{settings.ADMIN_URL}{page}")

    assert response.status_code == 200
    html = response.content.decode()
    session = re.search(r'<div class="idle-session"([^>]*)>', html).group(1)
    assert 'data-idle-timeout="1800"' in session
    assert f'data-keep-alive-url="{reverse("accounts:session-keep-alive")}"' in session
    assert re.search(r'data-idle-last-seen="\d+" data-idle-now="\d+"', session)
    assert 'id="idle-warning"' in html and "Stay signed in" in html and 'id="idle-signed-out"' in html
    assert re.search(r'<script src="[^"]*/js/portal\.js" defer></script>', html)
    # keep-alive posts the page's CSRF token: the admin's sign-out form carries one
    assert 'name="csrfmiddlewaretoken"' in html
    assert _directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]


# The Django admin signs in through allauth, so its throttling and two factors apply


def test_the_admin_sign_in_is_allauths(client):
    admin_login = f"/{settings.ADMIN_URL}login/"

    response = client.get(admin_login)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_admin_sign_in_is_throttled_after_repeated_failures(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(5):
        _login(client, admin.email, "wrong-password")

    response = _login(client, admin.email)

    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(f"/{settings.ADMIN_URL}").status_code == 302
