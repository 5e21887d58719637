"""The proof-of-value stage: shortlist from the ranking, record results against the outcome indicators,
decide go / no-go; audited; only the owner's admins; permission grid for every page."""

import pytest
from django.urls import reverse

from challenges.evaluation.enums import TrialDecision
from challenges.evaluation.models import Panel, Trial, TrialResult
from challenges.evaluation.services.trials import (
    MeasuredResult,
    TrialError,
    decide_trial,
    record_trial_results,
    shortlist_for_trial,
)
from portal.audit.models import AuditEvent
from tests.factories.challenges import OutcomeFactory
from tests.factories.evaluation import TrialFactory

from .test_award_fixtures import ACTORS, consensus, scene_fixture  # noqa: F401


@pytest.fixture
def trial_scene(scene):
    Panel.objects.filter(challenge=scene["challenge"]).update(has_trial_stage=True)
    return scene


def test_trial_flow_from_shortlist_to_go(trial_scene):
    scene = trial_scene
    outcome = scene["challenge"].outcomes.get()

    trial = shortlist_for_trial(proposal=scene["bid_b"], by=scene["procurer"])
    record_trial_results(
        trial=trial, by=scene["procurer"], results=[MeasuredResult(outcome.pk, "27 %", "After 3 months.")]
    )
    decide_trial(trial=trial, by=scene["procurer"], decision=TrialDecision.GO, summary="Worked well.")

    trial.refresh_from_db()
    assert (trial.decision, trial.summary, trial.decided_by) == ("go", "Worked well.", scene["procurer"])
    assert list(TrialResult.objects.values_list("measured", "note")) == [("27 %", "After 3 months.")]
    assert list(
        AuditEvent.objects.filter(action__startswith="trial.").order_by("pk").values_list("action", flat=True)
    ) == [
        "trial.shortlisted",
        "trial.results_recorded",
        "trial.decided",
    ]


def test_trial_rules(trial_scene):
    scene = trial_scene
    with pytest.raises(TrialError, match="administrator"):
        shortlist_for_trial(proposal=scene["bid_a"], by=scene["owner_member"])
    with pytest.raises(TrialError, match="Only a submitted proposal"):
        shortlist_for_trial(proposal=scene["draft"], by=scene["procurer"])
    trial = shortlist_for_trial(proposal=scene["bid_a"], by=scene["procurer"])
    with pytest.raises(TrialError, match="already"):
        shortlist_for_trial(proposal=scene["bid_a"], by=scene["procurer"])
    with pytest.raises(TrialError, match="own outcomes"):
        record_trial_results(
            trial=trial, by=scene["procurer"], results=[MeasuredResult(OutcomeFactory().pk, "1")]
        )
    with pytest.raises(TrialError, match="results before deciding"):
        decide_trial(trial=trial, by=scene["procurer"], decision=TrialDecision.GO, summary="x")
    with pytest.raises(TrialError, match="Summarise"):
        decide_trial(trial=trial, by=scene["procurer"], decision=TrialDecision.GO, summary=" ")
    outcome = scene["challenge"].outcomes.get()
    record_trial_results(trial=trial, by=scene["procurer"], results=[MeasuredResult(outcome.pk, "30 %")])
    decide_trial(trial=trial, by=scene["procurer"], decision=TrialDecision.NO_GO, summary="Too slow.")
    with pytest.raises(TrialError, match="can no longer change"):
        record_trial_results(trial=trial, by=scene["procurer"], results=[MeasuredResult(outcome.pk, "1 %")])


def test_no_trials_without_a_trial_stage(scene):
    with pytest.raises(TrialError, match="no proof-of-value stage"):
        shortlist_for_trial(proposal=scene["bid_a"], by=scene["procurer"])


def test_shortlist_waits_for_consensus(trial_scene):
    trial_scene["bid_a"].consensus_scores.first().delete()
    with pytest.raises(TrialError, match="consensus"):
        shortlist_for_trial(proposal=trial_scene["bid_b"], by=trial_scene["procurer"])


def _expected(actor, *, conflicted_bid=False):
    # The admin on the panel declared a conflict with B: its trial is as hidden from them as B is.
    admins = {"procurer"} if conflicted_bid else {"procurer", "admin_evaluator"}
    return 302 if actor == "anonymous" else (200 if actor in admins else 404)


@pytest.mark.parametrize("actor", ACTORS)
def test_trial_pages_access(client, trial_scene, actor):
    scene = trial_scene
    trial = TrialFactory(proposal=scene["bid_b"])
    if scene[actor]:
        client.force_login(scene[actor])
    assert client.get(reverse("evaluation:trial-list", args=[scene["challenge"].pk])).status_code == (
        _expected(actor)
    )
    for url in [
        reverse("evaluation:trial-detail", args=[trial.pk]),
        reverse("evaluation:trial-decide", args=[trial.pk]),
    ]:
        assert client.get(url).status_code == _expected(actor, conflicted_bid=True), url


@pytest.mark.parametrize("actor", ACTORS)
def test_shortlist_post_access(client, trial_scene, actor):
    scene = trial_scene
    if scene[actor]:
        client.force_login(scene[actor])
    response = client.post(
        reverse("evaluation:trial-list", args=[scene["challenge"].pk]), {"proposal": scene["bid_a"].pk}
    )
    assert response.status_code == (302 if actor in {"anonymous", "procurer", "admin_evaluator"} else 404)
    assert Trial.objects.exists() == (actor in {"procurer", "admin_evaluator"})


def test_shortlisting_another_challenges_bid_is_refused_and_audited(client, trial_scene):
    from tests.factories.suppliers import SubmittedProposalFactory

    scene = trial_scene
    elsewhere = SubmittedProposalFactory()
    client.force_login(scene["procurer"])

    url = reverse("evaluation:trial-list", args=[scene["challenge"].pk])
    response = client.post(url, {"proposal": elsewhere.pk}, follow=True)

    assert "not one of this challenge&#x27;s bids" in response.content.decode()
    assert not Trial.objects.exists()
    denied = AuditEvent.objects.get(action="proposal.access_denied")
    assert (denied.actor, denied.target_id) == (scene["procurer"], str(elsewhere.pk))


def test_trial_pages_are_404_without_a_trial_stage(client, scene):
    client.force_login(scene["procurer"])
    assert client.get(reverse("evaluation:trial-list", args=[scene["challenge"].pk])).status_code == 404


def test_trial_pages_flow(client, trial_scene):
    scene = trial_scene
    outcome = scene["challenge"].outcomes.get()
    client.force_login(scene["procurer"])
    list_url = reverse("evaluation:trial-list", args=[scene["challenge"].pk])
    assert "Shortlist for a trial" in client.get(list_url).content.decode()

    client.post(list_url, {"proposal": scene["bid_b"].pk})
    trial = Trial.objects.get()
    detail_url = reverse("evaluation:trial-detail", args=[trial.pk])
    response = client.post(detail_url, {f"measured_{outcome.pk}": "", f"note_{outcome.pk}": "typed note"})
    assert response.status_code == 200
    assert "at least one outcome" in response.content.decode() and "typed note" in response.content.decode()
    assert client.post(detail_url, {f"measured_{outcome.pk}": "26 %"}).status_code == 302
    decide_url = reverse("evaluation:trial-decide", args=[trial.pk])
    response = client.post(decide_url, {"decision": "go", "summary": ""})
    assert response.status_code == 200 and response.context["form"].errors["summary"]
    assert client.post(decide_url, {"decision": "go", "summary": "Met the target."}).status_code == 302

    trial.refresh_from_db()
    assert trial.decision == TrialDecision.GO
    assert client.get(decide_url).status_code == 404  # decided: final
    assert "26 %" in client.get(detail_url).content.decode()


@pytest.mark.parametrize("rows", [1, 4])
def test_trial_list_query_count(client, trial_scene, django_assert_num_queries, rows):
    from tests.factories.suppliers import SubmittedProposalFactory

    for _ in range(rows):
        proposal = SubmittedProposalFactory(challenge=trial_scene["challenge"])
        consensus(proposal, [2, 2])
        TrialFactory(proposal=proposal)
    client.force_login(trial_scene["procurer"])

    # the signed-in page's own; the challenge; the panel; the bids with their trials; the number of bids;
    # criteria and consensus (ranking); the trials with their results
    with django_assert_num_queries(14):
        client.get(reverse("evaluation:trial-list", args=[trial_scene["challenge"].pk]))
