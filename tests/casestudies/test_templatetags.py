"""The tags the challenge pages include: the case study's button ({% case_study_actions %}) and "others who
faced this need" ({% related_case_studies %})."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from challenges.casestudies.selectors import related_case_studies
from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from tests.factories.casestudies import CaseStudyFactory, ExchangeCaseStudyFactory, PublishedCaseStudyFactory
from tests.factories.challenges import ChallengeFactory, CPVCodeFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def _render(source: str, challenge, user=None) -> str:
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    return Template("{% load casestudies %}" + source).render(
        Context({"challenge": challenge, "request": request, "user": request.user})
    )


def _actions(challenge, user=None) -> str:
    return _render("{% case_study_actions challenge %}", challenge, user)


# The button


WRITE, EDIT, READ = "Write a case study", "Edit the case study", "Read the case study"


@pytest.mark.parametrize(
    ("actor", "shown"),
    [("anonymous", set()), ("owner_member", {WRITE}), ("other_buyer", set()), ("staff", set())],
)
def test_actions_without_a_case_study(actors, awarded_challenge, actor, shown):
    page = _actions(awarded_challenge, actors[actor])

    assert {label for label in (WRITE, EDIT, READ) if label in page} == shown
    if shown:
        assert reverse("casestudies:case-study-create", args=[awarded_challenge.pk]) in page


@pytest.mark.parametrize(
    ("actor", "shown"),
    [("anonymous", set()), ("owner_member", {EDIT, READ}), ("other_buyer", set()), ("staff", {READ})],
)
def test_actions_with_a_draft(actors, awarded_challenge, actor, shown):
    CaseStudyFactory(challenge=awarded_challenge)

    page = _actions(awarded_challenge, actors[actor])

    assert {label for label in (WRITE, EDIT, READ) if label in page} == shown


@pytest.mark.parametrize(
    ("actor", "shown"),
    [("anonymous", {READ}), ("owner_member", {EDIT, READ}), ("other_buyer", {READ}), ("staff", {READ})],
)
def test_actions_with_a_published_case_study(actors, awarded_challenge, actor, shown):
    case_study = PublishedCaseStudyFactory(challenge=awarded_challenge)

    page = _actions(awarded_challenge, actors[actor])

    assert {label for label in (WRITE, EDIT, READ) if label in page} == shown
    assert case_study.get_absolute_url() in page


def test_no_actions_and_no_query_before_the_challenge_ended(owner, owner_member, django_assert_num_queries):
    challenge = ChallengeFactory(owner=owner, status=ChallengeStatus.PUBLISHED)
    assert owner_member.organisation_roles  # read once per request, as the page header does

    with django_assert_num_queries(0):
        page = _actions(challenge, owner_member)

    assert page.strip() == ""


def test_actions_cost_one_query(awarded_challenge, owner_member, django_assert_num_queries):
    CaseStudyFactory(challenge=awarded_challenge)
    assert owner_member.organisation_roles  # read once per request, as the page header does

    with django_assert_num_queries(1):
        _actions(awarded_challenge, owner_member)


# Others who faced this need


@pytest.fixture
def need():
    """A challenge on "care" with a CPV code in division 85, and case studies around it."""
    care, mobility = (
        ThemeFactory(slug="care", name_en="Care"),
        ThemeFactory(slug="mobility", name_en="Mobility"),
    )
    challenge = ChallengeFactory(status=ChallengeStatus.PUBLISHED, with_outcome_and_criteria=False)
    challenge.themes.set([care])
    challenge.cpv_codes.set([CPVCodeFactory(code="85100000")])
    return {"challenge": challenge, "care": care, "mobility": mobility}


def _case_study(title, *, themes=(), codes=(), factory=PublishedCaseStudyFactory, **kwargs):
    case_study = factory(title=title, **kwargs)
    case_study.themes.set(themes)
    case_study.cpv_codes.set([CPVCodeFactory(code=code) for code in codes])
    return case_study


def test_related_share_a_theme_or_a_cpv_division(need):
    _case_study("Same theme", themes=[need["care"]])
    _case_study("Same division", codes=["85320000"])  # 85… like the challenge's 85100000
    _case_study("Other theme and division", themes=[need["mobility"]], codes=["48000000"])
    _case_study("Nothing at all")
    _case_study("A draft on the same theme", themes=[need["care"]], factory=CaseStudyFactory)
    _case_study("From an exchange", themes=[need["care"]], factory=ExchangeCaseStudyFactory)

    titles = {case_study.title for case_study in related_case_studies(challenge=need["challenge"])}

    assert titles == {"Same theme", "Same division", "From an exchange"}


def test_related_exclude_the_challenges_own_and_put_closest_first(need):
    challenge = need["challenge"]
    Challenge.objects.filter(pk=challenge.pk).update(status=ChallengeStatus.AWARDED)
    _case_study("Its own", themes=[need["care"]], codes=["85100000"], challenge=challenge)
    _case_study("Both, older", themes=[need["care"]], codes=["85000000"])
    _case_study("Theme only, newer", themes=[need["care"]])
    _case_study("Both, newer", themes=[need["care"]], codes=["85200000"])
    _case_study("Division only, newest", codes=["85300000"])

    titles = [case_study.title for case_study in related_case_studies(challenge=challenge)]

    assert titles == ["Both, newer", "Both, older", "Division only, newest"]


def test_related_tag_lists_them_with_a_link_to_the_theme(need, django_assert_max_num_queries):
    case_study = _case_study("Same theme", themes=[need["care"]])
    challenge = Challenge.objects.get(pk=need["challenge"].pk)

    with django_assert_max_num_queries(2):
        page = _render("{% related_case_studies challenge %}", challenge)

    assert "Others who faced this need" in page
    assert case_study.get_absolute_url() in page
    assert f'href="{reverse("casestudies:case-study-list")}?theme=care"' in page


@pytest.mark.parametrize("rows", [1, 3])
def test_related_tag_queries_with_prefetched_themes(need, django_assert_num_queries, rows):
    for number in range(rows):
        _case_study(f"Same theme {number}", themes=[need["care"]])
    challenge = Challenge.objects.prefetch_related("themes").get(pk=need["challenge"].pk)

    with django_assert_num_queries(1):
        _render("{% related_case_studies challenge %}", challenge)


def test_related_tag_shows_nothing_when_none_is_related(need):
    assert _render("{% related_case_studies challenge %}", need["challenge"]).strip() == ""
