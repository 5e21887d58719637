"""Query budgets of the evaluation and open-data pages: every GET page renders with the same number of
queries with 1 and with 50 rows (bids, panel members, criteria, trials, awarded challenges ...), and at
most 15. Each scene is built twice (1 and 50 rows) and every page of that scene is measured on both, after
a first request that fills the per-process caches (content types, the coach's rules ...)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges.evaluation.enums import AwardDecision, TrialDecision
from challenges.evaluation.models import ConflictDeclaration, ConsensusScore, Evaluator, Score, ScoreSheet
from challenges.evaluation.selectors.panel import undeclared_organisations
from challenges.evaluation.services.award import AwardedBid, decide_award
from challenges.evaluation.services.panel import declare_conflicts, open_evaluation, token_digest
from challenges.models import Criterion
from suppliers.models import ConsortiumPartner
from tests.budgets.budget import counts_by_rows
from tests.evaluation.conftest import close, evaluator_of, score
from tests.factories.accounts import AdminMembershipFactory, MembershipFactory, UserFactory
from tests.factories.challenges import (
    AmendmentFactory,
    ChallengeDocumentFactory,
    CriterionFactory,
    OutcomeFactory,
    PublishedChallengeFactory,
)
from tests.factories.evaluation import AwardedProposalFactory, PanelFactory, TrialFactory, TrialResultFactory
from tests.factories.suppliers import AcceptedPartnerFactory, EvaluatorFactory, SubmittedProposalFactory

pytestmark = pytest.mark.django_db

ROWS = (1, 50)

PAGES = {
    "evaluation:panel",
    "evaluation:evaluator-remove",
    "evaluation:evaluator-invitation",
    "evaluation:declarations",
    "evaluation:scoring",
    "evaluation:sheet",
    "evaluation:sheet-reopen",
    "evaluation:moderation",
    "evaluation:consensus",
    "evaluation:report",
    "evaluation:trial-list",
    "evaluation:trial-detail",
    "evaluation:trial-decide",
    "evaluation:award",
    "evaluation:award-feedback",
    "evaluation:criteria-amend",
    "open_data:index",
    "open_data:releases",
    "open_data:challenge-releases",
    "open_data:feed",
}

POST_ONLY = {
    "evaluation:panel-settings",
    "evaluation:panel-appoint",
    "evaluation:panel-invite",
    "evaluation:panel-open",
    "evaluation:evaluator-chair",
}


# --- scenes ---------------------------------------------------------------------------------------------


def _challenge(*, bids: int, criteria: int = 2, evaluators: int = 0, trial_stage: bool = False) -> dict:
    """A closed challenge with `bids` submitted bids (each with an accepted consortium partner),
    `criteria` criteria, a panel of a chair, a second evaluator and `evaluators` more members of the
    buyer, the procurer (an admin of the buyer) and the evaluation opened."""
    challenge = PublishedChallengeFactory(scoring_scale=5, with_outcome_and_criteria=criteria == 2)
    if criteria != 2:
        OutcomeFactory(challenge=challenge)
        for position in range(criteria):
            CriterionFactory(challenge=challenge, weight=100 // criteria, position=position)
        Criterion.objects.filter(challenge=challenge, position=0).update(
            weight=100 - (100 // criteria) * (criteria - 1)
        )
    PanelFactory(challenge=challenge, has_trial_stage=trial_stage)
    proposals = SubmittedProposalFactory.create_batch(bids, challenge=challenge)
    for proposal in proposals:
        AcceptedPartnerFactory(proposal=proposal)
    close(challenge)
    procurer = AdminMembershipFactory(organisation=challenge.owner).user
    chair = MembershipFactory(organisation=challenge.owner).user
    other = MembershipFactory(organisation=challenge.owner).user
    EvaluatorFactory(challenge=challenge, user=chair, is_chair=True)
    EvaluatorFactory(challenge=challenge, user=other)
    for _ in range(evaluators):
        EvaluatorFactory(challenge=challenge, user=MembershipFactory(organisation=challenge.owner).user)
    open_evaluation(challenge=challenge, by=procurer)
    challenge.refresh_from_db()
    return {"challenge": challenge, "bids": proposals, "procurer": procurer, "chair": chair, "other": other}


def _declare_and_score(scene: dict, actors=("chair", "other")) -> None:
    for actor in actors:
        evaluator = evaluator_of(scene, actor)
        declare_conflicts(
            evaluator=evaluator,
            by=scene[actor],
            answers={o.pk: (False, "") for o in undeclared_organisations(evaluator=evaluator)},
        )
        criteria = len(scene["challenge"].criteria.all())
        for bid in scene["bids"]:
            score(scene, actor, bid, [3] * criteria)


def _declare_and_score_quickly(scene: dict, actors=("chair", "other")) -> None:
    """As _declare_and_score, written straight to the database (no audit trail, no notifications)."""
    organisations = {bid.supplier_id for bid in scene["bids"]} | set(
        ConsortiumPartner.objects.filter(proposal__in=scene["bids"]).values_list("organisation_id", flat=True)
    )
    criteria = list(scene["challenge"].criteria.all())
    now = timezone.now()
    for actor in actors:
        evaluator = evaluator_of(scene, actor)
        ConflictDeclaration.objects.bulk_create(
            ConflictDeclaration(evaluator=evaluator, organisation_id=pk, has_conflict=False)
            for pk in organisations
        )
        sheets = ScoreSheet.objects.bulk_create(
            ScoreSheet(evaluator=evaluator, proposal=bid, submitted_at=now) for bid in scene["bids"]
        )
        Score.objects.bulk_create(
            Score(sheet=sheet, criterion=criterion, value=3, justification="Reasoned.")
            for sheet in sheets
            for criterion in criteria
        )


def _consensus(scene: dict) -> None:
    criteria = list(scene["challenge"].criteria.all())
    ConsensusScore.objects.bulk_create(
        ConsensusScore(proposal=bid, criterion=criterion, value=3, rationale="Agreed.")
        for bid in scene["bids"]
        for criterion in criteria
    )


def _scored(rows: int) -> dict:
    scene = _challenge(bids=rows)
    _declare_and_score(scene)
    return scene


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


def scene_panel(rows):
    """The panel page and removing a member: `rows` bids and `rows` more panel members."""
    scene = _challenge(bids=rows, evaluators=rows)
    challenge = scene["challenge"]
    member = Evaluator.objects.filter(challenge=challenge, is_chair=False).first()
    procurer = scene["procurer"]
    return [
        ("evaluation:panel", _url("evaluation:panel", challenge.pk), procurer),
        ("evaluation:evaluator-remove", _url("evaluation:evaluator-remove", member.pk), procurer),
    ]


def scene_invitation(rows):
    """An invited expert's link, signed out and signed in with the invited address: `rows` panel members."""
    scene = _challenge(bids=rows, evaluators=rows)
    token = "expert-invitation-token"
    EvaluatorFactory(
        challenge=scene["challenge"],
        user=None,
        email="expert@university.example",
        is_external=True,
        appointed_by=scene["procurer"],
        token_digest=token_digest(token),
    )
    url = _url("evaluation:evaluator-invitation", token)
    return [
        ("evaluation:evaluator-invitation", url, None),
        ("evaluation:evaluator-invitation", url, UserFactory(email=f"expert{rows}@university.example")),
    ]


def scene_declarations(rows):
    """An evaluator with `rows` bidders (and their partners) to declare, and one who declared them all."""
    scene = _challenge(bids=rows)
    _declare_and_score_quickly(scene, actors=("other",))
    url = _url("evaluation:declarations", scene["challenge"].pk)
    return [
        ("evaluation:declarations", url, scene["chair"]),
        ("evaluation:declarations", url, scene["other"]),
    ]


def scene_scoring(rows):
    """Every sheet submitted by the chair and the second evaluator on `rows` bids."""
    scene = _scored(rows)
    challenge, chair = scene["challenge"], scene["chair"]
    sheet = ScoreSheet.objects.filter(evaluator__user=scene["other"], proposal=scene["bids"][0]).get()
    return [
        ("evaluation:scoring", _url("evaluation:scoring", challenge.pk), chair),
        ("evaluation:scoring", _url("evaluation:scoring", challenge.pk), scene["other"]),
        ("evaluation:sheet", _url("evaluation:sheet", scene["bids"][0].pk), chair),
        ("evaluation:sheet-reopen", _url("evaluation:sheet-reopen", sheet.pk), chair),
        ("evaluation:moderation", _url("evaluation:moderation", challenge.pk), chair),
        ("evaluation:consensus", _url("evaluation:consensus", scene["bids"][0].pk), chair),
        ("evaluation:report", _url("evaluation:report", challenge.pk), chair),
        ("evaluation:report", _url("evaluation:report", challenge.pk), scene["procurer"]),
    ]


def scene_criteria(rows):
    """One bid and `rows` criteria, every sheet submitted: the sheet and the consensus form."""
    scene = _challenge(bids=1, criteria=rows)
    _declare_and_score_quickly(scene)
    bid = scene["bids"][0]
    own_draft = _challenge(bids=1, criteria=rows)  # declared, the sheet not written yet
    _declare_and_score_quickly(own_draft)
    ScoreSheet.objects.filter(proposal=own_draft["bids"][0]).update(submitted_at=None)
    return [
        ("evaluation:sheet", _url("evaluation:sheet", bid.pk), scene["chair"]),
        ("evaluation:consensus", _url("evaluation:consensus", bid.pk), scene["chair"]),
        ("evaluation:moderation", _url("evaluation:moderation", scene["challenge"].pk), scene["chair"]),
        ("evaluation:sheet", _url("evaluation:sheet", own_draft["bids"][0].pk), own_draft["chair"]),
    ]


def scene_trials(rows):
    """Consensus on `rows` bids, each shortlisted for a trial with a result per outcome (`rows` outcomes)."""
    scene = _challenge(bids=rows, trial_stage=True)
    _declare_and_score_quickly(scene)
    _consensus(scene)
    challenge = scene["challenge"]
    outcomes = [challenge.outcomes.get(), *OutcomeFactory.create_batch(rows - 1, challenge=challenge)]
    trials = [TrialFactory(proposal=bid, shortlisted_by=scene["procurer"]) for bid in scene["bids"]]
    for outcome in outcomes:
        TrialResultFactory(trial=trials[0], outcome=outcome)
    procurer = scene["procurer"]
    return [
        ("evaluation:trial-list", _url("evaluation:trial-list", challenge.pk), procurer),
        ("evaluation:trial-detail", _url("evaluation:trial-detail", trials[0].pk), procurer),
        ("evaluation:trial-decide", _url("evaluation:trial-decide", trials[0].pk), procurer),
        ("evaluation:award", _url("evaluation:award", challenge.pk), procurer),
        ("evaluation:report", _url("evaluation:report", challenge.pk), procurer),
    ]


def _decided(rows):
    scene = _challenge(bids=rows, trial_stage=True)
    _declare_and_score_quickly(scene)
    _consensus(scene)
    TrialFactory(proposal=scene["bids"][0], shortlisted_by=scene["procurer"], decision=TrialDecision.GO)
    challenge = scene["challenge"]
    AmendmentFactory.create_batch(rows, challenge=challenge)
    ChallengeDocumentFactory.create_batch(rows, challenge=challenge)
    decide_award(
        challenge=challenge,
        by=scene["procurer"],
        decision=AwardDecision.AWARD,
        rationale="The best balance.",
        public_summary="The winner reaches the most residents.",
        standstill_days=10,
        awarded=[AwardedBid(proposal_id=scene["bids"][0].pk, value=Decimal("1000"))],
        notes={bid.pk: "Thank you." for bid in scene["bids"]},
    )
    challenge.refresh_from_db()
    return scene


def scene_decided(rows):
    """The award decided on `rows` bids (the first, whose trial was a go, awarded; feedback for all): the
    award page, a bidder's feedback, the report and the challenge's open data."""
    scene = _decided(rows)
    challenge, procurer = scene["challenge"], scene["procurer"]
    bid = scene["bids"][0]
    bidder = MembershipFactory(organisation=bid.supplier).user
    return [
        ("evaluation:award", _url("evaluation:award", challenge.pk), procurer),
        ("evaluation:award-feedback", _url("evaluation:award-feedback", bid.pk), bidder),
        ("evaluation:report", _url("evaluation:report", challenge.pk), procurer),
        ("evaluation:report", _url("evaluation:report", challenge.pk), scene["chair"]),
        ("evaluation:trial-list", _url("evaluation:trial-list", challenge.pk), procurer),
        ("open_data:challenge-releases", _url("open_data:challenge-releases", challenge.pk), None),
    ]


def scene_open_data(rows):
    """`rows` awarded challenges (with a consortium partner, an amendment and a document) and `rows` open."""
    for _ in range(rows):
        awarded = AwardedProposalFactory()
        AcceptedPartnerFactory(proposal=awarded.proposal)
        AmendmentFactory(challenge=awarded.award.challenge)
        ChallengeDocumentFactory(challenge=awarded.award.challenge)
    PublishedChallengeFactory.create_batch(rows)
    return [
        ("open_data:index", _url("open_data:index"), None),
        ("open_data:releases", _url("open_data:releases"), None),
        ("open_data:feed", _url("open_data:feed"), None),
    ]


def scene_criteria_amend(rows):
    """A published challenge with `rows` criteria and `rows` proposals: the criteria amendment form."""
    challenge = PublishedChallengeFactory(with_outcome_and_criteria=False)
    OutcomeFactory(challenge=challenge)
    for position in range(rows):
        CriterionFactory(challenge=challenge, weight=2 if rows > 1 else 100, position=position)
    SubmittedProposalFactory.create_batch(rows, challenge=challenge)
    procurer = AdminMembershipFactory(organisation=challenge.owner).user
    return [("evaluation:criteria-amend", _url("evaluation:criteria-amend", challenge.pk), procurer)]


SCENES = {
    "panel": scene_panel,
    "invitation": scene_invitation,
    "declarations": scene_declarations,
    "scoring": scene_scoring,
    "criteria": scene_criteria,
    "trials": scene_trials,
    "decided": scene_decided,
    "open_data": scene_open_data,
    "criteria_amend": scene_criteria_amend,
}


# --- the measurement ------------------------------------------------------------------------------------


@pytest.mark.parametrize("scene", sorted(SCENES))
def test_query_budget(client, django_assert_max_num_queries, scene):
    counts = counts_by_rows(client, django_assert_max_num_queries, SCENES[scene], ROWS)
    assert counts[ROWS[0]] == counts[ROWS[1]], counts


def test_every_page_has_a_scene():
    """Each URL name in PAGES is measured by some scene (checked without building them: by name)."""
    import inspect

    source = "".join(inspect.getsource(builder) for builder in SCENES.values())
    assert {name for name in PAGES if f'"{name}"' not in source} == set()
