"""The coach's pages: programme staff's rule management and "try the coach", and the live check."""

import importlib
import json
import re

import factory
import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse

from challenges.models import CoachRule
from portal.audit.models import AuditEvent
from tests.accounts.form_assertions import assert_field_error
from tests.factories.accounts import (
    BuyerFactory,
    MembershipFactory,
    ProgrammeStaffFactory,
    SupplierFactory,
    TOTPAuthenticatorFactory,
)
from tests.factories.challenges import CoachRuleFactory

pytestmark = pytest.mark.django_db

STARTING_RULES = importlib.import_module("challenges.migrations.0003_coach_rules")
CHECK_URL = "/challenges/coach/check/"
NEW_RULE = {
    "language": "en",
    "category": "technology",
    "phrase": "gizmo*",
    "explanation": "Names a gadget as the answer.",
    "suggestion": "Say what should change for residents.",
}


@pytest.fixture
def actors():
    STARTING_RULES.load(django_apps, None)
    return {
        "anonymous": None,
        "procurer": MembershipFactory(organisation=BuyerFactory()).user,
        "supplier": MembershipFactory(organisation=SupplierFactory()).user,
        "staff": TOTPAuthenticatorFactory().user,
        "rule": CoachRuleFactory(phrase="gizmo", language="en"),
    }


def _login(client, actors, actor):
    if user := actors[actor]:
        client.force_login(user)


def _check(client, **data):
    return client.post(CHECK_URL, data)


# --- permission grids -------------------------------------------------------------------------------

PAGES = {
    "list": lambda rule: reverse("challenges:coach-rule-list"),
    "create": lambda rule: reverse("challenges:coach-rule-create"),
    "update": lambda rule: reverse("challenges:coach-rule-update", args=[rule.pk]),
    "try": lambda rule: reverse("challenges:coach-try"),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("actor", "status"), [("anonymous", 302), ("procurer", 404), ("supplier", 404), ("staff", 200)]
)
def test_coach_staff_page_access(client, actors, page, actor, status):
    _login(client, actors, actor)

    response = client.get(PAGES[page](actors["rule"]))

    assert response.status_code == status
    if actor == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("action", ["deactivate", "activate"])
@pytest.mark.parametrize(
    ("actor", "status"), [("anonymous", 302), ("procurer", 404), ("supplier", 404), ("staff", 302)]
)
def test_coach_rule_state_change_access(client, actors, action, actor, status):
    _login(client, actors, actor)
    rule = actors["rule"]
    was_active = action == "deactivate"  # so that the action has something to do
    rule.is_active = was_active
    rule.save()

    response = client.post(reverse(f"challenges:coach-rule-{action}", args=[rule.pk]))

    assert response.status_code == status
    rule.refresh_from_db()
    assert rule.is_active is (not was_active if actor == "staff" else was_active)
    if actor == "staff":
        assert response["Location"] == reverse("challenges:coach-rule-list")


def test_coach_pages_send_staff_without_authenticator_to_set_one_up(client, actors):
    client.force_login(ProgrammeStaffFactory())

    response = client.get(reverse("challenges:coach-rule-list"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("action", ["deactivate", "activate"])
def test_coach_rule_state_change_refuses_get(client, actors, action):
    client.force_login(actors["staff"])

    response = client.get(reverse(f"challenges:coach-rule-{action}", args=[actors["rule"].pk]))

    assert response.status_code == 405


@pytest.mark.parametrize("pk", [0, 999999999])
def test_coach_rule_update_of_unknown_rule_not_found(client, actors, pk):
    client.force_login(actors["staff"])

    assert client.get(reverse("challenges:coach-rule-update", args=[pk])).status_code == 404


# --- rule list --------------------------------------------------------------------------------------


def test_coach_rule_list_shows_rules_with_filters(client, actors):
    CoachRuleFactory(language="nb", phrase="dingsebom", category="brand", is_active=False)
    client.force_login(actors["staff"])

    response = client.get(
        reverse("challenges:coach-rule-list"), {"language": "nb", "state": "inactive", "q": "dingse"}
    )

    assert [rule.phrase for rule in response.context["page_obj"]] == ["dingsebom"]
    content = response.content.decode()
    assert "dingsebom" in content
    assert content.count("<h1") == 1


def test_coach_rule_list_ignores_unknown_filter_values(client, actors):
    client.force_login(actors["staff"])

    response = client.get(
        reverse("challenges:coach-rule-list"), {"language": "xx", "category": "\x00", "page": "abc"}
    )

    assert response.status_code == 200


def test_coach_rule_list_paginates(client, actors):
    client.force_login(actors["staff"])

    response = client.get(reverse("challenges:coach-rule-list"), {"page": 2})

    assert response.context["page_obj"].number == 2
    assert len(response.context["page_obj"].object_list) <= 50
    assert CoachRule.objects.count() > 50


@pytest.mark.parametrize("rows", [1, 5])
def test_coach_rule_list_query_count(client, actors, django_assert_num_queries, rows):
    CoachRuleFactory.create_batch(rows, phrase=factory.Sequence(lambda n: f"thingummy{n}"), language="nb")
    client.force_login(actors["staff"])
    url = reverse("challenges:coach-rule-list")

    # Session, user, staff's authenticator, count, the page's memberships and unread notifications, rules.
    with django_assert_num_queries(7):
        response = client.get(url, {"q": "thingummy"})

    assert len(response.context["page_obj"].object_list) == rows


# --- create and edit --------------------------------------------------------------------------------


def test_coach_rule_create_saves_rule_and_redirects(client, actors):
    client.force_login(actors["staff"])

    response = client.post(reverse("challenges:coach-rule-create"), NEW_RULE, follow=True)

    rule = CoachRule.objects.get(phrase="gizmo*")
    assert rule.explanation == NEW_RULE["explanation"]
    assert response.redirect_chain[-1][0] == reverse("challenges:coach-rule-list")
    assert "The rule for “gizmo*” is in use." in response.content.decode()
    assert AuditEvent.objects.filter(action="coach_rule.created", actor=actors["staff"]).count() == 1


def test_coach_rule_create_refuses_bad_phrase_and_keeps_what_was_typed(client, actors):
    client.force_login(actors["staff"])

    response = client.post(reverse("challenges:coach-rule-create"), NEW_RULE | {"phrase": "giz*mo"})

    assert response.status_code == 200
    assert_field_error(
        response, "phrase", "Use * only at the very end of the phrase, after at least one letter."
    )
    content = response.content.decode()
    assert 'value="giz*mo"' in content
    assert "Names a gadget as the answer.</textarea>" in content
    assert not CoachRule.objects.filter(phrase="giz*mo").exists()


def test_coach_rule_create_refuses_duplicate_ignoring_case_on_the_phrase_field(client, actors):
    client.force_login(actors["staff"])

    response = client.post(reverse("challenges:coach-rule-create"), NEW_RULE | {"phrase": "GIZMO"})

    assert response.status_code == 200
    assert_field_error(response, "phrase", "There is already a rule for “GIZMO” in this language.")


def test_coach_rule_create_requires_the_fields(client, actors):
    client.force_login(actors["staff"])

    response = client.post(reverse("challenges:coach-rule-create"), {})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {
        "language",
        "category",
        "phrase",
        "explanation",
        "suggestion",
    }


def test_coach_rule_update_saves_changes(client, actors):
    client.force_login(actors["staff"])
    rule = actors["rule"]

    response = client.post(
        reverse("challenges:coach-rule-update", args=[rule.pk]), NEW_RULE | {"phrase": "gizmos"}
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.phrase, rule.suggestion) == ("gizmos", NEW_RULE["suggestion"])


def test_coach_rule_update_form_shows_current_values(client, actors):
    client.force_login(actors["staff"])

    response = client.get(reverse("challenges:coach-rule-update", args=[actors["rule"].pk]))

    assert 'value="gizmo"' in response.content.decode()


def test_coach_rule_edit_takes_effect_in_the_live_check_at_once(client, actors):
    client.force_login(actors["staff"])
    assert _check(client, text="a gizmo", language="en").json()["count"] == 1

    client.post(reverse("challenges:coach-rule-deactivate", args=[actors["rule"].pk]))

    assert _check(client, text="a gizmo", language="en").json()["count"] == 0


# --- try the coach ----------------------------------------------------------------------------------


def test_coach_try_shows_findings_without_javascript(client, actors):
    client.force_login(actors["staff"])

    response = client.post(
        reverse("challenges:coach-try"),
        {"language": "nb", "text": "Vi ønsker et system som bruker sensorer."},
    )

    assert [finding.phrase for finding in response.context["findings"]] == [
        "Vi ønsker et system som",
        "sensorer",
    ]
    content = response.content.decode()
    assert "<mark>sensorer</mark>" in content
    assert 'data-coach="Text to check"' in content
    assert 'data-coach-language="#id_language"' in content


def test_coach_try_refuses_overlong_text_and_keeps_it(client, actors):
    client.force_login(actors["staff"])

    response = client.post(reverse("challenges:coach-try"), {"language": "en", "text": "app " * 5001})

    assert response.status_code == 200
    assert "text" in response.context["form"].errors
    assert response.context["findings"] is None


@pytest.mark.parametrize("page", ["list", "create", "update", "try"])
def test_coach_pages_have_no_inline_script_or_style(client, actors, page):
    client.force_login(actors["staff"])

    content = client.get(PAGES[page](actors["rule"])).content.decode()

    assert re.findall(r"<script(?![^>]*\bsrc=)", content) == []
    assert " style=" not in content
    assert content.count("<h1") == 1


# --- the live check ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"), [("anonymous", 401), ("procurer", 200), ("supplier", 200), ("staff", 200)]
)
def test_coach_check_access(client, actors, actor, status):
    _login(client, actors, actor)

    response = _check(client, text="We want an app.", language="en")

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    if actor == "anonymous":
        assert response.json() == {"error": "Sign in to use the coach."}


def test_coach_check_returns_findings_with_advice(client, actors):
    client.force_login(actors["procurer"])

    response = _check(client, text="Vi ønsker et system som bruker sensorer.", language="nb")

    data = response.json()
    assert (data["language"], data["count"]) == ("nb", 2)
    first = data["findings"][0]
    assert (first["phrase"], first["start"], first["end"], first["category"]) == (
        "Vi ønsker et system som",
        0,
        23,
        "solution_phrase",
    )
    assert first["category_label"] == "Prescribes a solution"
    assert first["explanation"].startswith("Dette beskriver løsningen")
    assert first["suggestion"]
    assert first["rule_id"] == CoachRule.objects.get(language="nb", phrase="vi ønsker et system som").pk
    assert "no-store" in response["Cache-Control"]


def test_coach_check_returns_the_first_100_findings_and_the_total(client, actors):
    client.force_login(actors["procurer"])

    data = _check(client, text="app " * 250, language="en").json()

    assert (data["count"], len(data["findings"]), data["truncated"]) == (250, 100, True)


def test_coach_check_accepts_json(client, actors):
    client.force_login(actors["procurer"])

    response = client.post(
        CHECK_URL, json.dumps({"text": "an app", "language": "en"}), content_type="application/json"
    )

    assert [finding["phrase"] for finding in response.json()["findings"]] == ["app"]


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '{"text": 5}', '{"language": ["en"]}'])
def test_coach_check_refuses_unreadable_json(client, actors, body):
    client.force_login(actors["procurer"])

    response = client.post(CHECK_URL, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"error": "The request could not be read."}


def test_coach_check_of_empty_text_finds_nothing(client, actors):
    client.force_login(actors["procurer"])

    assert _check(client, language="en").json() == {
        "language": "en",
        "count": 0,
        "findings": [],
        "truncated": False,
    }


def test_coach_check_accepts_text_at_the_length_cap(client, actors):
    client.force_login(actors["procurer"])

    response = _check(client, text="a" * 19_993 + " an app", language="en")

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_coach_check_refuses_text_over_the_length_cap_with_a_message(client, actors):
    client.force_login(actors["procurer"])

    response = _check(client, text="a" * 20_001, language="en")

    assert response.status_code == 400
    assert response.json() == {
        "error": "The text is too long for the coach: at most 20,000 characters, it has 20,001."
    }


@pytest.mark.parametrize(
    ("language", "accept_language", "used"),
    [
        ("", "en", "en"),
        ("", "nb", "nb"),
        ("xx", "nb", "nb"),
        ("nb-NO", "en", "nb"),
        ("EN", "nb", "en"),
        ("klingon", "de", "en"),
    ],
)
def test_coach_check_falls_back_to_page_language_then_english(
    client, actors, language, accept_language, used
):
    actors["procurer"].language = ""
    actors["procurer"].save()
    client.force_login(actors["procurer"])

    response = client.post(
        CHECK_URL, {"text": "x", "language": language}, HTTP_ACCEPT_LANGUAGE=accept_language
    )

    assert response.json()["language"] == used


def test_coach_check_refuses_get(client, actors):
    client.force_login(actors["procurer"])

    assert client.get(CHECK_URL, {"text": "an app", "language": "en"}).status_code == 405


def test_coach_check_requires_csrf_token(actors):
    client = Client(enforce_csrf_checks=True)
    client.force_login(actors["procurer"])

    response = client.post(CHECK_URL, {"text": "an app", "language": "en"})

    assert response.status_code == 403


def test_coach_check_accepts_csrf_token_in_header(actors):
    client = Client(enforce_csrf_checks=True)
    client.force_login(actors["procurer"])
    token = "a" * 32
    client.cookies["csrftoken"] = token

    response = client.post(CHECK_URL, {"text": "an app", "language": "en"}, HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 200


def test_coach_check_limits_checks_per_minute(client, actors, settings):
    settings.COACH_CHECKS_PER_MINUTE = 2
    client.force_login(actors["procurer"])

    statuses = [_check(client, text="an app", language="en").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("text", ["an app", "an app, a platform, sensors, a chatbot and drones"])
def test_coach_check_query_count(client, actors, django_assert_num_queries, text):
    client.force_login(actors["procurer"])
    _check(client, text="warm the cache", language="en")

    with django_assert_num_queries(2):  # session and user; the rules come from the cache
        _check(client, text=text, language="en")
