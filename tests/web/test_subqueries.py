"""Correlated subqueries shared by the areas (portal/subqueries.py): a count of related rows that is 0, not
NULL, when there are none, and a few related rows' fields, both in the outer query's one query. Run on
SQLite and on PostgreSQL (DATABASE_URL), whose JSON aggregates differ."""

import pytest
from django.db.models import OuterRef, Sum

from challenges.ideas.models import Idea, IdeaSupport
from challenges.models import Challenge
from portal.subqueries import correlated_count, correlated_values
from suppliers.enums import ProposalStatus
from suppliers.models import Proposal
from tests.factories.challenges import PublishedChallengeFactory
from tests.factories.ideas import IdeaSupportFactory, PublishedIdeaFactory
from tests.factories.suppliers import ProposalFactory, SubmittedProposalFactory

pytestmark = pytest.mark.django_db


def _with_support_count():
    return Idea.objects.annotate(
        support_total=correlated_count(IdeaSupport.objects.filter(idea=OuterRef("pk")), by="idea")
    )


def test_correlated_count_is_zero_without_rows():
    idea = PublishedIdeaFactory()

    assert _with_support_count().get(pk=idea.pk).support_total == 0


def test_correlated_count_counts_each_outer_rows_own_rows():
    ideas = PublishedIdeaFactory.create_batch(3)
    for idea, supports in zip(ideas, [2, 0, 5], strict=True):
        IdeaSupportFactory.create_batch(supports, idea=idea)

    counts = dict(_with_support_count().values_list("pk", "support_total"))

    assert counts == {ideas[0].pk: 2, ideas[1].pk: 0, ideas[2].pk: 5}


def test_correlated_count_counts_only_the_rows_left_by_a_filter():
    challenge = PublishedChallengeFactory()
    SubmittedProposalFactory.create_batch(2, challenge=challenge)
    ProposalFactory(challenge=challenge)  # a draft
    proposals = Proposal.objects.filter(challenge=OuterRef("pk"))

    row = Challenge.objects.annotate(
        all=correlated_count(proposals, by="challenge"),
        submitted=correlated_count(proposals.filter(status=ProposalStatus.SUBMITTED), by="challenge"),
    ).get(pk=challenge.pk)

    assert (row.all, row.submitted) == (3, 2)


def test_correlated_count_can_be_summed_over_the_outer_rows():
    ideas = PublishedIdeaFactory.create_batch(2)
    IdeaSupportFactory.create_batch(3, idea=ideas[0])
    IdeaSupportFactory.create_batch(4, idea=ideas[1])
    supports = IdeaSupport.objects.filter(idea=OuterRef("pk"))

    total = Idea.objects.filter(pk__in=[idea.pk for idea in ideas]).aggregate(
        total=Sum(correlated_count(supports, by="idea"))
    )

    assert total == {"total": 7}


@pytest.mark.parametrize("rows", [1, 20])
def test_correlated_count_reads_every_row_in_one_query(django_assert_num_queries, rows):
    for idea in PublishedIdeaFactory.create_batch(rows):
        IdeaSupportFactory.create_batch(2, idea=idea)

    with django_assert_num_queries(1):
        counts = [idea.support_total for idea in _with_support_count()]

    assert counts == [2] * rows


def _with_bids():
    bids = Proposal.objects.filter(challenge=OuterRef("pk"), status=ProposalStatus.SUBMITTED)
    return Challenge.objects.annotate(
        bids=correlated_values(bids, by="challenge", fields=["pk", "title", "supplier__name"])
    )


def test_correlated_values_is_none_without_rows():
    challenge = PublishedChallengeFactory()
    ProposalFactory(challenge=challenge)  # a draft: not one of the rows

    assert _with_bids().get(pk=challenge.pk).bids is None


def test_correlated_values_are_each_rows_fields_of_its_own_outer_row():
    challenge, other = PublishedChallengeFactory.create_batch(2)
    bids = SubmittedProposalFactory.create_batch(2, challenge=challenge)
    SubmittedProposalFactory(challenge=other)

    row = _with_bids().get(pk=challenge.pk)

    assert sorted(row.bids) == [[bid.pk, bid.title, bid.supplier.name] for bid in bids]


@pytest.mark.parametrize("rows", [1, 20])
def test_correlated_values_read_every_row_in_one_query(django_assert_num_queries, rows):
    for challenge in PublishedChallengeFactory.create_batch(rows):
        SubmittedProposalFactory(challenge=challenge)

    with django_assert_num_queries(1):
        listed = [len(challenge.bids) for challenge in _with_bids()]

    assert listed == [1] * rows
