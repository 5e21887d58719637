"""Scoring, moderation and report pages: a permission grid for every URL, the forms' behaviour, and query
counts that do not grow with the number of proposals."""

import pytest
from django.urls import reverse

from challenges.evaluation.models import ConsensusScore, ScoreSheet
from challenges.evaluation.selectors.panel import undeclared_organisations
from challenges.evaluation.services.panel import declare_conflicts, open_evaluation
from tests.factories.accounts import AdminMembershipFactory, MembershipFactory, SupplierFactory
from tests.factories.challenges import PublishedChallengeFactory
from tests.factories.suppliers import EvaluatorFactory, SubmittedProposalFactory

from .conftest import ACTORS, EVALUATORS, close, evaluator_of, score, submit_all

pytestmark = pytest.mark.django_db

NOBODY = {actor: 404 for actor in ACTORS} | {"anonymous": 302}
EVALUATORS_200 = NOBODY | {actor: 200 for actor in EVALUATORS}


def _status(client, ev, actor, url, method="get", data=None):
    if ev[actor] is not None:
        client.force_login(ev[actor])
    return getattr(client, method)(url, data or {}).status_code


@pytest.mark.parametrize("actor", ACTORS)
def test_scoring_list_access(client, opened, actor):
    url = reverse("evaluation:scoring", kwargs={"pk": opened["challenge"].pk})
    assert _status(client, opened, actor, url) == EVALUATORS_200[actor]


@pytest.mark.parametrize("actor", ACTORS)
def test_sheet_access_for_a_bid_without_conflicts(client, opened, actor):
    url = reverse("evaluation:sheet", kwargs={"pk": opened["bid_a"].pk})
    assert _status(client, opened, actor, url) == EVALUATORS_200[actor]


@pytest.mark.parametrize("actor", ACTORS)
def test_sheet_access_hides_a_conflicted_bid(client, opened, actor):
    url = reverse("evaluation:sheet", kwargs={"pk": opened["bid_b"].pk})
    expected = {**EVALUATORS_200, "conflicted": 404, "bidding_evaluator": 404}
    assert _status(client, opened, actor, url) == expected[actor]


@pytest.mark.parametrize("actor", ACTORS)
def test_moderation_access(client, opened, actor):
    url = reverse("evaluation:moderation", kwargs={"pk": opened["challenge"].pk})
    assert _status(client, opened, actor, url) == {**NOBODY, "chair": 200}[actor]


@pytest.mark.parametrize("actor", ACTORS)
def test_consensus_access_once_all_sheets_are_in(client, opened, actor):
    submit_all(opened)
    url = reverse("evaluation:consensus", kwargs={"pk": opened["bid_a"].pk})
    assert _status(client, opened, actor, url) == {**NOBODY, "chair": 200}[actor]


def test_consensus_page_waits_for_all_sheets(client, opened):
    client.force_login(opened["chair"])
    assert client.get(reverse("evaluation:consensus", kwargs={"pk": opened["bid_a"].pk})).status_code == 404


@pytest.mark.parametrize("actor", ACTORS)
def test_sheet_reopen_access(client, opened, actor):
    sheet = score(opened, "evaluator2", opened["bid_a"], [4, 3])
    url = reverse("evaluation:sheet-reopen", kwargs={"pk": sheet.pk})
    assert _status(client, opened, actor, url) == {**NOBODY, "chair": 200}[actor]


@pytest.mark.parametrize("actor", ACTORS)
def test_report_access(client, opened, actor):
    url = reverse("evaluation:report", kwargs={"pk": opened["challenge"].pk})
    assert _status(client, opened, actor, url) == {**EVALUATORS_200, "procurer": 200}[actor]


def test_sheet_draft_then_submit(client, opened):
    impact, feasibility = opened["challenge"].criteria.order_by("position", "pk")
    url = reverse("evaluation:sheet", kwargs={"pk": opened["bid_a"].pk})
    client.force_login(opened["evaluator2"])

    draft = {f"score_{impact.pk}": "4", f"justification_{impact.pk}": "Strong co-design", "action": "save"}
    assert client.post(url, draft).status_code == 302
    response = client.post(url, {**draft, "action": "submit"})

    assert response.status_code == 200  # feasibility is missing
    form = response.context["form"]
    assert form.errors[f"score_{feasibility.pk}"] == ["Give a score."]
    assert form.errors[f"justification_{feasibility.pk}"] == ["Justify the score."]
    assert 'value="4"' in response.content.decode()

    complete = {**draft, f"score_{feasibility.pk}": "3", f"justification_{feasibility.pk}": "Tight budget"}
    assert client.post(url, {**complete, "action": "submit"}).status_code == 302
    assert ScoreSheet.objects.get(evaluator__user=opened["evaluator2"]).submitted_at is not None
    locked = client.get(url).content.decode()
    assert "Submit and lock" not in locked and "Tight budget" in locked


def test_score_outside_the_scale_is_a_field_error(client, opened):
    impact, _feasibility = opened["challenge"].criteria.order_by("position", "pk")
    client.force_login(opened["evaluator2"])

    response = client.post(
        reverse("evaluation:sheet", kwargs={"pk": opened["bid_a"].pk}),
        {f"score_{impact.pk}": "7", f"justification_{impact.pk}": "Excellent", "action": "save"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors[f"score_{impact.pk}"] == ["Give a score from 0 to 5."]
    assert "Excellent" in response.content.decode()
    assert not ScoreSheet.objects.exists()


def test_chair_records_consensus_and_sees_the_ranking(client, opened):
    submit_all(opened)
    impact, feasibility = opened["challenge"].criteria.order_by("position", "pk")
    client.force_login(opened["chair"])
    url = reverse("evaluation:consensus", kwargs={"pk": opened["bid_a"].pk})

    bad = client.post(url, {f"score_{impact.pk}": "4", f"rationale_{impact.pk}": "Agreed"})
    assert bad.status_code == 200 and bad.context["form"].errors[f"score_{feasibility.pk}"]

    ok = {
        f"score_{impact.pk}": "4",
        f"rationale_{impact.pk}": "Agreed",
        f"score_{feasibility.pk}": "3",
        f"rationale_{feasibility.pk}": "Tight",
    }
    assert client.post(url, ok).status_code == 302
    assert ConsensusScore.objects.filter(proposal=opened["bid_a"]).count() == 2
    page = client.get(
        reverse("evaluation:moderation", kwargs={"pk": opened["challenge"].pk})
    ).content.decode()
    assert "72.000" in page  # 60*4/5 + 40*3/5


def test_chair_reopens_a_sheet(client, opened):
    sheet = score(opened, "evaluator2", opened["bid_a"], [4, 3])
    client.force_login(opened["chair"])
    url = reverse("evaluation:sheet-reopen", kwargs={"pk": sheet.pk})

    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "Scores contradict the justification"}).status_code == 302
    sheet.refresh_from_db()
    assert sheet.submitted_at is None


def test_scoring_list_before_declaring_asks_for_declarations(client, ev):
    open_evaluation(challenge=ev["challenge"], by=ev["procurer"])
    client.force_login(ev["evaluator2"])

    page = client.get(reverse("evaluation:scoring", kwargs={"pk": ev["challenge"].pk})).content.decode()

    assert reverse("evaluation:declarations", kwargs={"pk": ev["challenge"].pk}) in page
    assert ev["bid_a"].title not in page


def _panel_with(rows: int):
    """A challenge under evaluation with `rows` bids, a chair and a second evaluator who have declared
    and submitted every sheet."""
    challenge = PublishedChallengeFactory(scoring_scale=5)
    bids = [SubmittedProposalFactory(challenge=challenge) for _ in range(rows)]
    close(challenge)
    admin = AdminMembershipFactory(organisation=challenge.owner).user
    chair = MembershipFactory(organisation=challenge.owner).user
    other = MembershipFactory(organisation=challenge.owner).user
    EvaluatorFactory(challenge=challenge, user=chair, is_chair=True)
    EvaluatorFactory(challenge=challenge, user=other)
    open_evaluation(challenge=challenge, by=admin)
    challenge.refresh_from_db()
    ev = {"challenge": challenge, "chair": chair, "other": other}
    for actor in ("chair", "other"):
        evaluator = evaluator_of(ev, actor)
        declare_conflicts(
            evaluator=evaluator,
            by=ev[actor],
            answers={o.pk: (False, "") for o in undeclared_organisations(evaluator=evaluator)},
        )
        for bid in bids:
            score(ev, actor, bid, [3, 4])
    SupplierFactory()
    return ev


@pytest.mark.parametrize("rows", [1, 5])
def test_scoring_list_query_count(client, django_assert_num_queries, rows):
    ev = _panel_with(rows)
    client.force_login(ev["chair"])
    url = reverse("evaluation:scoring", kwargs={"pk": ev["challenge"].pk})
    client.get(url)

    with django_assert_num_queries(22):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [1, 5])
def test_moderation_query_count(client, django_assert_num_queries, rows):
    ev = _panel_with(rows)
    client.force_login(ev["chair"])
    url = reverse("evaluation:moderation", kwargs={"pk": ev["challenge"].pk})
    client.get(url)

    with django_assert_num_queries(23):
        assert client.get(url).status_code == 200


def test_report_has_panel_declarations_sheets_ranking_and_trail(client, opened):
    submit_all(opened)
    impact, feasibility = opened["challenge"].criteria.order_by("position", "pk")
    from challenges.evaluation.services.scoring import record_consensus

    for bid in ("bid_a", "bid_b"):
        record_consensus(
            proposal=opened[bid],
            by=opened["chair"],
            values={impact.pk: (4, "Agreed impact"), feasibility.pk: (3, "Agreed cost")},
        )
    client.force_login(opened["procurer"])

    page = client.get(reverse("evaluation:report", kwargs={"pk": opened["challenge"].pk})).content.decode()

    assert "My brother runs it." in page  # the conflicted evaluator's declaration
    assert "Member of the bidding organisation." in page  # the automatic exclusion
    assert "Reasoned judgement." in page and "Agreed impact" in page
    assert "72.000" in page and "tie" in page  # both bids 60*4/5 + 40*3/5, tied
    for action in ("evaluation.opened", "evaluation.conflict_declared", "evaluation.sheet_submitted"):
        assert action in page
    assert "css/evaluation-print.css" in page
