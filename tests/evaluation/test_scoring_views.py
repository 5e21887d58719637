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

from .conftest import (
    ACTORS,
    CONFLICTED_WITH_B,
    EVALUATORS,
    close,
    consensus_on_both,
    evaluator_of,
    score,
    submit_all,
)

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
    # The admin on the panel declared a conflict with B: being an admin of the buyer does not reopen it.
    expected = EVALUATORS_200 | dict.fromkeys(CONFLICTED_WITH_B, 404)
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

    # The evaluator reads why on their sheet, which is editable again.
    client.force_login(opened["evaluator2"])
    page = client.get(reverse("evaluation:sheet", kwargs={"pk": opened["bid_a"].pk})).content.decode()
    assert "The chair has reopened your sheet" in page
    assert "Scores contradict the justification" in page and "Submit and lock" in page
    # Once submitted again, the reason is no longer shown as pending.
    score(opened, "evaluator2", opened["bid_a"], [4, 3])
    page = client.get(reverse("evaluation:sheet", kwargs={"pk": opened["bid_a"].pk})).content.decode()
    assert "Scores contradict the justification" not in page


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
    bids = SubmittedProposalFactory.create_batch(rows, challenge=challenge)
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


@pytest.mark.parametrize("rows", [1, 50])
def test_scoring_list_query_count(client, django_assert_num_queries, rows):
    ev = _panel_with(rows)
    client.force_login(ev["chair"])
    url = reverse("evaluation:scoring", kwargs={"pk": ev["challenge"].pk})
    client.get(url)

    # the signed-in page's own four (session, user, roles and menu, unread count); the challenge with the
    # chair's row and the panel's settings; the panel and its declarations; the bidders; the ids of the
    # proposals the chair scores (for the pages), a page of them with their partners and submitted sheets;
    # the chair's own sheets on that page
    with django_assert_num_queries(13):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_moderation_query_count(client, django_assert_num_queries, rows):
    ev = _panel_with(rows)
    client.force_login(ev["chair"])
    url = reverse("evaluation:moderation", kwargs={"pk": ev["challenge"].pk})
    client.get(url)

    # the signed-in page's own four; the challenge with the chair's row; the panel and its declarations;
    # the bidders; the criteria; every opened proposal (for the ranking) with its partners and consensus;
    # who has submitted a sheet for those the chair reads; the page's submitted sheets and their scores
    with django_assert_num_queries(15):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_moderation_query_count_with_every_consensus_recorded(client, django_assert_num_queries, rows):
    """The ranking reads what its tie-break compares (price, submission) with the proposals: ranking every
    bid, with equal totals, adds no query per bid."""
    from challenges.evaluation.services.scoring import record_consensus

    ev = _panel_with(rows)
    criteria = list(ev["challenge"].criteria.order_by("position", "pk"))
    for bid in ev["challenge"].proposals.all():
        record_consensus(
            proposal=bid,
            by=ev["chair"],
            values={criterion.pk: (3, "Agreed") for criterion in criteria},
        )
    client.force_login(ev["chair"])
    url = reverse("evaluation:moderation", kwargs={"pk": ev["challenge"].pk})
    client.get(url)

    with django_assert_num_queries(15):
        response = client.get(url)
    assert len([row for row in response.context["ranking"] if row.rank == 1]) == rows  # all tied


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
    # The trail in words, not action codes and raw data.
    for label in ("Evaluation opened", "Conflict of interest declared", "Score sheet submitted"):
        assert label in page
    for code in ("evaluation.opened", "evaluation.conflict_declared", "evaluation.sheet_submitted"):
        assert code not in page
    assert "css/evaluation-print.css" in page


def _decided_with_a_trial(opened):
    """Every sheet in, consensus on both bids, A shortlisted, trialled (go) and awarded."""
    from decimal import Decimal

    from challenges.evaluation.enums import AwardDecision, TrialDecision
    from challenges.evaluation.models import Panel
    from challenges.evaluation.services.award import AwardedBid, decide_award
    from challenges.evaluation.services.trials import (
        MeasuredResult,
        decide_trial,
        record_trial_results,
        shortlist_for_trial,
    )
    from tests.factories.challenges import OutcomeFactory

    challenge = opened["challenge"]
    consensus_on_both(opened)
    Panel.objects.filter(challenge=challenge).update(has_trial_stage=True)
    outcome = challenge.outcomes.first() or OutcomeFactory(challenge=challenge)
    trial = shortlist_for_trial(proposal=opened["bid_a"], by=opened["procurer"])
    record_trial_results(
        trial=trial, by=opened["procurer"], results=[MeasuredResult(outcome.pk, "31 % fewer missed visits")]
    )
    decide_trial(trial=trial, by=opened["procurer"], decision=TrialDecision.GO, summary="The pilot worked.")
    decide_award(
        challenge=challenge,
        by=opened["procurer"],
        decision=AwardDecision.AWARD,
        rationale="A beat Neighbour network on impact.",
        public_summary="The most residents reached within the budget.",
        standstill_days=10,
        awarded=[AwardedBid(proposal_id=opened["bid_a"].pk, value=Decimal("120000"))],
    )
    return outcome


def test_report_has_the_trials_and_the_award_with_their_trail(client, opened):
    outcome = _decided_with_a_trial(opened)
    client.force_login(opened["procurer"])

    page = client.get(reverse("evaluation:report", kwargs={"pk": opened["challenge"].pk})).content.decode()

    trials = page.split('id="report-trials"')[1].split("</section>")[0]
    assert opened["bid_a"].title in trials and "31 % fewer missed visits" in trials
    assert "The pilot worked." in trials and "Go" in trials and outcome.indicator in trials
    award = page.split('id="report-award"')[1].split("</section>")[0]
    assert "120,000.00" in award or "120000.00" in award
    assert "A beat Neighbour network on impact." in award
    assert "The most residents reached within the budget." in award
    assert opened["bid_b"].supplier.name in award  # its rank, in the feedback table
    trail = page.split('id="report-trail"')[1].split("</section>")[0]
    for label in (
        "Consensus recorded",
        "Shortlisted for a proof-of-value trial",
        "Trial results recorded",
        "Go / no-go decided",
        "Award decided",
        "Outcome recorded",
    ):
        assert label in trail
    # Details in words: names, not ids.
    assert f'Proposal:</dt> <dd class="d-inline mb-0">{opened["bid_a"].title}' in trail
    assert f"{outcome}: 31 % fewer missed visits" in trail
    assert 'Decision:</dt> <dd class="d-inline mb-0">Go</dd>' in trail
    assert "Impact on the outcomes: 5" in trail or f"{opened['challenge'].criteria.first().name}: 5" in trail


def test_report_hides_trial_and_award_details_of_a_conflicted_bid_from_that_evaluator(client, opened):
    _decided_with_a_trial(opened)
    client.force_login(opened["conflicted"])

    page = client.get(reverse("evaluation:report", kwargs={"pk": opened["challenge"].pk})).content.decode()

    award = page.split('id="report-award"')[1].split("</section>")[0]
    assert "The most residents reached within the budget." in award
    assert opened["bid_b"].supplier.name not in award  # B's rank is not theirs to read
    assert "Agreed impact" in page  # A's consensus, which they may read


def test_report_trail_leaves_out_who_follows_the_challenge(client, opened):
    from challenges.services.discovery import follow_challenge
    from tests.factories.accounts import UserFactory

    follower = UserFactory(full_name="Curious Citizen")
    follow_challenge(user=follower, challenge=opened["challenge"])
    client.force_login(opened["procurer"])

    page = client.get(reverse("evaluation:report", kwargs={"pk": opened["challenge"].pk})).content.decode()

    assert follower.email not in page and "challenge.followed" not in page


@pytest.mark.parametrize("rows", [1, 50])
def test_report_query_count(client, django_assert_num_queries, rows):
    ev = _panel_with(rows)
    client.force_login(ev["chair"])
    url = reverse("evaluation:report", kwargs={"pk": ev["challenge"].pk})
    client.get(url)

    # the signed-in page's own four (session, user, roles and menu, unread count); the challenge (with panel
    # and award); the panel's members; their declarations; the opened proposals (with their trials; the
    # bidders come from them), their partners, consensus, submitted sheets and scores; the criteria; the
    # audit trail (its names come from what is read)
    with django_assert_num_queries(14):
        assert client.get(url).status_code == 200


def test_chairs_progress_leaves_out_the_proposals_they_are_conflicted_with(client, opened):
    from challenges.evaluation.services.panel import set_chair

    set_chair(evaluator=evaluator_of(opened, "conflicted"), by=opened["procurer"])
    client.force_login(opened["conflicted"])

    response = client.get(reverse("evaluation:scoring", kwargs={"pk": opened["challenge"].pk}))

    page = response.content.decode()
    assert [row.proposal for row in response.context["progress"]] == [opened["bid_a"]]
    assert opened["bid_a"].title in page
    assert opened["bid_b"].title not in page and opened["bid_b"].supplier.name not in page


def test_chairs_list_counts_each_proposals_sheets_in_its_row(client, opened):
    """The chair's list has a column with the panel's progress on each proposal: the sheets submitted by
    the evaluators expected to score it (those not in conflict with its bidders)."""
    import re

    score(opened, "evaluator2", opened["bid_a"], (4, 3))
    score(opened, "expert", opened["bid_a"], (3, 3))
    score(opened, "evaluator2", opened["bid_b"], (2, 2))
    client.force_login(opened["chair"])

    page = client.get(reverse("evaluation:scoring", kwargs={"pk": opened["challenge"].pk})).content.decode()

    rows = {
        title: row
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)
        for title in (opened["bid_a"].title, opened["bid_b"].title)
        if title in row
    }
    expected_a = len(EVALUATORS)  # nobody is in conflict with bid A
    expected_b = len(EVALUATORS) - len(CONFLICTED_WITH_B)
    assert f"2 of {expected_a} sheets submitted" in rows[opened["bid_a"].title]
    assert f"1 of {expected_b} sheets submitted" in rows[opened["bid_b"].title]
    assert "The panel's sheets" in page


def test_an_evaluators_list_has_no_panel_column(client, opened):
    client.force_login(opened["evaluator2"])

    page = client.get(reverse("evaluation:scoring", kwargs={"pk": opened["challenge"].pk})).content.decode()

    assert opened["bid_a"].title in page
    assert "sheets submitted" not in page and "The panel's sheets" not in page


def test_moderation_lists_each_proposals_sheets_chair_first_then_by_appointment(client, opened):
    """The sheets of a proposal come chair first, then in the order the evaluators were appointed, whoever
    is chair: a chair appointed after the others still comes first."""
    import re

    from challenges.evaluation.services.panel import set_chair

    submit_all(opened)
    new_chair = evaluator_of(opened, "expert")
    set_chair(evaluator=new_chair, by=opened["procurer"])
    client.force_login(opened["expert"])
    url = reverse("evaluation:moderation", kwargs={"pk": opened["challenge"].pk})

    page = client.get(url).content.decode()

    section = page[page.index(f'id="proposal-{opened["bid_a"].pk}"') :]
    section = section[: section.index("</section>")]
    reopen = re.findall(r"Reopen (.+?)&#x27;s sheet", section) or re.findall(r"Reopen (.+?)'s sheet", section)
    appointed = [
        e.user.full_name
        for e in opened["challenge"]
        .evaluators.filter(removed_at__isnull=True, user__isnull=False)
        .exclude(pk=new_chair.pk)
        .order_by("appointed_at", "pk")
    ]
    assert reopen == [opened["expert"].full_name, *appointed]


def test_a_conflicted_chairs_moderation_leaves_out_the_proposal_they_are_conflicted_with(client, opened):
    """Moderation reads every opened proposal for the ranking, and which of them the chair may read apart:
    the bid they declared a conflict with is neither moderated nor ranked on their page."""
    from challenges.evaluation.services.panel import set_chair

    consensus_on_both(opened)  # every sheet in, and the first chair's consensus on both
    set_chair(evaluator=evaluator_of(opened, "conflicted"), by=opened["procurer"])
    client.force_login(opened["conflicted"])

    response = client.get(reverse("evaluation:moderation", kwargs={"pk": opened["challenge"].pk}))

    page = response.content.decode()
    assert [row.proposal for row in response.context["rows"]] == [opened["bid_a"]]
    assert [row.proposal for row in response.context["ranking"]] == [opened["bid_a"]]
    assert opened["bid_a"].title in page
    assert opened["bid_b"].title not in page and opened["bid_b"].supplier.name not in page


def _consensus_post(challenge) -> dict:
    impact, feasibility = challenge.criteria.order_by("position", "pk")
    return {
        f"score_{impact.pk}": "4",
        f"rationale_{impact.pk}": "Agreed",
        f"score_{feasibility.pk}": "3",
        f"rationale_{feasibility.pk}": "Agreed",
    }


def test_a_conflicted_chair_is_replaced_mid_evaluation(client, opened):
    """The chair declared a conflict with B and can never moderate it: the award page says so, the
    procurer makes another evaluator the chair on the panel page, and the new chair records B's
    consensus."""
    from challenges.evaluation.services.panel import set_chair

    challenge = opened["challenge"]
    set_chair(evaluator=evaluator_of(opened, "conflicted"), by=opened["procurer"])
    submit_all(opened)
    client.force_login(opened["conflicted"])
    consensus_a = reverse("evaluation:consensus", kwargs={"pk": opened["bid_a"].pk})
    consensus_b = reverse("evaluation:consensus", kwargs={"pk": opened["bid_b"].pk})
    assert client.post(consensus_a, _consensus_post(challenge)).status_code == 302
    assert client.get(consensus_b).status_code == 404

    client.force_login(opened["procurer"])
    award_page = client.get(reverse("evaluation:award", kwargs={"pk": challenge.pk}))
    assert award_page.context["blockers"] == [
        "The chair declared a conflict with 1 proposal and cannot record its consensus: appoint another "
        "chair for the moderation on the panel's page."
    ]
    panel_page = client.get(reverse("evaluation:panel", kwargs={"pk": challenge.pk})).content.decode()
    make_chair = reverse("evaluation:evaluator-chair", kwargs={"pk": evaluator_of(opened, "evaluator2").pk})
    assert make_chair in panel_page
    assert client.post(make_chair).status_code == 302

    client.force_login(opened["evaluator2"])
    assert client.post(consensus_b, _consensus_post(challenge)).status_code == 302
    client.force_login(opened["procurer"])
    assert client.get(reverse("evaluation:award", kwargs={"pk": challenge.pk})).context["blockers"] == []
    assert (
        ConsensusScore.objects.filter(proposal=opened["bid_b"], decided_by=opened["evaluator2"]).count() == 2
    )


def _accessible_names(page: str, tag: str, label: str) -> list[str]:
    """The text (visible and visually hidden) of every <tag> whose visible label starts with `label`."""
    import re

    names = []
    for inner in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", page, flags=re.S):
        text = " ".join(re.sub(r"<[^>]+>", " ", inner).split())
        if text.startswith(label):
            names.append(text)
    return names


def test_row_links_have_distinct_accessible_names(client, opened):
    score(opened, "chair", opened["bid_a"], [4, 3])
    client.force_login(opened["chair"])

    page = client.get(reverse("evaluation:scoring", kwargs={"pk": opened["challenge"].pk})).content.decode()

    assert _accessible_names(page, "a", "See the scores") == ["See the scores Companion app"]
    assert _accessible_names(page, "a", "Score ") == ["Score Neighbour network"]


def test_panel_row_controls_have_distinct_accessible_names(client, ev):
    client.force_login(ev["procurer"])

    page = client.get(reverse("evaluation:panel", kwargs={"pk": ev["challenge"].pk})).content.decode()

    make_chair = _accessible_names(page, "button", "Make chair")
    remove = _accessible_names(page, "a", "Remove")
    assert len(make_chair) == 5 and len(set(make_chair)) == 5
    assert len(remove) == 6 and len(set(remove)) == 6
    assert f"Remove {ev['expert'].full_name or ev['expert'].email}" in remove


def test_scoring_list_and_moderation_come_a_page_at_a_time(client, monkeypatch):
    """A panel with more proposals than fit on a page sees them a page at a time, each exactly once, in
    the order of submission; moderation's ranking still ranks every proposal."""
    from challenges.evaluation.views import scoring as scoring_views

    monkeypatch.setattr(scoring_views, "SCORING_PAGE_SIZE", 2)
    monkeypatch.setattr(scoring_views, "MODERATION_PAGE_SIZE", 2)
    ev = _panel_with(3)
    client.force_login(ev["chair"])
    titles = list(ev["challenge"].proposals.order_by("submitted_at", "pk").values_list("title", flat=True))

    def rows_of(name, page):
        url = reverse(name, kwargs={"pk": ev["challenge"].pk})
        response = client.get(url, {"page": page})
        assert response.status_code == 200
        return response, [row[0].title for row in response.context["rows"]] if name.endswith("scoring") else [
            row.proposal.title for row in response.context["rows"]
        ]

    for name in ("evaluation:scoring", "evaluation:moderation"):
        first, on_first = rows_of(name, 1)
        second, on_second = rows_of(name, 2)
        assert on_first == titles[:2] and on_second == titles[2:]
        assert first.context["page_obj"].paginator.num_pages == 2
        assert 'page=2"' in first.content.decode()  # the link to the next page
        _, beyond = rows_of(name, 99)  # past the end: the last page
        assert beyond == titles[2:]
    # The ranking is over every proposal, whatever the page of moderation shown.
    assert len(second.context["ranking"]) == 3
