"""Query budgets of the citizen-idea and case-study pages: each renders with the same number of queries with
1 and with 50 rows (ideas, supports, themes, merge candidates, case studies …) and at most 15.

A case signs in the person who sees the most, makes one row and returns the URL, a function that adds more
rows and the expected status."""

import pytest
from django.urls import reverse

from challenges.enums import ChallengeStatus
from tests.budgets.budget import assert_flat_budget
from tests.factories.accounts import BuyerFactory, MembershipFactory, UserFactory
from tests.factories.casestudies import CaseStudyFactory, PublishedCaseStudyFactory
from tests.factories.challenges import ChallengeFactory, OutcomeFactory, ThemeFactory
from tests.factories.ideas import IdeaFactory, IdeaSupportFactory, PublishedIdeaFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "ideas:idea-list",
    "ideas:idea-create",
    "ideas:my-ideas",
    "ideas:moderation-list",
    "ideas:idea-detail",
    "ideas:idea-withdraw",
    "ideas:idea-moderate",
    "ideas:idea-convert",
    "casestudies:case-study-list",
    "casestudies:case-study-detail",
    "casestudies:case-study-edit",
    "casestudies:case-study-create",
}

POST_ONLY = {
    "ideas:idea-support",
    "ideas:idea-withdraw-support",
    "casestudies:case-study-publish",
    "casestudies:case-study-unpublish",
}


def _published_ideas(city):
    def grow(n):
        theme = ThemeFactory()
        for _n in range(n):
            idea = PublishedIdeaFactory(city=city)
            idea.themes.add(theme)
            IdeaSupportFactory(idea=idea)

    return grow


def _city_member(client):
    city = BuyerFactory()
    user = MembershipFactory(organisation=city).user
    client.force_login(user)
    return city, user


def _idea_list(client):
    city = BuyerFactory()
    _published_ideas(city)(1)
    return reverse("ideas:idea-list"), _published_ideas(city), 200


def _idea_create(client):
    user = UserFactory()
    client.force_login(user)
    IdeaFactory(author=user)
    return reverse("ideas:idea-create"), lambda n: IdeaFactory.create_batch(n, author=user), 200


def _my_ideas(client):
    user = UserFactory()
    client.force_login(user)
    IdeaFactory(author=user)
    return reverse("ideas:my-ideas"), lambda n: IdeaFactory.create_batch(n, author=user), 200


def _moderation_list(client):
    city, _user = _city_member(client)
    IdeaFactory(city=city)

    def grow(n):
        theme = ThemeFactory()
        for _n in range(n):
            IdeaFactory(city=city).themes.add(theme)

    return reverse("ideas:moderation-list"), grow, 200


def _supported_idea(idea):
    """Supports and themes of one idea."""

    def grow(n):
        IdeaSupportFactory.create_batch(n, idea=idea)
        idea.themes.add(*ThemeFactory.create_batch(n))

    return grow


def _idea_detail(client):
    city, _user = _city_member(client)
    idea = PublishedIdeaFactory(city=city)
    _supported_idea(idea)(1)
    return reverse("ideas:idea-detail", args=[idea.pk]), _supported_idea(idea), 200


def _idea_withdraw(client):
    user = UserFactory()
    client.force_login(user)
    idea = PublishedIdeaFactory(author=user)
    _supported_idea(idea)(1)
    return reverse("ideas:idea-withdraw", args=[idea.pk]), _supported_idea(idea), 200


def _idea_moderate(client):
    city, _user = _city_member(client)
    idea = IdeaFactory(city=city)
    PublishedIdeaFactory(city=city)  # a merge candidate

    def grow(n):
        PublishedIdeaFactory.create_batch(n, city=city)
        idea.themes.add(*ThemeFactory.create_batch(n))

    return reverse("ideas:idea-moderate", args=[idea.pk]), grow, 200


def _idea_convert(client):
    city, _user = _city_member(client)
    idea = PublishedIdeaFactory(city=city)
    _supported_idea(idea)(1)
    return reverse("ideas:idea-convert", args=[idea.pk]), _supported_idea(idea), 200


def _case_study_list(client):
    client.force_login(UserFactory())

    def grow(n):
        theme = ThemeFactory()
        for _n in range(n):
            PublishedCaseStudyFactory().themes.add(theme)

    grow(1)
    return reverse("casestudies:case-study-list"), grow, 200


def _own_case_study(client, factory):
    city, _user = _city_member(client)
    challenge = ChallengeFactory(owner=city, status=ChallengeStatus.AWARDED)
    case_study = factory(challenge=challenge, owner=city)

    def grow(n):
        case_study.themes.add(*ThemeFactory.create_batch(n))
        PublishedCaseStudyFactory.create_batch(n)

    grow(1)
    return case_study, grow


def _case_study_detail(client):
    case_study, grow = _own_case_study(client, PublishedCaseStudyFactory)
    return reverse("casestudies:case-study-detail", args=[case_study.pk]), grow, 200


def _case_study_edit(client):
    case_study, grow = _own_case_study(client, CaseStudyFactory)
    return reverse("casestudies:case-study-edit", args=[case_study.pk]), grow, 200


def _case_study_create(client):
    city, _user = _city_member(client)
    challenge = ChallengeFactory(owner=city, status=ChallengeStatus.AWARDED)

    def grow(n):
        OutcomeFactory.create_batch(n, challenge=challenge)
        challenge.themes.add(*ThemeFactory.create_batch(n))

    grow(1)
    return reverse("casestudies:case-study-create", args=[challenge.pk]), grow, 200


CASES = {
    "ideas:idea-list": _idea_list,
    "ideas:idea-create": _idea_create,
    "ideas:my-ideas": _my_ideas,
    "ideas:moderation-list": _moderation_list,
    "ideas:idea-detail": _idea_detail,
    "ideas:idea-withdraw": _idea_withdraw,
    "ideas:idea-moderate": _idea_moderate,
    "ideas:idea-convert": _idea_convert,
    "casestudies:case-study-list": _case_study_list,
    "casestudies:case-study-detail": _case_study_detail,
    "casestudies:case-study-edit": _case_study_edit,
    "casestudies:case-study-create": _case_study_create,
}


def test_every_page_has_a_case():
    assert set(CASES) == PAGES


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_query_budget(client, django_assert_max_num_queries, name):
    url, grow, status = CASES[name](client)

    assert_flat_budget(client, django_assert_max_num_queries, url, grow, status=status)
