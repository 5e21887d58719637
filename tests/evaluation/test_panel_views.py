"""The panel's pages: a permission grid for every URL, and what the owner's admins and the evaluators do
there (bad input gives a message at the field and keeps what was typed)."""

import pytest
from django.urls import reverse

from challenges.enums import ChallengeStatus
from challenges.evaluation.models import ConflictDeclaration, Evaluator
from challenges.evaluation.services.panel import invite_external_expert
from portal.notifications.models import OutboxMail
from tests.factories.accounts import MembershipFactory, UserFactory

from .conftest import ACTORS, EVALUATORS, evaluator_of

pytestmark = pytest.mark.django_db

# The owner's admins, whether or not they also sit on the panel.
ONLY_PROCURER = {actor: 404 for actor in ACTORS} | {"anonymous": 302, "procurer": 200, "admin_evaluator": 200}
ONLY_EVALUATORS = {actor: 404 for actor in ACTORS} | {"anonymous": 302} | {actor: 200 for actor in EVALUATORS}


def _status(client, ev, actor, url, method="get", data=None):
    if ev[actor] is not None:
        client.force_login(ev[actor])
    return getattr(client, method)(url, data or {}).status_code


@pytest.mark.parametrize("actor", ACTORS)
def test_panel_page_access(client, ev, actor):
    url = reverse("evaluation:panel", kwargs={"pk": ev["challenge"].pk})
    assert _status(client, ev, actor, url) == ONLY_PROCURER[actor]


@pytest.mark.parametrize("name", ["panel-settings", "panel-appoint", "panel-invite", "panel-open"])
@pytest.mark.parametrize("actor", ACTORS)
def test_panel_post_access(client, ev, actor, name):
    url = reverse(f"evaluation:{name}", kwargs={"pk": ev["challenge"].pk})
    # An empty form is valid for the settings and the opening (they redirect), and refused for the others.
    succeeds = {"procurer": 302, "admin_evaluator": 302} if name in {"panel-settings", "panel-open"} else {}
    assert _status(client, ev, actor, url, "post") == {**ONLY_PROCURER, **succeeds}[actor]


@pytest.mark.parametrize("actor", ACTORS)
def test_make_chair_access(client, ev, actor):
    url = reverse("evaluation:evaluator-chair", kwargs={"pk": evaluator_of(ev, "evaluator2").pk})
    expected = {**ONLY_PROCURER, "procurer": 302, "admin_evaluator": 302}[actor]
    assert _status(client, ev, actor, url, "post") == expected


@pytest.mark.parametrize("actor", ACTORS)
def test_remove_evaluator_access(client, ev, actor):
    url = reverse("evaluation:evaluator-remove", kwargs={"pk": evaluator_of(ev, "evaluator2").pk})
    assert _status(client, ev, actor, url) == ONLY_PROCURER[actor]


@pytest.mark.parametrize("actor", ACTORS)
def test_declarations_page_access(client, opened, actor):
    url = reverse("evaluation:declarations", kwargs={"pk": opened["challenge"].pk})
    assert _status(client, opened, actor, url) == ONLY_EVALUATORS[actor]


@pytest.mark.parametrize("actor", ACTORS)
def test_invitation_link_is_open_to_whoever_holds_it(client, ev, actor):
    invite_external_expert(challenge=ev["challenge"], by=ev["procurer"], email="ada@lab.example")
    token = (
        OutboxMail.objects.get(to_email="ada@lab.example").body_text.split("/invitation/")[1].split("/")[0]
    )
    url = reverse("evaluation:evaluator-invitation", kwargs={"token": token})
    assert _status(client, ev, actor, url) == 200


def test_unknown_invitation_link_is_a_404(client):
    assert client.get(reverse("evaluation:evaluator-invitation", kwargs={"token": "nope"})).status_code == 404


def test_procurer_appoints_a_member(client, ev):
    member = MembershipFactory(organisation=ev["challenge"].owner).user
    client.force_login(ev["procurer"])

    response = client.post(
        reverse("evaluation:panel-appoint", kwargs={"pk": ev["challenge"].pk}), {"user": member.pk}
    )

    assert response.status_code == 302
    assert Evaluator.objects.filter(challenge=ev["challenge"], user=member).exists()


def test_appointing_someone_outside_the_organisation_is_a_field_error(client, ev):
    client.force_login(ev["procurer"])

    response = client.post(
        reverse("evaluation:panel-appoint", kwargs={"pk": ev["challenge"].pk}), {"user": ev["other_buyer"].pk}
    )

    assert response.status_code == 200
    assert response.context["appoint_form"].errors["user"]
    assert "There is a problem" in response.content.decode()


def test_invalid_expert_address_keeps_what_was_typed(client, ev):
    client.force_login(ev["procurer"])

    response = client.post(
        reverse("evaluation:panel-invite", kwargs={"pk": ev["challenge"].pk}), {"email": "not-an-address"}
    )

    assert response.status_code == 200
    assert response.context["invite_form"].errors["email"]
    assert 'value="not-an-address"' in response.content.decode()


def test_expert_signs_in_and_accepts(client, ev):
    invite_external_expert(challenge=ev["challenge"], by=ev["procurer"], email="ada@lab.example")
    token = (
        OutboxMail.objects.get(to_email="ada@lab.example").body_text.split("/invitation/")[1].split("/")[0]
    )
    url = reverse("evaluation:evaluator-invitation", kwargs={"token": token})
    anonymous = client.get(url).content.decode()
    assert "Create an account" in anonymous and "next=" in anonymous
    client.force_login(UserFactory(email="ada@lab.example"))

    response = client.post(url)

    assert response.status_code == 302
    assert response.url == reverse("evaluation:scoring", kwargs={"pk": ev["challenge"].pk})
    assert (
        Evaluator.objects.get(email="ada@lab.example", removed_at__isnull=True).user.email
        == "ada@lab.example"
    )


def test_expert_with_another_address_gets_a_message(client, ev):
    invite_external_expert(challenge=ev["challenge"], by=ev["procurer"], email="ada@lab.example")
    token = (
        OutboxMail.objects.get(to_email="ada@lab.example").body_text.split("/invitation/")[1].split("/")[0]
    )
    client.force_login(ev["bidder_a"])

    response = client.post(reverse("evaluation:evaluator-invitation", kwargs={"token": token}))

    assert response.status_code == 200
    assert "Sign in with that address" in response.content.decode()


def test_opening_the_evaluation_from_the_panel_page(client, ev):
    client.force_login(ev["procurer"])
    page = client.get(reverse("evaluation:panel", kwargs={"pk": ev["challenge"].pk})).content.decode()
    assert "Open the evaluation" in page

    response = client.post(reverse("evaluation:panel-open", kwargs={"pk": ev["challenge"].pk}))

    assert response.status_code == 302
    ev["challenge"].refresh_from_db()
    assert ev["challenge"].status == ChallengeStatus.UNDER_EVALUATION


def test_opening_without_a_chair_is_an_error_on_the_page(client, ev):
    Evaluator.objects.filter(challenge=ev["challenge"]).update(is_chair=False)
    client.force_login(ev["procurer"])

    response = client.post(reverse("evaluation:panel-open", kwargs={"pk": ev["challenge"].pk}))

    assert response.status_code == 200
    assert "Choose the panel" in response.content.decode()


def test_settings_with_a_bad_date_keep_the_input(client, ev):
    client.force_login(ev["procurer"])

    response = client.post(
        reverse("evaluation:panel-settings", kwargs={"pk": ev["challenge"].pk}),
        {"scoring_deadline": "next tuesday", "has_trial_stage": "on"},
    )

    assert response.status_code == 200
    assert response.context["settings_form"].errors["scoring_deadline"]
    assert 'value="next tuesday"' in response.content.decode()


@pytest.mark.parametrize("typed", ["9999-12-31T23:30", "0001-01-01T00:30"])
def test_settings_refuse_a_far_off_scoring_deadline_and_keep_it(client, ev, typed):
    """Moved into UTC, one of these overflows in any zone but UTC itself: a 500 before the field refused
    them (found by the fuzzer)."""
    client.force_login(ev["procurer"])

    response = client.post(
        reverse("evaluation:panel-settings", kwargs={"pk": ev["challenge"].pk}),
        {"scoring_deadline": typed, "has_trial_stage": "on"},
    )

    assert response.status_code == 200
    assert response.context["settings_form"].errors["scoring_deadline"] == [
        "Give a date between the years 2000 and 2100."
    ]
    assert f'value="{typed}"' in response.content.decode()


def test_evaluator_declares_through_the_page(client, ev):
    from challenges.evaluation.services.panel import open_evaluation

    open_evaluation(challenge=ev["challenge"], by=ev["procurer"])
    client.force_login(ev["evaluator2"])
    url = reverse("evaluation:declarations", kwargs={"pk": ev["challenge"].pk})
    organisations = [ev["bid_a"].supplier, ev["bid_b"].supplier, ev["partner"].organisation]

    page = client.get(url).content.decode()
    assert all(organisation.name in page for organisation in organisations)
    missing_reason = {f"conflict_{o.pk}": "no" for o in organisations} | {
        f"conflict_{organisations[1].pk}": "yes"
    }
    response = client.post(url, missing_reason)
    assert response.status_code == 200
    assert response.context["form"].errors[f"reason_{organisations[1].pk}"]

    response = client.post(url, missing_reason | {f"reason_{organisations[1].pk}": "Former employer"})

    assert response.status_code == 302
    assert (
        ConflictDeclaration.objects.filter(evaluator__user=ev["evaluator2"], has_conflict=True).count() == 1
    )


def test_challenge_page_shows_the_way_to_the_evaluation(client, opened, django_assert_max_num_queries):
    url = opened["challenge"].get_absolute_url()
    anonymous = client.get(url).content.decode()
    assert reverse("evaluation:panel", kwargs={"pk": opened["challenge"].pk}) not in anonymous
    assert reverse("evaluation:scoring", kwargs={"pk": opened["challenge"].pk}) not in anonymous

    client.force_login(opened["procurer"])
    assert (
        reverse("evaluation:panel", kwargs={"pk": opened["challenge"].pk}) in client.get(url).content.decode()
    )
    client.force_login(opened["evaluator2"])
    assert (
        reverse("evaluation:scoring", kwargs={"pk": opened["challenge"].pk})
        in client.get(url).content.decode()
    )


# The way to the evaluation on the challenge page: each link only when its page opens


def _evaluation_links(client, challenge) -> dict[str, int]:
    """The owner's evaluation links on the challenge page, each with the status its page answers."""
    import re

    page = client.get(challenge.get_absolute_url()).content.decode()
    section = page.split('id="evaluation-panel-title"')[1].split("</section>")[0]
    names = {"panel": "Evaluation panel", "trials": "Proof-of-value trials", "award": "Award"}
    names["report"] = "Evaluation report"
    links = {}
    for key, name in names.items():
        match = re.search(rf'href="([^"]+)">{re.escape(name)}</a>', section)
        if match:
            links[key] = client.get(match.group(1)).status_code
    return links


@pytest.mark.parametrize(
    ("state", "trial_stage", "expected"),
    [
        ("closed", False, {"panel": 200, "report": 200}),
        ("closed", True, {"panel": 200, "report": 200}),
        ("under_evaluation", False, {"panel": 200, "award": 200, "report": 200}),
        ("under_evaluation", True, {"panel": 200, "trials": 200, "award": 200, "report": 200}),
        ("awarded", False, {"panel": 200, "award": 200, "report": 200}),
        ("awarded", True, {"panel": 200, "trials": 200, "award": 200, "report": 200}),
    ],
)
def test_challenge_page_links_only_to_evaluation_pages_that_open(client, ev, state, trial_stage, expected):
    from challenges.evaluation.models import Panel

    challenge = ev["challenge"]
    Panel.objects.filter(challenge=challenge).update(has_trial_stage=trial_stage)
    if state != "closed":
        challenge.status = state
        challenge.save(update_fields=["status"])
    client.force_login(ev["procurer"])

    assert _evaluation_links(client, challenge) == expected


def test_challenge_page_shows_no_evaluation_links_to_others(client, ev, django_assert_max_num_queries):
    for actor in ("owner_member", "other_buyer", "bidder_a"):
        client.force_login(ev[actor])
        assert (
            'id="evaluation-panel-title"'
            not in client.get(ev["challenge"].get_absolute_url()).content.decode()
        )
    client.logout()
    # Anonymous visitors: nothing, and no query of the evaluation's (the page's own only: 10 with the
    # citizen-idea and case-study panels, see tests/challenges).
    with django_assert_max_num_queries(10):
        page = client.get(ev["challenge"].get_absolute_url()).content.decode()
    assert "evaluation-panel-title" not in page and "evaluator-panel-title" not in page
