"""The challenge page reads what the other areas' panels need with the challenge itself
(challenge_for_detail and its DETAIL_ROW_EXTENSIONS): each panel's reader must answer the same from those
facts as from its own query, and without a query."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges.casestudies.selectors import case_study_of_challenge
from challenges.enums import ClarificationStatus
from challenges.evaluation.selectors.award import (
    award_notice_for,
    feedback_proposals_for,
    panel_has_trial_stage,
)
from challenges.evaluation.selectors.challenge_page import panel_role_on
from challenges.ideas.selectors import origin_idea_for
from challenges.models import Challenge
from challenges.selectors.discovery import challenge_for_detail
from challenges.selectors.lifecycle import amendments_for_challenge
from challenges.selectors.qa import public_clarifications_for
from portal.accounts.models import User
from suppliers.enums import PartnerPostStatus
from suppliers.models import Proposal
from suppliers.selectors.board import board_summary
from suppliers.selectors.proposals import proposal_of_organisation
from tests.budgets.budget import measure_as
from tests.budgets.test_challenges_pages import awarded_challenge, member_of_each
from tests.factories.accounts import AdminMembershipFactory, MembershipFactory, SupplierFactory
from tests.factories.casestudies import CaseStudyFactory
from tests.factories.challenges import AmendmentFactory, ClarificationFactory, PublishedChallengeFactory
from tests.factories.ideas import IdeaSupportFactory, PublishedIdeaFactory
from tests.factories.suppliers import EvaluatorFactory, PartnerPostFactory

pytestmark = pytest.mark.django_db

READERS = ["anonymous", "bidder", "winner", "both_bidders", "procurer", "chair", "other_supplier"]


def _fresh(user):
    """The user as a new request reads them (no cached roles)."""
    return User.objects.get(pk=user.pk) if user is not None else None


@pytest.fixture
def awarded():
    """An awarded challenge with every panel's data: two bids (the first awarded, both with feedback; the
    second untitled, so named after its lead organisation), a chair on the panel, a citizen idea it started
    from, a case study, an amendment, a public clarification and partner posts (two open, one of them the
    losing bidder's; the winner's closed)."""
    scene = awarded_challenge(bids=2)
    challenge, bids = scene["challenge"], scene["bids"]
    Proposal.objects.filter(pk=bids[1].pk).update(title="")
    # On the panel after the decision: scoring is not what is tested here.
    chair = MembershipFactory(organisation=challenge.owner).user
    EvaluatorFactory(challenge=challenge, user=chair, is_chair=True)
    idea = PublishedIdeaFactory(city=challenge.owner, challenge=challenge)
    IdeaSupportFactory.create_batch(2, idea=idea)
    CaseStudyFactory(owner=challenge.owner, challenge=challenge)
    AmendmentFactory(challenge=challenge)
    ClarificationFactory(challenge=challenge, status=ClarificationStatus.PUBLIC)
    PartnerPostFactory(challenge=challenge, organisation=bids[1].supplier)
    PartnerPostFactory(challenge=challenge, organisation=bids[0].supplier, status=PartnerPostStatus.CLOSED)
    PartnerPostFactory(challenge=challenge)
    return {
        "challenge": Challenge.objects.get(pk=challenge.pk),
        "bid_b": bids[1],
        "both_bidders": member_of_each(bids),
        "anonymous": None,
        "bidder": MembershipFactory(organisation=bids[1].supplier).user,
        "winner": MembershipFactory(organisation=bids[0].supplier).user,
        "procurer": scene["procurer"],
        "chair": chair,
        "other_supplier": MembershipFactory(organisation=SupplierFactory()).user,
    }


@pytest.fixture
def bare():
    """A published challenge with nothing around it, and the same readers (none of them related to it)."""
    challenge = PublishedChallengeFactory()
    supplier = MembershipFactory(organisation=SupplierFactory()).user
    return {
        "challenge": Challenge.objects.get(pk=challenge.pk),
        "anonymous": None,
        "bidder": supplier,
        "winner": supplier,
        "both_bidders": supplier,
        "procurer": AdminMembershipFactory(organisation=challenge.owner).user,
        "chair": MembershipFactory(organisation=challenge.owner).user,
        "other_supplier": supplier,
    }


def _answers(challenge, user) -> dict:
    """What each panel's reader says about the challenge to the user, comparably."""
    user = user or AnonymousUser()
    notice = award_notice_for(challenge=challenge)
    idea = origin_idea_for(challenge=challenge)
    case_study = case_study_of_challenge(challenge=challenge)
    return {
        "notice": notice
        and (
            notice["award"].pk,
            [winner.pk for winner in notice["winners"]],
            notice["number_of_bids"],
            notice["is_final"],
        ),
        "feedback": [
            (proposal.pk, str(proposal))
            for proposal in feedback_proposals_for(challenge=challenge, user=user)
        ],
        "panel_role": panel_role_on(challenge=challenge, user=user),
        "trial_stage": panel_has_trial_stage(challenge=challenge),
        "board": board_summary(challenge=challenge, user=user),
        "case_study": case_study and case_study.pk,
        "idea": idea and (idea.pk, idea.support_count),
        "amendments": [amendment.pk for amendment in amendments_for_challenge(challenge=challenge)],
        "clarifications": [c.pk for c in public_clarifications_for(challenge=challenge)],
        "own_proposals": [
            proposal and proposal.pk
            for proposal in (
                proposal_of_organisation(challenge=challenge, organisation_id=pk)
                for pk in sorted(getattr(user, "supplier_organisation_ids", ()))
            )
        ],
    }


@pytest.mark.parametrize("scene", ["awarded", "bare"])
@pytest.mark.parametrize("reader", READERS)
def test_detail_row_facts_answer_as_the_panels_own_queries(request, scene, reader):
    scene = request.getfixturevalue(scene)
    user = _fresh(scene[reader])

    with_facts = challenge_for_detail(user=user or AnonymousUser(), pk=scene["challenge"].pk)

    assert _answers(with_facts, user) == _answers(Challenge.objects.get(pk=scene["challenge"].pk), user)


def test_detail_row_facts_are_what_the_scene_holds(awarded):
    """The comparison above compares something: the awarded scene shows every panel to the right reader."""
    bidder = _fresh(awarded["bidder"])
    answers = _answers(challenge_for_detail(user=bidder, pk=awarded["challenge"].pk), bidder)

    assert answers["notice"][2] == 2 and len(answers["notice"][1]) == 1
    assert len(answers["feedback"]) == 1
    assert answers["board"] == {"open_count": 2, "own_count": 1}
    assert answers["case_study"] is not None
    assert answers["idea"][1] == 2
    assert len(answers["amendments"]) == 1 and len(answers["clarifications"]) == 1
    assert answers["own_proposals"] == [awarded["bid_b"].pk]
    both = _fresh(awarded["both_bidders"])
    assert (
        len(
            feedback_proposals_for(
                challenge=challenge_for_detail(user=both, pk=awarded["challenge"].pk), user=both
            )
        )
        == 2
    )
    chair = _fresh(awarded["chair"])
    assert panel_role_on(
        challenge=challenge_for_detail(user=chair, pk=awarded["challenge"].pk), user=chair
    ) == {"is_chair": True}


@pytest.mark.parametrize("reader", ["bidder", "both_bidders", "procurer"])
def test_detail_row_facts_spare_the_panels_queries(awarded, reader):
    """Read with the challenge, only the award's winners are left to query, however many of the reader's
    organisations bid."""
    user = _fresh(awarded[reader])
    challenge = challenge_for_detail(user=user, pk=awarded["challenge"].pk)

    with CaptureQueriesContext(connection) as queries:
        panel_role_on(challenge=challenge, user=user)
        panel_has_trial_stage(challenge=challenge)
        board_summary(challenge=challenge, user=user)
        case_study_of_challenge(challenge=challenge)
        origin_idea_for(challenge=challenge)
        feedback_proposals_for(challenge=challenge, user=user)
        award_notice_for(challenge=challenge)  # its winners: one query

    assert len(queries) == 1


def test_detail_row_facts_spare_the_queries_of_empty_panels(bare):
    user = _fresh(bare["other_supplier"])
    challenge = challenge_for_detail(user=user, pk=bare["challenge"].pk)
    (organisation_id,) = user.supplier_organisation_ids

    with CaptureQueriesContext(connection) as queries:
        assert origin_idea_for(challenge=challenge) is None
        assert amendments_for_challenge(challenge=challenge) == []
        assert list(public_clarifications_for(challenge=challenge)) == []
        assert proposal_of_organisation(challenge=challenge, organisation_id=organisation_id) is None

    assert len(queries) == 0


def test_award_notice_shows_a_member_of_two_bidders_the_way_to_each_feedback(client, awarded):
    """The notice names each of their bids (the row's facts carry their titles and lead organisations'
    names, for an untitled one) and links to its feedback."""
    client.force_login(awarded["both_bidders"])

    page = client.get(awarded["challenge"].get_absolute_url()).content.decode()

    for bid in Proposal.objects.filter(challenge=awarded["challenge"]):
        link = reverse("evaluation:award-feedback", args=[bid.pk])
        assert f'href="{link}">Your feedback on the award <span class="small">({bid})</span>' in page


def test_challenge_page_keeps_its_budget_for_a_member_of_two_bidders(
    client, awarded, django_assert_max_num_queries
):
    """Every panel shown, to a member of two organisations whose bids both have feedback: once 16 queries,
    one more than a member of one of them (the second bid's feedback was read by a query of its own)."""
    url = awarded["challenge"].get_absolute_url()

    both = measure_as(client, url, awarded["both_bidders"], django_assert_max_num_queries)
    one = measure_as(client, url, awarded["bidder"], django_assert_max_num_queries)

    assert both == one
