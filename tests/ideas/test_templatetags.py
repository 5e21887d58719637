"""{% idea_origin challenge %}: a challenge's page says which public citizen idea it started from, in one
query at most."""

import pytest
from django.template import Context, Template

from challenges.ideas.enums import IdeaStatus
from challenges.ideas.models import Idea
from challenges.ideas.services import convert_idea_to_challenge
from tests.factories.accounts import MembershipFactory
from tests.factories.challenges import ChallengeFactory
from tests.factories.ideas import IdeaSupportFactory, PublishedIdeaFactory

pytestmark = pytest.mark.django_db

TEMPLATE = Template("{% load ideas %}{% idea_origin challenge %}")


def _render(challenge) -> str:
    return TEMPLATE.render(Context({"challenge": challenge}))


@pytest.mark.parametrize("supporters", [1, 4])
def test_idea_origin_names_the_idea_and_its_supporters(django_assert_num_queries, city, supporters):
    idea = PublishedIdeaFactory(city=city, title="Icy pavements")
    IdeaSupportFactory.create_batch(supporters, idea=idea)
    challenge = convert_idea_to_challenge(idea=idea, by=MembershipFactory(organisation=city).user)

    with django_assert_num_queries(1):
        html = _render(challenge)

    assert "This challenge started from a citizen idea:" in html
    assert f'href="{idea.get_absolute_url()}"' in html
    assert "Icy pavements" in html
    expected = "1 supporter)" if supporters == 1 else f"{supporters} supporters)"
    assert expected in " ".join(html.split())


def test_idea_origin_is_empty_for_a_challenge_without_an_idea(django_assert_num_queries):
    challenge = ChallengeFactory()

    with django_assert_num_queries(1):
        assert _render(challenge).strip() == ""


def test_idea_origin_needs_no_query_without_a_challenge(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert _render(None).strip() == ""


def test_idea_origin_hides_an_idea_taken_down(city):
    idea = PublishedIdeaFactory(city=city)
    member = MembershipFactory(organisation=city).user
    challenge = convert_idea_to_challenge(idea=idea, by=member)
    # Taken down by the admin after it became a challenge (the portal's services refuse that).
    Idea.objects.filter(pk=idea.pk).update(status=IdeaStatus.REJECTED, rejection_reason="Personal data.")

    assert _render(challenge).strip() == ""
