"""The lifecycle's pages: who may open each (a 404 for anyone else), what a post does, that a refusal
keeps what was typed, and the partials the public detail page includes."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.models import Amendment, Challenge
from challenges.selectors.lifecycle import amendments_for_challenge
from challenges.services.lifecycle import amend_challenge, extend_deadline
from tests.factories.accounts import (
    AdminMembershipFactory,
    BuyerFactory,
    MembershipFactory,
    SupplierFactory,
    TOTPAuthenticatorFactory,
)
from tests.factories.challenges import ChallengeFactory, CoachRuleFactory, PublishedChallengeFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"


def challenge_actors() -> dict:
    """The permission grid around one buying organisation: an admin, a member (who submits for review),
    a member of another buyer, a member of a supplier, and programme staff (with the authenticator app
    staff must have). "anonymous" is None."""
    owner = BuyerFactory()
    return {
        "anonymous": None,
        "owner_member": MembershipFactory(organisation=owner).user,
        "owner_admin": AdminMembershipFactory(organisation=owner).user,
        "other_buyer": MembershipFactory(organisation=BuyerFactory()).user,
        "supplier": MembershipFactory(organisation=SupplierFactory()).user,
        "staff": TOTPAuthenticatorFactory().user,
        "owner": owner,
    }


@pytest.fixture
def actors() -> dict:
    return challenge_actors()


def _login(client, actors, actor):
    if user := actors[actor]:
        client.force_login(user)


def _assert_status(response, status):
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(LOGIN_URL)


def _draft(actors) -> Challenge:
    return ChallengeFactory(owner=actors["owner"])


def _in_review(actors) -> Challenge:
    return ChallengeFactory(
        owner=actors["owner"],
        status=ChallengeStatus.IN_REVIEW,
        submitted_for_review_by=actors["owner_member"],
        submitted_for_review_at=timezone.now(),
    )


def _published(actors, **kwargs) -> Challenge:
    return PublishedChallengeFactory(owner=actors["owner"], **kwargs)


GRID = ["anonymous", "owner_member", "owner_admin", "other_buyer", "supplier", "staff"]


def _grid(*statuses):
    return list(zip(GRID, statuses, strict=True))


# Who may open each page


@pytest.mark.parametrize(("actor", "status"), _grid(302, 200, 200, 404, 404, 404))
def test_challenge_submit_page_access(client, actors, actor, status):
    challenge = _draft(actors)
    _login(client, actors, actor)

    _assert_status(client.get(reverse("challenges:challenge-submit", args=[challenge.pk])), status)


@pytest.mark.parametrize(("actor", "status"), _grid(302, 404, 200, 404, 404, 200))
def test_challenge_review_page_access(client, actors, actor, status):
    challenge = _in_review(actors)
    _login(client, actors, actor)

    _assert_status(client.get(reverse("challenges:challenge-review", args=[challenge.pk])), status)


@pytest.mark.parametrize(("actor", "status"), _grid(302, 200, 200, 404, 404, 404))
def test_challenge_amend_page_access(client, actors, actor, status):
    challenge = _published(actors)
    _login(client, actors, actor)

    _assert_status(client.get(reverse("challenges:challenge-amend", args=[challenge.pk])), status)


@pytest.mark.parametrize(("actor", "status"), _grid(302, 200, 200, 404, 404, 404))
def test_challenge_deadline_page_access(client, actors, actor, status):
    challenge = _published(actors)
    _login(client, actors, actor)

    _assert_status(client.get(reverse("challenges:challenge-deadline", args=[challenge.pk])), status)


@pytest.mark.parametrize(("actor", "status"), _grid(302, 404, 200, 404, 404, 404))
def test_challenge_cancel_page_access(client, actors, actor, status):
    challenge = _published(actors)
    _login(client, actors, actor)

    _assert_status(client.get(reverse("challenges:challenge-cancel", args=[challenge.pk])), status)


@pytest.mark.parametrize(
    "name",
    ["challenge-submit", "challenge-review", "challenge-amend", "challenge-deadline", "challenge-cancel"],
)
def test_lifecycle_pages_are_404_for_a_challenge_that_does_not_exist(client, actors, name):
    client.force_login(actors["owner_admin"])

    assert client.get(reverse(f"challenges:{name}", args=[999_999])).status_code == 404


def test_challenge_amend_page_is_404_once_the_deadline_passed(client, actors):
    challenge = _published(
        actors, questions_deadline=None, submission_deadline=timezone.now() - timedelta(seconds=1)
    )
    client.force_login(actors["owner_member"])

    assert client.get(reverse("challenges:challenge-amend", args=[challenge.pk])).status_code == 404


# Submit for review


def test_challenge_submit_post_sends_a_complete_draft_to_review(client, actors):
    challenge = _draft(actors)
    client.force_login(actors["owner_member"])

    response = client.post(reverse("challenges:challenge-submit", args=[challenge.pk]))

    assert response.status_code == 302
    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.IN_REVIEW


def test_challenge_submit_page_lists_what_is_missing(client, actors):
    challenge = ChallengeFactory(owner=actors["owner"], summary="", with_outcome_and_criteria=False)
    client.force_login(actors["owner_member"])

    response = client.post(reverse("challenges:challenge-submit", args=[challenge.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Write a short summary." in content
    assert "Add at least one outcome, with an indicator and a target." in content
    assert "There is a problem" in content
    assert content.count("<h1") == 1
    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.DRAFT


def test_challenge_submit_page_shows_the_coach_checklist(client, actors):
    CoachRuleFactory(language="en", phrase="chatbot", explanation="Names a technology instead of the need.")
    challenge = ChallengeFactory(owner=actors["owner"], summary="We want a chatbot for lonely residents.")
    client.force_login(actors["owner_member"])

    response = client.get(reverse("challenges:challenge-submit", args=[challenge.pk]))

    assert response.status_code == 200
    assert response.context["coach_template"] == "challenges/coach/_checklist.html"
    assert "Names a technology instead of the need." in response.content.decode()
    assert response.content.decode().count("<h1") == 1


# Review


def test_challenge_review_post_approves_and_publishes(client, actors):
    challenge = _in_review(actors)
    client.force_login(actors["staff"])

    response = client.post(
        reverse("challenges:challenge-review", args=[challenge.pk]), {"decision": "approve", "comment": ""}
    )

    assert response.status_code == 302
    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.PUBLISHED


def test_challenge_review_post_return_without_comment_is_refused(client, actors):
    challenge = _in_review(actors)
    client.force_login(actors["owner_admin"])

    response = client.post(
        reverse("challenges:challenge-review", args=[challenge.pk]), {"decision": "return", "comment": " "}
    )

    assert response.status_code == 200
    assert "Say what must change before the challenge can be published." in response.content.decode()
    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.IN_REVIEW


def test_challenge_review_post_returns_with_comments(client, actors):
    challenge = _in_review(actors)
    client.force_login(actors["owner_admin"])

    response = client.post(
        reverse("challenges:challenge-review", args=[challenge.pk]),
        {"decision": "return", "comment": "Add a baseline."},
    )

    assert response.status_code == 302
    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.DRAFT


def test_challenge_review_post_keeps_the_comment_when_publication_is_refused(client, actors):
    challenge = _in_review(actors)
    Challenge.objects.filter(pk=challenge.pk).update(
        questions_deadline=None, submission_deadline=timezone.now()
    )
    client.force_login(actors["owner_admin"])

    response = client.post(
        reverse("challenges:challenge-review", args=[challenge.pk]),
        {"decision": "approve", "comment": "Good work overall."},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "The deadline for proposals has passed" in content
    assert "Good work overall." in content


def test_challenge_review_post_with_no_decision_is_a_form_error(client, actors):
    challenge = _in_review(actors)
    client.force_login(actors["owner_admin"])

    response = client.post(reverse("challenges:challenge-review", args=[challenge.pk]), {"comment": "Hmm"})

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


# Amend, extend, cancel


def test_challenge_amend_post_records_an_amendment(client, actors):
    challenge = _published(actors)
    client.force_login(actors["owner_member"])
    data = {
        "summary": challenge.summary,
        "current_situation": challenge.current_situation,
        "affected": challenge.affected,
        "why_now": challenge.why_now,
        "constraints": "Data stays in Norway.",
        "out_of_scope": challenge.out_of_scope,
        "contact_name": challenge.contact_name,
        "contact_email": challenge.contact_email,
        "amendment_summary": "Data residency clarified.",
    }

    response = client.post(reverse("challenges:challenge-amend", args=[challenge.pk]), data)

    assert response.status_code == 302
    amendment = Amendment.objects.get(challenge=challenge)
    assert list(amendment.changes) == ["constraints"]


def test_challenge_amend_post_without_changes_keeps_what_was_typed(client, actors):
    challenge = _published(actors)
    client.force_login(actors["owner_member"])
    data = {
        "summary": challenge.summary,
        "current_situation": challenge.current_situation,
        "affected": challenge.affected,
        "why_now": challenge.why_now,
        "constraints": challenge.constraints,
        "out_of_scope": challenge.out_of_scope,
        "contact_name": challenge.contact_name,
        "contact_email": challenge.contact_email,
        "amendment_summary": "An explanation I typed.",
    }

    response = client.post(reverse("challenges:challenge-amend", args=[challenge.pk]), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Nothing has changed" in content
    assert "An explanation I typed." in content
    assert not Amendment.objects.exists()


def test_challenge_amend_page_does_not_offer_frozen_fields(client, actors):
    challenge = _published(actors)
    client.force_login(actors["owner_member"])

    form = client.get(reverse("challenges:challenge-amend", args=[challenge.pk])).context["form"]

    assert not {"title", "scoring_scale", "criteria", "budget_min", "submission_deadline"} & set(form.fields)


def test_challenge_deadline_post_extends_in_the_challenges_time_zone(client, actors):
    challenge = _published(actors, deadline_timezone="Europe/Oslo")
    client.force_login(actors["owner_member"])

    response = client.post(
        reverse("challenges:challenge-deadline", args=[challenge.pk]),
        {"submission_deadline": "2099-06-01T12:00", "questions_deadline": "", "summary": "More time."},
    )

    assert response.status_code == 302
    challenge.refresh_from_db()
    # 12:00 in Oslo in June (UTC+2) is 10:00 UTC.
    assert challenge.submission_deadline.astimezone(timezone.get_fixed_timezone(0)).hour == 10
    assert Amendment.objects.get(challenge=challenge).summary == "More time."


def test_challenge_deadline_post_earlier_is_refused_and_keeps_what_was_typed(client, actors):
    challenge = _published(actors)
    client.force_login(actors["owner_member"])

    response = client.post(
        reverse("challenges:challenge-deadline", args=[challenge.pk]),
        {"submission_deadline": "2000-01-01T12:00", "questions_deadline": "", "summary": "Sooner, please."},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Deadlines can only be extended" in content
    assert "2000-01-01T12:00" in content
    assert "Sooner, please." in content


def test_challenge_deadline_post_with_a_malformed_date_is_a_form_error(client, actors):
    challenge = _published(actors)
    client.force_login(actors["owner_member"])

    response = client.post(
        reverse("challenges:challenge-deadline", args=[challenge.pk]), {"submission_deadline": "next Tuesday"}
    )

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "next Tuesday" in response.content.decode()


def test_challenge_cancel_post_cancels(client, actors):
    challenge = _published(actors)
    client.force_login(actors["owner_admin"])

    response = client.post(
        reverse("challenges:challenge-cancel", args=[challenge.pk]), {"reason": "No budget."}
    )

    assert response.status_code == 302
    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.CANCELLED


def test_challenge_cancel_post_without_reason_is_a_form_error(client, actors):
    challenge = _published(actors)
    client.force_login(actors["owner_admin"])

    response = client.post(reverse("challenges:challenge-cancel", args=[challenge.pk]), {"reason": ""})

    assert response.status_code == 200
    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.PUBLISHED


# The partials of the public detail page


def _render_actions(user, challenge) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "challenges/lifecycle/_actions.html", {"challenge": challenge, "user": user}, request=request
    )


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("owner_member", ["Amend", "Extend the deadlines", "Questions from suppliers"]),
        (
            "owner_admin",
            ["Amend", "Extend the deadlines", "Questions from suppliers", "Cancel the challenge"],
        ),
        ("other_buyer", []),
        ("supplier", ["Ask a question"]),
        ("staff", []),
    ],
)
def test_actions_partial_shows_each_role_its_buttons(actors, actor, expected):
    challenge = _published(actors)
    all_buttons = ["Submit for review", "Review", "Amend", "Extend the deadlines", "Questions from suppliers",
                   "Ask a question", "Your questions", "Cancel the challenge"]  # fmt: skip

    html = _render_actions(actors[actor], challenge)

    assert [label for label in all_buttons if f">{label}<" in html] == expected


def test_actions_partial_offers_review_to_a_colleague_but_not_the_submitter(actors):
    challenge = _in_review(actors)

    assert ">Review<" in _render_actions(actors["owner_admin"], challenge)
    assert ">Review<" not in _render_actions(actors["owner_member"], challenge)


def test_actions_partial_keeps_a_suppliers_questions_after_the_questions_deadline(actors):
    challenge = _published(actors, questions_deadline=timezone.now() - timedelta(seconds=1))

    html = _render_actions(actors["supplier"], challenge)

    assert ">Ask a question<" not in html
    assert ">Your questions<" in html


def test_amendments_partial_shows_dated_changes(actors):
    challenge = _published(actors)
    amend_challenge(
        challenge=challenge,
        by=actors["owner_member"],
        changes={"out_of_scope": "Hardware."},
        summary="Scope.",
    )
    extend_deadline(
        challenge=challenge,
        by=actors["owner_member"],
        submission_deadline=challenge.submission_deadline + timedelta(days=3),
    )

    html = render_to_string(
        "challenges/lifecycle/_amendments.html",
        {"challenge": challenge, "amendments": amendments_for_challenge(challenge=challenge)},
    )

    assert html.count("<h2") == 1
    assert "Scope." in html
    assert "Out of scope" in html
    assert "Hardware." in html
    assert "Deadline for proposals" in html
    assert html.index("Deadline for proposals") < html.index("Out of scope")  # newest first


@pytest.mark.parametrize("rows", [1, 5])
def test_amendments_for_challenge_query_count(django_assert_num_queries, actors, rows):
    challenge = _published(actors)
    for number in range(rows):
        Amendment.objects.create(challenge=challenge, summary=f"Change {number}", changes={"summary": {}})

    with django_assert_num_queries(1):
        amendments = amendments_for_challenge(challenge=challenge)

    assert len(amendments) == rows
