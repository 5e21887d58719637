"""The "your proposal" panel on the challenge page: start, continue or see your organisation's proposal;
nothing for anyone else."""

import pytest
from django.urls import reverse

from challenges.enums import ChallengeStatus
from suppliers.enums import ProposalStatus
from suppliers.models import Proposal
from tests.factories.accounts import BuyerFactory, MembershipFactory

from .conftest import close_challenge

pytestmark = pytest.mark.django_db

START = "Start a proposal"
CONTINUE = "Continue your proposal"


def page(client, actors, actor) -> str:
    if user := actors[actor]:
        client.force_login(user)
    return client.get(actors["challenge"].get_absolute_url()).content.decode()


@pytest.mark.parametrize("actor", ["anonymous", "procurer", "evaluator", "staff", "superuser"])
def test_panel_is_not_shown_to_those_who_do_not_supply(client, actors, actor):
    html = page(client, actors, actor)

    assert 'id="proposal-panel-title"' not in html


def test_panel_offers_a_supplier_without_a_proposal_to_start_one(client, actors):
    html = page(client, actors, "other_supplier")

    assert START in html
    assert reverse("suppliers:proposal-start", kwargs={"challenge_pk": actors["challenge"].pk}) in html


@pytest.mark.parametrize("actor", ["lead", "lead_admin", "partner"])
def test_panel_shows_the_bidders_the_draft_and_the_way_back(client, actors, actor):
    html = page(client, actors, actor)

    assert CONTINUE in html
    assert reverse("suppliers:proposal-edit", kwargs={"pk": actors["proposal"].pk}) in html
    assert "Draft" in html
    assert START not in html
    assert ("you are a partner" in html) == (actor == "partner")


@pytest.mark.parametrize(
    ("status", "text"), [(ProposalStatus.SUBMITTED, "Submitted"), (ProposalStatus.WITHDRAWN, "Withdrawn")]
)
def test_panel_shows_the_proposals_state(client, actors, status, text):
    Proposal.objects.filter(pk=actors["proposal"].pk).update(status=status, submitted_at="2026-01-01T00:00Z")

    html = page(client, actors, "lead")

    assert text in html
    assert (CONTINUE in html) == (status == ProposalStatus.WITHDRAWN)


def test_panel_after_the_deadline_shows_the_proposal_but_no_start(client, actors):
    close_challenge(actors["challenge"])

    assert START not in page(client, actors, "other_supplier")
    lead_html = page(client, actors, "lead")
    assert CONTINUE not in lead_html
    assert "See your proposal" in lead_html


def test_panel_asks_a_supplier_acting_for_a_buyer_to_switch(client, actors):
    user = actors["other_supplier"]
    buyer = MembershipFactory(user=user, organisation=BuyerFactory(name="AAA kommune")).organisation
    client.force_login(user)
    session = client.session
    session["active_organisation_id"] = buyer.pk
    session.save()

    html = client.get(actors["challenge"].get_absolute_url()).content.decode()

    assert "act for your supplier organisation" in html
    assert START not in html


def test_panel_is_not_shown_on_an_unpublished_challenge(client, actors):
    challenge = actors["challenge"]
    challenge.status = ChallengeStatus.IN_REVIEW
    challenge.save()

    assert 'id="proposal-panel-title"' not in page(client, actors, "lead")


def test_panel_adds_no_query_for_anonymous_users(client, actors, django_assert_num_queries):
    # The challenge page's own queries for an anonymous reader (tests/challenges/test_discovery_views.py:
    # 7 with these factories, which make no amendment, public clarification or citizen idea).
    with django_assert_num_queries(7):
        client.get(actors["challenge"].get_absolute_url())
