"""The permission matrix (issue 8, part 5): every URL pattern of the project, walked from the root resolver
(allauth's and the Django admin's included), requested as each of the ten roles of tests/security/world.py,
against the answer declared here. A URL missing from the table fails with its name.

The rules the table follows: anonymous → the sign-in page for anything that is not public; an object of
another organisation (or one the user may not see) → 404, never 403, so that its existence does not leak;
403 only for what the user can already see exists (a public challenge's supplier-only board, a listed
profile they may not edit, a proposal a consortium partner reads but may not submit). Every admin URL sends
every role but the superuser to the admin's sign-in (the superuser's admin is in test_sealed_proposals).

POST-only views are also posted to, with an empty body, as every role: the answer must match the POST table,
and a denial (sign-in, 403, 404, 405) must change nothing in the database.

Answers (matrix_support.answer): a status code, or "login" / "admin-login" / "mfa" / "302" for redirects.
`row(default, anonymous="login", **roles)` gives one URL's answers: `default` for every signed-in role
unless named."""

import pytest
from django.db import transaction
from django.urls import reverse

from .kwargs_table import KWARGS
from .matrix_support import answer, project_routes, unnamed_patterns, url_for
from .state import fingerprint
from .world import (  # noqa: F401 (fixtures)
    ROLES,
    role_clients_fixture,
    world_fixture,
    world_media_fixture,
    world_storage_fixture,
)

pytestmark = pytest.mark.django_db


def row(default, *, anonymous="login", **roles) -> dict:
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {"anonymous": anonymous, **{role: roles.get(role, default) for role in ROLES[1:]}}


# GET, per URL name (the admin's are a group, below).
EXPECTED = {
    "account_change_password": row(200),
    "account_confirm_email": row(200, anonymous=200),
    "account_confirm_login_code": row(302),
    "account_email": row(200),
    "account_email_verification_sent": row(200, anonymous=200),
    "account_inactive": row(200, anonymous=200),
    "account_login": row(302, anonymous=200),
    "account_logout": row(200, anonymous=302),
    "account_reauthenticate": row(200),
    "account_reset_password": row(200, anonymous=200),
    "account_reset_password_done": row(200, anonymous=200),
    "account_reset_password_from_key": row(200, anonymous=200),
    "account_reset_password_from_key_done": row(200, anonymous=200),
    "account_set_password": row(302),
    "account_signup": row(302, anonymous=200),
    "accounts:invitation-accept": row(404, anonymous=404),
    "accounts:invitation-create": row(404, procurer=200),
    "accounts:invitation-revoke": row(405),
    "accounts:membership-remove": row(405),
    "accounts:membership-role": row(405),
    "accounts:organisation-create": row(200),
    "accounts:organisation-detail": row(404, procurer=200, evaluator=200, conflicted=200, staff=200),
    "accounts:organisation-list": row(200),
    "accounts:organisation-switch": row(405),
    "accounts:organisation-update": row(404, procurer=200),
    "accounts:profile": row(200),
    "accounts:session-keep-alive": row(405, anonymous=405),
    "audit:event-list": row(404, staff=200, superuser=200),
    "audit:organisation-event-list": row(404, procurer=200, staff=200),
    "casestudies:case-study-create": row(404, procurer=302, evaluator=302, conflicted=302),
    "casestudies:case-study-detail": row(200, anonymous=200),
    "casestudies:case-study-edit": row(404, procurer=200, evaluator=200, conflicted=200),
    "casestudies:case-study-list": row(200, anonymous=200),
    "casestudies:case-study-publish": row(405),
    "casestudies:case-study-unpublish": row(405),
    "challenges:challenge-amend": row(404, procurer=200, evaluator=200, conflicted=200),
    "challenges:challenge-amend-document": row(404, procurer=200, evaluator=200, conflicted=200),
    "challenges:challenge-cancel": row(404, procurer=200),
    "challenges:challenge-create": row(403, procurer=200, other_procurer=200, evaluator=200, conflicted=200),
    "challenges:challenge-deadline": row(404, procurer=200, evaluator=200, conflicted=200),
    "challenges:challenge-detail": row(200, anonymous=200),
    "challenges:challenge-edit": row(404, procurer=200, evaluator=200, conflicted=200),
    "challenges:challenge-follow": row(405),
    "challenges:challenge-list": row(200, anonymous=200),
    "challenges:challenge-preview": row(404, procurer=200, evaluator=200, conflicted=200),
    "challenges:challenge-review": row(404),
    "challenges:challenge-submit": row(404, procurer=200, evaluator=200, conflicted=200),
    "challenges:challenge-unfollow": row(405),
    "challenges:coach-check": row(405, anonymous=405),
    "challenges:coach-rule-activate": row(405),
    "challenges:coach-rule-create": row(404, staff=200, superuser=200),
    "challenges:coach-rule-deactivate": row(405),
    "challenges:coach-rule-list": row(404, staff=200, superuser=200),
    "challenges:coach-rule-update": row(404, staff=200, superuser=200),
    "challenges:coach-try": row(404, staff=200, superuser=200),
    "challenges:cpv-search": row(200, anonymous=200),
    "challenges:document-delete": row(405),
    "challenges:document-download": row(404, anonymous=404, procurer=200, evaluator=200, conflicted=200),
    "challenges:follow-list": row(200),
    "challenges:my-questions": row(200),
    "challenges:organisation-challenges": row(200),
    "challenges:organisation-follow": row(405),
    "challenges:organisation-unfollow": row(405),
    "challenges:question-answer": row(404, procurer=200, evaluator=200, conflicted=200),
    "challenges:question-ask": row(404, supplier_a=200, supplier_b=200, partner=200),
    "challenges:question-list": row(404, procurer=200, evaluator=200, conflicted=200),
    "challenges:saved-search-create": row(405),
    "challenges:saved-search-delete": row(404, supplier_a=200),
    "challenges:saved-search-list": row(200),
    "evaluation:award": row(404),
    "evaluation:award-feedback": row(404),
    "evaluation:consensus": row(404),
    "evaluation:criteria-amend": row(404, procurer=200, evaluator=200, conflicted=200),
    "evaluation:declarations": row(404, evaluator=200, conflicted=200),
    "evaluation:evaluator-chair": row(405),
    "evaluation:evaluator-invitation": row(404, anonymous=404),
    "evaluation:evaluator-remove": row(404, procurer=200),
    "evaluation:moderation": row(404, evaluator=200),
    "evaluation:panel": row(404, procurer=200),
    "evaluation:panel-appoint": row(405),
    "evaluation:panel-invite": row(405),
    "evaluation:panel-open": row(405),
    "evaluation:panel-settings": row(405),
    "evaluation:report": row(404, procurer=200, evaluator=200, conflicted=200),
    "evaluation:scoring": row(404, evaluator=200, conflicted=200),
    "evaluation:sheet": row(404),
    "evaluation:sheet-reopen": row(404),
    "evaluation:trial-decide": row(404),
    "evaluation:trial-detail": row(404, procurer=200),
    "evaluation:trial-list": row(404),
    "exchanges:agenda-edit": row(404, staff=200, superuser=200),
    "exchanges:agenda-generate": row(405),
    "exchanges:agenda-publish": row(405),
    "exchanges:calendar-feed": row(404, anonymous=404),
    "exchanges:case-study-list": row(301, anonymous=301),
    "exchanges:event-agenda": row(404, anonymous=404),
    "exchanges:event-calendar": row(200, anonymous=200),
    "exchanges:event-create": row(404, staff=200, superuser=200),
    "exchanges:event-detail": row(200, anonymous=200),
    "exchanges:event-edit": row(404, staff=200, superuser=200),
    "exchanges:event-planning": row(404, staff=200, superuser=200),
    "exchanges:event-register": row(200, procurer=302),
    "exchanges:event-status": row(405),
    "exchanges:event-survey": row(404),
    "exchanges:feed-regenerate": row(405),
    "exchanges:my-registrations": row(200),
    "exchanges:participant-list": row(404, procurer=200, staff=200, superuser=200),
    "exchanges:participants-csv": row(404, staff=200, superuser=200),
    "exchanges:programme-create": row(404, staff=200, superuser=200),
    "exchanges:programme-detail": row(200, anonymous=200),
    "exchanges:programme-list": row(200, anonymous=200),
    "exchanges:programme-reports": row(200, anonymous=200),
    "exchanges:proposal-dismiss": row(405),
    "exchanges:registration-cancel": row(404, procurer=200, staff=200),
    "exchanges:registration-edit": row(404, procurer=200),
    "exchanges:report-action": row(405),
    "exchanges:report-detail": row(404, anonymous=404),
    "exchanges:report-edit": row(404, staff=200, superuser=200),
    "exchanges:session-delete": row(405),
    "exchanges:session-edit": row(404, staff=200, superuser=200),
    "exchanges:survey-attach": row(405),
    "exchanges:survey-create": row(405),
    "exchanges:survey-remind": row(405),
    "exchanges:survey-results": row(404),
    "exchanges:survey-state": row(405),
    "ideas:idea-convert": row(404, procurer=200, evaluator=200, conflicted=200),
    "ideas:idea-create": row(200),
    "ideas:idea-detail": row(200, anonymous=200),
    "ideas:idea-list": row(200, anonymous=200),
    "ideas:idea-moderate": row(404, procurer=200, evaluator=200, conflicted=200, staff=200),
    "ideas:idea-support": row(405),
    "ideas:idea-withdraw": row(404),
    "ideas:idea-withdraw-support": row(405),
    "ideas:moderation-list": row(200, supplier_a=404, supplier_b=404, partner=404, superuser=404),
    "ideas:my-ideas": row(200),
    "insight:capabilities": row(404, procurer=200, evaluator=200, conflicted=200, staff=200),
    "insight:capability-form": row(404, procurer=200),
    "insight:dashboard": row(404, staff=200),
    "insight:dashboard-csv": row(404, staff=200),
    "insight:index": row(200, supplier_a=404, supplier_b=404, partner=404, superuser=404),
    "insight:organisation-dashboard": row(404, procurer=200, staff=200),
    "insight:organisation-dashboard-csv": row(404, procurer=200, staff=200),
    "insight:programme-create": row(404, staff=200),
    "insight:programme-settings": row(404, staff=200),
    "insight:volumes": row(404, procurer=200, evaluator=200, conflicted=200, staff=200),
    "mfa_activate_totp": row(302),
    "mfa_authenticate": row(302),
    "mfa_deactivate_totp": row(404, staff=302),
    "mfa_download_recovery_codes": row(404),
    "mfa_generate_recovery_codes": row(302),
    "mfa_index": row(200),
    "mfa_reauthenticate": row(302, staff=200),
    "mfa_view_recovery_codes": row(404),
    "notifications:list": row(200),
    "notifications:mark-all-read": row(405),
    "notifications:mark-read": row(405),
    "notifications:open": row(404, supplier_a=302),
    "notifications:preferences": row(200),
    "notifications:unsubscribe": row(404, anonymous=404),
    "open_data:challenge-releases": row(200, anonymous=200),
    "open_data:feed": row(200, anonymous=200),
    "open_data:index": row(200, anonymous=200),
    "open_data:releases": row(200, anonymous=200),
    "set_language": row(302, anonymous=302),
    "suppliers:board": row(403, supplier_a=200, supplier_b=200, partner=200),
    "suppliers:board-conversation": row(404, supplier_a=200, supplier_b=200),
    "suppliers:board-conversation-share": row(405),
    "suppliers:board-post-close": row(405),
    "suppliers:board-post-detail": row(403, supplier_a=302, supplier_b=200, partner=200),
    "suppliers:board-post-edit": row(403, supplier_a=200, supplier_b=200, partner=200),
    "suppliers:board-post-reopen": row(405),
    "suppliers:consortium": row(404, supplier_a=200, partner=200),
    "suppliers:consortium-invite": row(405),
    "suppliers:consortium-invite-email": row(405),
    "suppliers:consortium-lead": row(405),
    "suppliers:consortium-partner-remove": row(405),
    "suppliers:consortium-partner-withdraw": row(405),
    "suppliers:directory": row(200, anonymous=200),
    "suppliers:partner-invitation-detail": row(404, partner=200),
    "suppliers:partner-invitation-list": row(200),
    "suppliers:partner-invitation-token": row(404, anonymous=404),
    "suppliers:profile-detail": row(200, anonymous=200),
    "suppliers:profile-edit": row(403, supplier_a=200),
    "suppliers:profile-logo": row(404, anonymous=404),
    "suppliers:proposal-autosave": row(405),
    "suppliers:proposal-detail": row(404, supplier_a=200, partner=200),
    "suppliers:proposal-document": row(404, supplier_a=200, partner=200),
    "suppliers:proposal-document-add": row(405),
    "suppliers:proposal-document-remove": row(405),
    "suppliers:proposal-edit": row(404, supplier_a=403, partner=403),
    "suppliers:proposal-list": row(200),
    "suppliers:proposal-start": row(405),
    "suppliers:proposal-submit": row(404, supplier_a=302, partner=403),
    "suppliers:proposal-withdraw": row(404, supplier_a=200, partner=403),
    "suppliers:receipt-detail": row(404, supplier_a=200, partner=200),
    "suppliers:receipt-download": row(404, supplier_a=200, partner=200),
    "suppliers:receipt-verify": row(405),
    "surveys:question-create": row(404, staff=200),
    "surveys:question-delete": row(404, staff=200),
    "surveys:question-move": row(405),
    "surveys:question-update": row(404, staff=200),
    "surveys:survey-close": row(405),
    "surveys:survey-create": row(404, staff=200, superuser=200),
    "surveys:survey-detail": row(404, staff=200),
    "surveys:survey-export": row(404, staff=200),
    "surveys:survey-list": row(404, staff=200, superuser=200),
    "surveys:survey-open": row(405),
    "surveys:survey-preview": row(404, staff=200),
    "surveys:survey-results": row(404, staff=200),
    "surveys:survey-update": row(404, staff=200),
    "web:health": row(200, anonymous=200),
    "web:home": row(200, anonymous=200),
}

# POST with an empty body, for the views that only take POST.
EXPECTED_POST = {
    "accounts:invitation-revoke": row(404, procurer=302),
    "accounts:membership-remove": row(404, procurer=302, evaluator=302),
    "accounts:membership-role": row(404, procurer=302),
    "accounts:organisation-switch": row(302),
    "accounts:session-keep-alive": row(204, anonymous=401),
    "casestudies:case-study-publish": row(404, procurer=302, evaluator=302, conflicted=302),
    "casestudies:case-study-unpublish": row(404, procurer=302, evaluator=302, conflicted=302, staff=302),
    "challenges:challenge-follow": row(302),
    "challenges:challenge-unfollow": row(302),
    "challenges:coach-check": row(200, anonymous=401),
    "challenges:coach-rule-activate": row(404, staff=302, superuser=302),
    "challenges:coach-rule-deactivate": row(404, staff=302, superuser=302),
    "challenges:document-delete": row(404, procurer=302, evaluator=302, conflicted=302),
    "challenges:organisation-follow": row(302),
    "challenges:organisation-unfollow": row(302),
    "challenges:saved-search-create": row(302),
    "evaluation:evaluator-chair": row(404, procurer=302),
    "evaluation:panel-appoint": row(404, procurer=200),
    "evaluation:panel-invite": row(404, procurer=200),
    "evaluation:panel-open": row(404, procurer=200),
    "evaluation:panel-settings": row(404, procurer=302),
    "exchanges:agenda-generate": row(404, staff=302, superuser=302),
    "exchanges:agenda-publish": row(404, staff=302, superuser=302),
    "exchanges:event-status": row(404, staff=302, superuser=302),
    "exchanges:feed-regenerate": row(302),
    "exchanges:proposal-dismiss": row(404, staff=302, superuser=302),
    "exchanges:report-action": row(404),
    "exchanges:session-delete": row(404, staff=302, superuser=302),
    "exchanges:survey-attach": row(404, staff=302, superuser=302),
    "exchanges:survey-create": row(404, staff=302, superuser=302),
    "exchanges:survey-remind": row(404, staff=302, superuser=302),
    "exchanges:survey-state": row(404, staff=302, superuser=302),
    "ideas:idea-support": row(302),
    "ideas:idea-withdraw-support": row(302),
    "notifications:mark-all-read": row(302),
    "notifications:mark-read": row(404, supplier_a=302),
    "suppliers:board-conversation-share": row(404, supplier_a=302, supplier_b=302),
    "suppliers:board-post-close": row(403, supplier_b=302),
    "suppliers:board-post-reopen": row(403, supplier_b=302),
    "suppliers:consortium-invite": row(404, supplier_a=403, partner=403),
    "suppliers:consortium-invite-email": row(404, supplier_a=403, partner=403),
    "suppliers:consortium-lead": row(404, supplier_a=403, partner=403),
    "suppliers:consortium-partner-remove": row(404, supplier_a=403, partner=403),
    "suppliers:consortium-partner-withdraw": row(404, supplier_a=403, partner=403),
    "suppliers:proposal-autosave": row(404, supplier_a=403, partner=403),
    "suppliers:proposal-document-add": row(404, supplier_a=403, partner=403),
    "suppliers:proposal-document-remove": row(404, supplier_a=403, partner=403),
    "suppliers:proposal-start": row(403, supplier_a=302, supplier_b=302, partner=302),
    "suppliers:receipt-verify": row(404, supplier_a=200, partner=200),
    "surveys:question-move": row(404, staff=302),
    "surveys:survey-close": row(404, staff=302),
    "surveys:survey-open": row(404, staff=302),
}

DENIALS = {"login", "admin-login", 401, 403, 404, 405}


def _mismatches(role, method, table, role_clients, world):
    client = role_clients[role]
    found = []
    for route in project_routes():
        if route.is_admin or route.name not in table:
            continue
        url = url_for(route, KWARGS, world)
        expected = table[route.name][role]
        if method == "get":
            got = answer(client.get(url))
            changed = False
        else:
            with transaction.atomic():
                before = fingerprint()
                got = answer(client.post(url, {}))
                changed = fingerprint() != before
                transaction.set_rollback(True)  # what an allowed POST did is undone for the next role
        if got != expected:
            found.append(
                f"{method.upper()} {route.name} ({url}) as {role}: expected {expected!r}, got {got!r}"
            )
        if changed and expected in DENIALS:
            found.append(
                f"POST {route.name} ({url}) as {role} was refused ({got!r}) but changed the database"
            )
    return found


def test_every_url_is_in_the_matrix():
    routes = [route for route in project_routes() if not route.is_admin]
    names = {route.name for route in routes}
    missing = sorted(names - set(EXPECTED))
    assert not missing, f"URL names missing from the permission matrix (tests/security): {missing}"
    stale = sorted(set(EXPECTED) - names)
    assert not stale, f"the permission matrix names URLs that no longer exist: {stale}"
    without_arguments = sorted(route.name for route in routes if route.arguments and route.name not in KWARGS)
    assert not without_arguments, (
        f"URLs whose arguments tests/security/kwargs_table.py does not fill: {without_arguments}"
    )
    assert not unnamed_patterns(), f"URL patterns without a name cannot be checked: {unnamed_patterns()}"


def test_post_table_covers_every_post_only_view():
    post_only = {name for name, answers in EXPECTED.items() if set(answers.values()) <= {"login", 401, 405}}
    missing = sorted(post_only - set(EXPECTED_POST))
    assert not missing, f"POST-only URLs missing from EXPECTED_POST: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(role, world, role_clients, world_storage):
    mismatches = _mismatches(role, "get", EXPECTED, role_clients, world)
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("role", ROLES)
def test_post_matrix(role, world, role_clients, world_storage):
    mismatches = _mismatches(role, "post", EXPECTED_POST, role_clients, world)
    assert not mismatches, "\n".join(mismatches)


# The admin's pages open to everyone: its sign-in (the portal's own, through allauth: 403 for a signed-in
# user who is not staff) and its sign-out (which sends everyone to the portal's).
ADMIN_OPEN = {"admin:login": row(403, anonymous="login"), "admin:logout": row(302, anonymous=302)}


@pytest.mark.parametrize("role", [role for role in ROLES if role != "superuser"])
def test_admin_is_closed_to_everyone_but_the_superuser(role, world, role_clients):
    """Every admin URL: the admin's sign-in page (its own sign-in page: the portal's for anonymous, 403 for
    a signed-in user who is not staff)."""
    client = role_clients[role]
    wrong = []
    for route in project_routes():
        if not route.is_admin:
            continue
        url = url_for(route, KWARGS, world)
        expected = ADMIN_OPEN.get(route.name, {}).get(role, "admin-login")
        got = answer(client.get(url))
        if got != expected:
            wrong.append(f"GET {route.name} ({url}) as {role}: expected {expected!r}, got {got!r}")
    assert not wrong, "\n".join(wrong)


MISSING_ID = 987654
# 403s on an object the role can see exists anyway (so the 403 tells nothing): a public challenge's
# supplier-only board and its posting form, starting a proposal, a listed profile.
VISIBLE_403 = {
    "challenges:challenge-create",
    "suppliers:board",
    "suppliers:board-post-edit",
    "suppliers:proposal-start",
    "suppliers:profile-edit",
}


@pytest.mark.parametrize("role", ROLES)
def test_a_403_does_not_tell_whether_the_object_exists(role, world, role_clients):
    """Where the matrix expects a 403, the same URL with an id that exists nowhere must answer the same,
    unless the object is one the role can see anyway (VISIBLE_403, or a proposal it bids in)."""
    client = role_clients[role]
    oracles = []
    for route in project_routes():
        if route.is_admin or route.name in VISIBLE_403:
            continue
        method = next(
            (
                method
                for method, table in (("get", EXPECTED), ("post", EXPECTED_POST))
                if table.get(route.name, {}).get(role) == 403
            ),
            None,
        )
        if method is None or not route.arguments:
            continue
        kwargs = KWARGS[route.name](world)
        own = kwargs.get("pk") in {world.proposal_a.pk, world.partnership.pk, world.post_b.pk}
        if route.name.startswith("suppliers:") and own and role in {"supplier_a", "supplier_b", "partner"}:
            continue  # their own proposal, or a post they can read: 403 is "not now" or "not yours"
        missing = {key: MISSING_ID if isinstance(value, int) else value for key, value in kwargs.items()}
        with transaction.atomic():
            real = answer(getattr(client, method)(reverse(route.name, kwargs=kwargs)))
            ghost = answer(getattr(client, method)(reverse(route.name, kwargs=missing)))
            transaction.set_rollback(True)
        if real != ghost:
            oracles.append(
                f"{method.upper()} {route.name} as {role}: {real!r} for the object, {ghost!r} without"
            )
    assert not oracles, "\n".join(oracles)
