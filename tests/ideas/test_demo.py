"""The ideas demo: residents, ideas in every status for the demo cities, supports, a merge and one idea
turned into a challenge; loading twice changes nothing."""

import pytest

from challenges.ideas.demo import load_ideas_demo
from challenges.ideas.enums import IdeaStatus
from challenges.ideas.models import Idea, IdeaSupport
from portal.accounts.enums import MembershipRole, OrganisationKind
from portal.web.demo import BUYERS, _member, _organisation, _user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_cities():
    """What load_demo makes that the ideas need: the cities with their procurers and colleagues (the rest
    of load_demo, the exchanges and their reports, is tested with it in tests/web)."""
    for city, country, region, name in BUYERS:
        organisation = _organisation(
            name, kind=OrganisationKind.BUYER, country=country, region=region, city=city
        )
        for role in ("procurer", "colleague"):
            user = _user(f"{role}@{city.lower()}.example.org", f"{role} in {city}")
            _member(user, organisation, MembershipRole.ADMIN if role == "procurer" else MembershipRole.MEMBER)


def test_load_ideas_demo_covers_every_status_and_is_idempotent(demo_cities):

    made = load_ideas_demo()

    assert made == Idea.objects.count() > 0
    assert set(Idea.objects.values_list("status", flat=True)) == set(IdeaStatus.values)
    assert Idea.objects.filter(challenge__isnull=False).count() == 1
    merged = Idea.objects.get(status=IdeaStatus.MERGED)
    assert merged.merged_into.status == IdeaStatus.PUBLISHED
    assert IdeaSupport.objects.count() > 0
    counts = (Idea.objects.count(), IdeaSupport.objects.count())

    assert load_ideas_demo() == 0
    assert (Idea.objects.count(), IdeaSupport.objects.count()) == counts
