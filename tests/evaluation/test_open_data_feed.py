"""The Atom feed of new challenges and award decisions: it parses, lists what is public, newest first,
and names only the awarded suppliers."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.evaluation.enums import AwardDecision, AwardStatus
from challenges.evaluation.models import Award, AwardedProposal
from tests.factories.accounts import BuyerFactory, SupplierFactory
from tests.factories.challenges import ChallengeFactory, PublishedChallengeFactory
from tests.factories.suppliers import SubmittedProposalFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _award(challenge, *, decision=AwardDecision.AWARD, winner=None, days_ago=0) -> Award:
    decided = timezone.now() - timedelta(days=days_ago)
    challenge.status = (
        ChallengeStatus.AWARDED if decision == AwardDecision.AWARD else ChallengeStatus.NOT_AWARDED
    )
    challenge.submission_deadline = decided - timedelta(days=10)
    challenge.questions_deadline = None
    challenge.save()
    award = Award.objects.create(
        challenge=challenge,
        decision=decision,
        rationale="Reasons for the bidders.",
        decided_at=decided,
        standstill_ends_at=decided + timedelta(days=10),
        status=AwardStatus.STANDSTILL,
    )
    if winner is not None:
        proposal = SubmittedProposalFactory(challenge=challenge, supplier=winner)
        AwardedProposal.objects.create(award=award, proposal=proposal, value=Decimal("125000"))
    return award


def _entries(client) -> list[dict]:
    response = client.get(reverse("open_data:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (the portal's own feed, in a test)
    assert root.tag == f"{ATOM}feed"
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "id": entry.findtext(f"{ATOM}id"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "updated": entry.findtext(f"{ATOM}updated"),
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def test_feed_lists_new_challenges_and_awards_newest_first(client):
    buyer = BuyerFactory(name="City of Bergen")
    older = PublishedChallengeFactory(
        owner=buyer, title="Safer school routes", published_at=timezone.now() - timedelta(days=40)
    )
    newer = PublishedChallengeFactory(owner=buyer, title="Cleaner harbour", published_at=timezone.now())
    winner = SupplierFactory(name="Route Robots AS")
    loser = SupplierFactory(name="Unlucky Bidder AS")
    SubmittedProposalFactory(challenge=older, supplier=loser)
    award = _award(older, winner=winner, days_ago=1)

    entries = _entries(client)

    assert [entry["title"] for entry in entries] == [
        "New challenge: Cleaner harbour",
        "Awarded: Safer school routes",
        "New challenge: Safer school routes",
    ]
    prefix = settings.OCDS_OCID_PREFIX
    package = settings.SITE_URL + reverse("open_data:challenge-releases", kwargs={"pk": older.pk})
    assert entries[1]["id"] == f"{package}#{prefix}-{older.pk}-award-{award.pk}"
    assert entries[2]["id"] == f"{package}#{prefix}-{older.pk}-tender-1"
    assert entries[0]["link"].endswith(newer.get_absolute_url())
    assert "Route Robots AS" in entries[1]["summary"]
    assert "standstill" in entries[1]["summary"]
    assert "Unlucky Bidder AS" not in client.get(reverse("open_data:feed")).content.decode()


def test_feed_shows_a_decision_not_to_award(client):
    challenge = PublishedChallengeFactory(title="Quieter streets")
    _award(challenge, decision=AwardDecision.NO_AWARD)

    titles = [entry["title"] for entry in _entries(client)]

    assert "Not awarded: Quieter streets" in titles


def test_feed_leaves_out_what_is_not_public(client):
    ChallengeFactory(title="A draft nobody may see")
    ChallengeFactory(title="In review", status=ChallengeStatus.IN_REVIEW)
    ChallengeFactory(title="Cancelled unpublished", status=ChallengeStatus.CANCELLED, published_at=None)

    assert _entries(client) == []


def test_feed_is_cacheable(client):
    response = client.get(reverse("open_data:feed"))

    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]


@pytest.mark.parametrize("rows", [1, 5])
def test_feed_query_count(client, django_assert_num_queries, rows):
    for _ in range(rows):
        _award(PublishedChallengeFactory(), winner=SupplierFactory())

    # Challenges; awards; their awarded proposals with supplier; those proposals' partners.
    with django_assert_num_queries(4):
        entries = _entries(client)

    assert len(entries) == rows * 2
