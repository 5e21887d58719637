"""Query budgets of the challenge pages: every GET page renders with the same number of queries with 1 and
with 50 rows (challenges, outcomes, criteria, documents, amendments, questions, follows, bids, rules ...),
and at most 15. Each scene is built twice (1 and 50 rows) and every page of that scene is measured on both,
after a first request that fills the per-process caches (content types, the coach's rules ...)."""

import importlib
import itertools
from datetime import timedelta
from decimal import Decimal

import factory
import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from challenges.enums import ChallengeStatus, ClarificationStatus
from challenges.evaluation.enums import AwardDecision
from challenges.evaluation.services.award import AwardedBid, decide_award
from challenges.models import CPVCode
from tests.budgets.budget import counts_by_rows
from tests.evaluation.test_award_fixtures import consensus
from tests.factories.accounts import (
    AdminMembershipFactory,
    BuyerFactory,
    MembershipFactory,
    SupplierFactory,
    TOTPAuthenticatorFactory,
)
from tests.factories.casestudies import PublishedCaseStudyFactory
from tests.factories.challenges import (
    AmendmentFactory,
    ChallengeDocumentFactory,
    ChallengeFactory,
    ClarificationFactory,
    CoachRuleFactory,
    CriterionFactory,
    FollowFactory,
    OutcomeFactory,
    PublishedChallengeFactory,
    SavedSearchFactory,
    ThemeFactory,
)
from tests.factories.evaluation import PanelFactory
from tests.factories.ideas import IdeaSupportFactory, PublishedIdeaFactory
from tests.factories.suppliers import (
    AcceptedPartnerFactory,
    EvaluatorFactory,
    ProposalFactory,
    SubmittedProposalFactory,
)

pytestmark = pytest.mark.django_db

ROWS = (1, 50)
STARTING_RULES = importlib.import_module("challenges.migrations.0003_coach_rules")

PAGES = {
    "challenges:challenge-list",
    "challenges:challenge-detail",
    "challenges:challenge-create",
    "challenges:organisation-challenges",
    "challenges:challenge-edit",
    "challenges:challenge-preview",
    "challenges:document-download",
    "challenges:cpv-search",
    "challenges:coach-try",
    "challenges:coach-rule-list",
    "challenges:coach-rule-create",
    "challenges:coach-rule-update",
    "challenges:follow-list",
    "challenges:saved-search-list",
    "challenges:saved-search-delete",
    "challenges:challenge-submit",
    "challenges:challenge-review",
    "challenges:challenge-amend",
    "challenges:challenge-amend-document",
    "challenges:challenge-deadline",
    "challenges:challenge-cancel",
    "challenges:my-questions",
    "challenges:question-list",
    "challenges:question-ask",
    "challenges:question-answer",
}

POST_ONLY = {
    "challenges:document-delete",
    "challenges:coach-check",
    "challenges:coach-rule-deactivate",
    "challenges:coach-rule-activate",
    "challenges:challenge-follow",
    "challenges:challenge-unfollow",
    "challenges:organisation-follow",
    "challenges:organisation-unfollow",
    "challenges:saved-search-create",
}

STEPS = ["problem", "outcomes", "constraints", "practicalities", "criteria", "documents", "review"]


def _url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args, kwargs=kwargs or None)


_CPV_NUMBERS = itertools.count()


def _statement(challenge, rows: int) -> None:
    """`rows` outcomes, criteria, documents, themes and CPV codes on the challenge (besides the factory's)."""
    OutcomeFactory.create_batch(rows, challenge=challenge)
    CriterionFactory.create_batch(rows, challenge=challenge, weight=1)
    ChallengeDocumentFactory.create_batch(rows, challenge=challenge)
    challenge.themes.add(*ThemeFactory.create_batch(rows))
    challenge.cpv_codes.add(
        *CPVCode.objects.bulk_create(
            CPVCode(code=f"{99500000 + next(_CPV_NUMBERS):08d}", label="Test service") for _ in range(rows)
        )
    )


# --- scenes ---------------------------------------------------------------------------------------------


def scene_public(rows):
    """`rows` published challenges; one with `rows` of everything its page shows, the citizen idea it
    started from with `rows` supporters, and `rows` case studies on its themes: read by anyone."""
    PublishedChallengeFactory.create_batch(rows)
    challenge = PublishedChallengeFactory()
    _statement(challenge, rows)
    AmendmentFactory.create_batch(rows, challenge=challenge)
    ClarificationFactory.create_batch(rows, challenge=challenge, status=ClarificationStatus.PUBLIC)
    idea = PublishedIdeaFactory(city=challenge.owner, challenge=challenge)
    IdeaSupportFactory.create_batch(rows, idea=idea)
    theme = challenge.themes.first()
    for case_study in PublishedCaseStudyFactory.create_batch(rows):
        case_study.themes.add(theme)
    document = challenge.documents.first()
    return [
        ("challenges:challenge-list", _url("challenges:challenge-list"), None),
        ("challenges:challenge-list", _url("challenges:challenge-list") + "?q=loneliness", None),
        ("challenges:challenge-detail", _url("challenges:challenge-detail", challenge.pk), None),
        ("challenges:document-download", _url("challenges:document-download", document.pk), None),
        ("challenges:cpv-search", _url("challenges:cpv-search") + "?q=Test service", None),
    ]


def scene_supplier(rows):
    """A supplier following `rows` challenges and buyers, with `rows` saved searches and `rows` questions,
    a proposal and a consortium invitation on an open challenge that has `rows` other bids and posts on the
    partner board."""
    supplier = SupplierFactory()
    user = MembershipFactory(organisation=supplier).user
    challenge = PublishedChallengeFactory()
    _statement(challenge, rows)
    ProposalFactory(challenge=challenge, supplier=supplier)
    SubmittedProposalFactory.create_batch(rows, challenge=challenge)
    for _ in range(rows):
        FollowFactory(user=user)
        FollowFactory(user=user, challenge=None, organisation=BuyerFactory())
    FollowFactory(user=user, challenge=challenge)
    searches = SavedSearchFactory.create_batch(rows, user=user)
    ClarificationFactory.create_batch(
        rows,
        challenge=challenge,
        asked_by=user,
        asked_by_organisation=supplier,
        status=ClarificationStatus.PRIVATE,
    )
    ClarificationFactory.create_batch(rows, asked_by=user, asked_by_organisation=supplier)
    return [
        ("challenges:challenge-list", _url("challenges:challenge-list"), user),
        ("challenges:challenge-detail", _url("challenges:challenge-detail", challenge.pk), user),
        ("challenges:follow-list", _url("challenges:follow-list"), user),
        ("challenges:saved-search-list", _url("challenges:saved-search-list"), user),
        ("challenges:saved-search-delete", _url("challenges:saved-search-delete", searches[0].pk), user),
        ("challenges:my-questions", _url("challenges:my-questions"), user),
        ("challenges:question-ask", _url("challenges:question-ask", challenge.pk), user),
    ]


def scene_owner(rows):
    """The procurer (an admin of the buyer) of an open challenge with `rows` of everything, `rows` bids,
    `rows` questions, `rows` panel members and `rows` other challenges of the buyer."""
    buyer = BuyerFactory()
    procurer = AdminMembershipFactory(organisation=buyer).user
    ChallengeFactory.create_batch(rows, owner=buyer)
    challenge = PublishedChallengeFactory(owner=buyer)
    _statement(challenge, rows)
    AmendmentFactory.create_batch(rows, challenge=challenge)
    SubmittedProposalFactory.create_batch(rows, challenge=challenge)
    questions = ClarificationFactory.create_batch(rows, challenge=challenge)
    ClarificationFactory.create_batch(rows, challenge=challenge, status=ClarificationStatus.PUBLIC)
    PanelFactory(challenge=challenge)
    for _ in range(rows):
        EvaluatorFactory(challenge=challenge, user=MembershipFactory(organisation=buyer).user)
    return [
        ("challenges:challenge-detail", _url("challenges:challenge-detail", challenge.pk), procurer),
        ("challenges:organisation-challenges", _url("challenges:organisation-challenges"), procurer),
        ("challenges:question-list", _url("challenges:question-list", challenge.pk), procurer),
        (
            "challenges:question-answer",
            _url("challenges:question-answer", challenge.pk, questions[0].pk),
            procurer,
        ),
        ("challenges:challenge-amend", _url("challenges:challenge-amend", challenge.pk), procurer),
        (
            "challenges:challenge-amend-document",
            _url("challenges:challenge-amend-document", challenge.pk),
            procurer,
        ),
        ("challenges:challenge-deadline", _url("challenges:challenge-deadline", challenge.pk), procurer),
        ("challenges:challenge-cancel", _url("challenges:challenge-cancel", challenge.pk), procurer),
    ]


def scene_panel_member(rows):
    """An evaluator of a closed challenge with `rows` bids: its page shows the way to the evaluation."""
    challenge = PublishedChallengeFactory()
    SubmittedProposalFactory.create_batch(rows, challenge=challenge)
    challenge.status = ChallengeStatus.CLOSED
    challenge.submission_deadline = timezone.now() - timedelta(minutes=5)
    challenge.questions_deadline = challenge.submission_deadline - timedelta(days=1)
    challenge.save()
    PanelFactory(challenge=challenge)
    chair = MembershipFactory(organisation=challenge.owner).user
    EvaluatorFactory(challenge=challenge, user=chair, is_chair=True)
    for _ in range(rows):
        EvaluatorFactory(challenge=challenge, user=MembershipFactory(organisation=challenge.owner).user)
    url = _url("challenges:challenge-detail", challenge.pk)
    return [("challenges:challenge-detail", url, chair)]


def awarded_challenge(*, bids: int, winners: int = 1) -> dict:
    """A challenge awarded through the service: `bids` submitted bids (each with an accepted partner and the
    panel's consensus), the first `winners` of them awarded, feedback for every bid. Returns the challenge,
    its bids and the procurer who decided. The awarded scenes of the budgets and of the challenge page's
    row facts (tests/challenges/test_detail_row_facts.py) start from it."""
    challenge = ChallengeFactory(
        status=ChallengeStatus.UNDER_EVALUATION,
        questions_deadline=timezone.now() - timedelta(days=3),
        submission_deadline=timezone.now() - timedelta(days=2),
        closed_at=timezone.now() - timedelta(days=2),
    )
    PanelFactory(challenge=challenge)
    proposals = SubmittedProposalFactory.create_batch(bids, challenge=challenge)
    for bid in proposals:
        AcceptedPartnerFactory(proposal=bid)
        consensus(bid, [3, 3])
    procurer = AdminMembershipFactory(organisation=challenge.owner).user
    decide_award(
        challenge=challenge,
        by=procurer,
        decision=AwardDecision.AWARD,
        rationale="The best balance.",
        public_summary="The winner reaches the most residents.",
        standstill_days=10,
        awarded=[AwardedBid(proposal_id=bid.pk, value=Decimal("1000")) for bid in proposals[:winners]],
        notes={bid.pk: "Thank you." for bid in proposals},
    )
    return {"challenge": challenge, "bids": proposals, "procurer": procurer}


def scene_awarded(rows):
    """An awarded challenge with `rows` + 1 bids (each with a partner) and their feedback, `rows` of them
    awarded: the public notice, a bidder with feedback beside it, and a member of the `rows` winning
    organisations, to whom the notice shows the way to each of their bids' feedback (once read with a query
    of its own for two or more: 16 queries)."""
    scene = awarded_challenge(bids=rows + 1, winners=rows)
    bidder = MembershipFactory(organisation=scene["bids"][-1].supplier).user
    url = _url("challenges:challenge-detail", scene["challenge"].pk)
    return [
        ("challenges:challenge-detail", url, None),
        ("challenges:challenge-detail", url, bidder),
        ("challenges:challenge-detail", url, scene["procurer"]),
        ("challenges:challenge-detail", url, member_of_each(scene["bids"][:rows])),
    ]


def member_of_each(bids):
    """A user in the lead organisation of each of the bids."""
    user = MembershipFactory(organisation=bids[0].supplier).user
    for bid in bids[1:]:
        MembershipFactory(user=user, organisation=bid.supplier)
    return user


def scene_draft(rows):
    """A member of the buyer writing a draft with `rows` outcomes, criteria, documents, themes and CPV
    codes, in a buyer with `rows` other drafts: every step of the editor, the preview, submitting it and
    downloading a document."""
    buyer = BuyerFactory()
    member = MembershipFactory(organisation=buyer).user
    ChallengeFactory.create_batch(rows, owner=buyer)
    challenge = ChallengeFactory(owner=buyer, created_by=member)
    _statement(challenge, rows)
    theme = challenge.themes.first()
    for case_study in PublishedCaseStudyFactory.create_batch(rows):
        case_study.themes.add(theme)
    document = challenge.documents.first()
    return [
        ("challenges:challenge-create", _url("challenges:challenge-create"), member),
        *[
            (
                "challenges:challenge-edit",
                _url("challenges:challenge-edit", pk=challenge.pk, step=step),
                member,
            )
            for step in STEPS
        ],
        ("challenges:challenge-preview", _url("challenges:challenge-preview", challenge.pk), member),
        ("challenges:challenge-submit", _url("challenges:challenge-submit", challenge.pk), member),
        ("challenges:document-download", _url("challenges:document-download", document.pk), member),
    ]


def scene_review(rows):
    """Programme staff reviewing a challenge with `rows` of everything; the buyer's other member too."""
    challenge = ChallengeFactory(status=ChallengeStatus.IN_REVIEW)
    _statement(challenge, rows)
    staff = TOTPAuthenticatorFactory().user
    colleague = MembershipFactory(organisation=challenge.owner).user
    url = _url("challenges:challenge-review", challenge.pk)
    return [
        ("challenges:challenge-review", url, staff),
        ("challenges:challenge-review", url, colleague),
        ("challenges:challenge-detail", _url("challenges:challenge-detail", challenge.pk), staff),
    ]


def scene_coach(rows):
    """Programme staff managing `rows` more coach rules (besides the starting ones)."""
    STARTING_RULES.load(django_apps, None)
    rules = CoachRuleFactory.create_batch(
        rows, phrase=factory.Sequence(lambda n: f"thingummy{n}"), language="nb"
    )
    staff = TOTPAuthenticatorFactory().user
    return [
        ("challenges:coach-rule-list", _url("challenges:coach-rule-list"), staff),
        ("challenges:coach-rule-list", _url("challenges:coach-rule-list") + "?q=thingummy", staff),
        ("challenges:coach-rule-create", _url("challenges:coach-rule-create"), staff),
        ("challenges:coach-rule-update", _url("challenges:coach-rule-update", rules[0].pk), staff),
        ("challenges:coach-try", _url("challenges:coach-try"), staff),
    ]


SCENES = {
    "public": scene_public,
    "supplier": scene_supplier,
    "owner": scene_owner,
    "panel_member": scene_panel_member,
    "awarded": scene_awarded,
    "draft": scene_draft,
    "review": scene_review,
    "coach": scene_coach,
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
