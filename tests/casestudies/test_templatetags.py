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


# The library link follows what the matches share with the challenge


def test_related_tag_links_the_cpv_division_when_only_codes_match(need):
    _case_study("Same division", codes=["85320000"])
    _case_study("Same division, other code", codes=["85140000"])
    challenge = Challenge.objects.get(pk=need["challenge"].pk)  # themed "care", which no match shares

    page = _render("{% related_case_studies challenge %}", challenge)

    assert f'href="{reverse("casestudies:case-study-list")}?cpv=85"' in page
    assert "More case studies with CPV codes starting 85" in page
    assert "?theme=" not in page and "More case studies on this theme" not in page


def test_related_tag_links_the_theme_a_match_shares(need):
    challenge = need["challenge"]
    challenge.themes.add(need["mobility"])
    _case_study("Shares mobility", themes=[need["mobility"]])
    _case_study("Shares mobility and the division", themes=[need["mobility"]], codes=["85320000"])

    page = _render("{% related_case_studies challenge %}", Challenge.objects.get(pk=challenge.pk))

    assert f'href="{reverse("casestudies:case-study-list")}?theme=mobility"' in page
    assert "More case studies on this theme" in page


# A new draft, without themes or CPV codes yet: its title and summary against the library


@pytest.fixture
def new_draft():
    return ChallengeFactory(
        title="Fewer falls at home",
        summary="Older residents fall at home at night and lie there for hours.",
        with_outcome_and_criteria=False,
    )


def _unrelated(title, need, **kwargs):
    """A case study whose only text is its title and need (the factory's defaults are about falls)."""
    blank = dict.fromkeys(
        ("market_engagement", "result", "outcome_against_indicators", "lessons", "would_do_differently"), ""
    )
    return _case_study(title, need=need, **{**blank, **kwargs})


def test_text_fallback_finds_case_studies_on_the_same_need(new_draft):
    _case_study("Sensors against falls at home", need="Night-time falls of residents living alone.")
    _unrelated("School meals", "Pupils skip lunch.")
    _case_study("A draft on falls at home", factory=CaseStudyFactory)
    _case_study("Falls from an exchange", factory=ExchangeCaseStudyFactory)

    titles = {cs.title for cs in related_case_studies(challenge=new_draft, text_fallback=True)}

    assert titles == {"Sensors against falls at home", "Falls from an exchange"}
    assert related_case_studies(challenge=new_draft) == []  # no themes or codes: nothing shared


def test_text_fallback_shows_at_most_three(new_draft):
    for number in range(4):
        _case_study(f"Falls at home {number}")

    assert len(related_case_studies(challenge=new_draft, text_fallback=True)) == 3


def test_text_fallback_ignores_common_words(new_draft):
    # "there" is in the draft's summary; "hours" and "night" are not in this one
    _unrelated("Matching only common words", "There are these and those with that from them.")

    assert related_case_studies(challenge=new_draft, text_fallback=True) == []


def test_text_fallback_is_not_used_once_the_challenge_has_themes(new_draft, need):
    _case_study("Sensors against falls at home")
    on_care = _case_study("On care, about something else", themes=[need["care"]])
    new_draft.themes.set([need["care"]])

    assert related_case_studies(challenge=new_draft, text_fallback=True) == [on_care]


@pytest.mark.parametrize("rows", [1, 3])
def test_text_fallback_is_one_query_with_prefetched_themes_and_codes(
    new_draft, django_assert_num_queries, rows
):
    for number in range(rows):
        _case_study(f"Falls at home {number}")
    challenge = Challenge.objects.prefetch_related("themes", "cpv_codes").get(pk=new_draft.pk)

    with django_assert_num_queries(1):
        page = _render("{% related_case_studies challenge 3 True %}", challenge)

    assert page.count("<li") == rows
    assert f'href="{reverse("casestudies:case-study-list")}"' in page  # no shared theme or division
