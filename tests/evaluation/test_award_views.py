"""The award page, a bidder's feedback page and the public award notice: who reaches them, what each
person reads, bad input and query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from challenges.evaluation.enums import AwardDecision
from challenges.evaluation.models import Award
from challenges.evaluation.services.award import AwardedBid, decide_award
from tests.factories.suppliers import SubmittedProposalFactory

from .test_award_fixtures import ACTORS, scene_fixture, scored_bid  # noqa: F401

PUBLIC_SUMMARY = "The winner reaches the most residents within the budget."


def _decide(scene):
    return decide_award(
        challenge=scene["challenge"],
        by=scene["procurer"],
        decision=AwardDecision.AWARD,
        rationale="B balances impact and cost best.",
        public_summary=PUBLIC_SUMMARY,
        standstill_days=12,
        awarded=[AwardedBid(proposal_id=scene["bid_b"].pk, value=Decimal("95000"))],
        notes={scene["bid_a"].pk: "Your cost plan was unclear.", scene["bid_b"].pk: "Well done."},
    )


def _get(client, scene, actor, url):
    if scene[actor]:
        client.force_login(scene[actor])
    return client.get(url)


def _expected(actor, allowed):
    return 302 if actor == "anonymous" else (200 if actor in allowed else 404)


@pytest.mark.parametrize("decided", [False, True])
@pytest.mark.parametrize("actor", ACTORS)
def test_award_page_access(client, scene, actor, decided):
    if decided:
        _decide(scene)
    response = _get(client, scene, actor, reverse("evaluation:award", args=[scene["challenge"].pk]))
    assert response.status_code == _expected(actor, {"procurer", "admin_evaluator"})


@pytest.mark.parametrize("actor", ACTORS)
def test_award_post_access(client, scene, actor):
    if scene[actor]:
        client.force_login(scene[actor])
    response = client.post(reverse("evaluation:award", args=[scene["challenge"].pk]), {})
    assert response.status_code == _expected(actor, {"procurer", "admin_evaluator"})
    assert not Award.objects.exists()


@pytest.mark.parametrize("actor", ACTORS)
def test_feedback_page_access(client, scene, actor):
    _decide(scene)
    response = _get(client, scene, actor, reverse("evaluation:award-feedback", args=[scene["bid_a"].pk]))
    assert response.status_code == _expected(actor, {"bidder_a", "partner_a"})


def test_feedback_page_before_the_award_is_404(client, scene):
    client.force_login(scene["bidder_a"])
    assert client.get(reverse("evaluation:award-feedback", args=[scene["bid_a"].pk])).status_code == 404


@pytest.mark.parametrize(
    ("actor", "own", "other"),
    [("bidder_a", "bid_a", "bid_b"), ("partner_a", "bid_a", "bid_b"), ("bidder_b", "bid_b", "bid_a")],
)
def test_feedback_shows_each_bidder_only_their_own_details(client, scene, actor, own, other):
    _decide(scene)
    client.force_login(scene[actor])

    content = client.get(reverse("evaluation:award-feedback", args=[scene[own].pk])).content.decode()

    own_rationale, other_rationale = (
        ("A is strong", "B is cheap") if own == "bid_a" else ("B is cheap", "A is strong")
    )
    assert own_rationale in content and other_rationale not in content
    assert str(scene[other].supplier) not in content and scene[other].title not in content
    assert "76.000" in content  # the winning total, for the loser and the winner alike
    if own == "bid_a":
        assert "Your cost plan was unclear." in content and "Well done." not in content
        assert "2 of 2 bids" in content
    else:
        assert "Well done." in content and "Your cost plan was unclear." not in content
        assert "has been awarded the contract" in content
    # Nor can they reach the other bidder's feedback by its address.
    assert client.get(reverse("evaluation:award-feedback", args=[scene[other].pk])).status_code == 404


def test_award_post_records_the_decision(client, scene):
    client.force_login(scene["procurer"])
    bid_a, bid_b = scene["bid_a"].pk, scene["bid_b"].pk
    response = client.post(
        reverse("evaluation:award", args=[scene["challenge"].pk]),
        {
            "decision": "award",
            f"award_{bid_b}": "on",
            f"value_{bid_b}": "95000",
            f"note_{bid_a}": "Your cost plan was unclear.",
            "rationale": "B balances impact and cost best.",
            "public_summary": "The most residents reached within the budget.",
            "standstill_days": "14",
        },
    )
    assert response.status_code == 302
    award = Award.objects.get()
    assert award.awarded.get().proposal_id == bid_b
    assert award.feedback.get(proposal_id=bid_a).note == "Your cost plan was unclear."
    assert award.public_summary == "The most residents reached within the budget."
    page = client.get(reverse("evaluation:award", args=[scene["challenge"].pk])).content.decode()
    assert "In standstill until" in page and "Your cost plan was unclear." in page
    assert "The most residents reached within the budget." in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"standstill_days": "5"}, "standstill_days", "at least 10 days"),
        ({"standstill_days": "366"}, "standstill_days", "at most 365 days"),
        ({"standstill_days": "9223372036854775807"}, "standstill_days", "at most 365 days"),
        ({"standstill_days": "1" + "0" * 40}, "standstill_days", "at most 365 days"),
        ({"rationale": ""}, "rationale", "This field is required"),
        ({"public_summary": ""}, "public_summary", "This field is required"),
        ({"public_summary": "Cheaper than BIDDER-A."}, "public_summary", "leave other bidders out"),
        ({"award_B": ""}, "decision", "at least one bidder"),
        ({"value_B": ""}, "value_B", "contract value"),
        ({"value_B": "-3"}, "value_B", "greater than or equal to 0"),
    ],
)
def test_award_post_bad_input_keeps_what_was_typed(client, scene, data, field, message):
    client.force_login(scene["procurer"])
    bid_b = scene["bid_b"].pk
    posted = {
        "decision": "award",
        f"award_{bid_b}": "on",
        f"value_{bid_b}": "95000",
        "rationale": "My carefully typed rationale.",
        "public_summary": "My carefully typed summary.",
        "standstill_days": "14",
    }
    bidder_a = scene["bid_a"].supplier.name
    posted.update(
        {key.replace("_B", f"_{bid_b}"): value.replace("BIDDER-A", bidder_a) for key, value in data.items()}
    )
    posted = {
        key: value for key, value in posted.items() if value != "" or key in {"rationale", "public_summary"}
    }

    response = client.post(reverse("evaluation:award", args=[scene["challenge"].pk]), posted)

    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field.replace("_B", f"_{bid_b}")])
    content = response.content.decode()
    assert "There is a problem" in content
    if data.get("rationale") != "":
        assert "My carefully typed rationale." in content
    if "public_summary" not in data:
        assert "My carefully typed summary." in content
    assert not Award.objects.exists()


def test_award_page_for_a_supplier_that_did_not_bid_offers_no_row(client, scene):
    stranger = SubmittedProposalFactory()  # a bid to another challenge
    client.force_login(scene["procurer"])
    response = client.post(
        reverse("evaluation:award", args=[scene["challenge"].pk]),
        {
            "decision": "award",
            f"award_{stranger.pk}": "on",
            f"value_{stranger.pk}": "1",
            "rationale": "x",
            "public_summary": "y",
            "standstill_days": "10",
        },
    )
    assert response.status_code == 200
    assert "at least one bidder" in " ".join(response.context["form"].errors["decision"])
    assert not Award.objects.exists()


@pytest.mark.parametrize("rows", [1, 50])
def test_award_page_query_count(client, scene, django_assert_num_queries, rows):
    for _ in range(rows):
        scored_bid(scene, [2, 2])
    client.force_login(scene["procurer"])

    # the signed-in page's own (session, user, memberships and menu, unread count); the challenge with its
    # panel settings and award; the bids the user reads; the criteria; every opened proposal with its
    # partners, consensus and submitted sheets (ranking and scoring progress); each bid's consensus count
    # (also the number of bids); the panel and its declarations (blockers)
    with django_assert_num_queries(14):
        response = client.get(reverse("evaluation:award", args=[scene["challenge"].pk]))
    assert response.status_code == 200


def test_award_notice_names_only_the_winners(client, scene):
    _decide(scene)
    content = client.get(scene["challenge"].get_absolute_url()).content.decode()

    assert "Award notice" in content
    assert (str(scene["bid_b"].supplier) in content and "95,000.00" in content) or "95000.00" in content
    assert str(scene["bid_a"].supplier) not in content
    assert "A is strong" not in content and "Your cost plan" not in content
    assert "In standstill until" in content
    # The public summary, never the rationale written for the bidders.
    assert PUBLIC_SUMMARY in content and "B balances impact and cost best." not in content


@pytest.mark.parametrize("rows", [1, 4])
def test_award_notice_query_count(client, scene, django_assert_num_queries, rows):
    for _ in range(rows):
        scored_bid(scene, [2, 2])
    _decide(scene)

    # the challenge (with the award and its number of bids, its case study, and that it has no amendments,
    # public clarifications or citizen idea); outcomes, criteria, documents, themes, CPV codes; the award's
    # winners; related case studies
    with django_assert_num_queries(8):
        response = client.get(scene["challenge"].get_absolute_url())
    assert f'<dd class="col-sm-8">{rows + 2}</dd>' in response.content.decode()


# The way to a bidder's own feedback: from their proposal's page and beside the public award notice


@pytest.mark.parametrize(
    ("actor", "own"), [("bidder_a", "bid_a"), ("partner_a", "bid_a"), ("bidder_b", "bid_b")]
)
def test_bidders_reach_their_feedback_from_the_notice_and_their_proposal(client, scene, actor, own):
    _decide(scene)
    client.force_login(scene[actor])
    feedback_url = reverse("evaluation:award-feedback", args=[scene[own].pk])
    other = "bid_b" if own == "bid_a" else "bid_a"

    notice = client.get(scene["challenge"].get_absolute_url()).content.decode()
    proposal_page = client.get(scene[own].get_absolute_url()).content.decode()

    for page in (notice, proposal_page):
        assert f'href="{feedback_url}">Your feedback on the award' in page
        assert reverse("evaluation:award-feedback", args=[scene[other].pk]) not in page
    assert client.get(feedback_url).status_code == 200


@pytest.mark.parametrize("actor", ["anonymous", "other_supplier", "procurer", "evaluator", "drafter"])
def test_others_get_no_feedback_link_beside_the_notice(client, scene, actor):
    _decide(scene)
    if scene[actor]:
        client.force_login(scene[actor])

    page = client.get(scene["challenge"].get_absolute_url()).content.decode()

    assert "Award notice" in page and "Your feedback on the award" not in page


def test_proposal_page_has_no_feedback_link_before_the_award(client, scene):
    client.force_login(scene["bidder_a"])

    assert "Your feedback on the award" not in client.get(scene["bid_a"].get_absolute_url()).content.decode()


@pytest.mark.parametrize("rows", [1, 4])
def test_award_notice_query_count_for_a_bidder(client, scene, django_assert_num_queries, rows):
    for _ in range(rows):
        scored_bid(scene, [2, 2])
    _decide(scene)
    client.force_login(scene["bidder_a"])
    client.get(scene["challenge"].get_absolute_url())

    # The session, the user, their memberships; the challenge (with what the panels read of it: the award
    # and its number of bids, the bid with feedback of the bidder's (the only one), the user's place on the
    # panel, the board's counts, the case study ...); outcomes, criteria, documents, themes, CPV codes; the
    # unread count; the award's winners; their organisation's proposal (proposal panel); related case
    # studies.
    with django_assert_num_queries(13):
        response = client.get(scene["challenge"].get_absolute_url())
    assert "Your feedback on the award" in response.content.decode()


def test_admin_on_the_panel_sees_only_the_bids_they_may_read_and_is_told(client, scene):
    client.force_login(scene["admin_evaluator"])

    response = client.get(reverse("evaluation:award", args=[scene["challenge"].pk]))

    assert [standing.proposal for standing in response.context["standings"]] == [scene["bid_a"]]
    assert f"award_{scene['bid_b'].pk}" not in response.context["form"].fields
    page = response.content.decode()
    assert "1 bid is not shown to you" in page and "No proposal was submitted." not in page
    assert str(scene["bid_b"].supplier) not in page


def test_procurer_off_the_panel_sees_every_bid(client, scene):
    client.force_login(scene["procurer"])

    response = client.get(reverse("evaluation:award", args=[scene["challenge"].pk]))

    assert len(response.context["standings"]) == 2 and response.context["hidden_bids"] == 0
    assert "not shown to you" not in response.content.decode()
