"""Discovery's public pages: the list with its search, filters, sorting and pagination, the detail page
(who may open it, what it shows), the home page's block; bad input never fails a page, and query counts
do not grow with rows."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from challenges.enums import ChallengeStatus, ClarificationStatus
from challenges.models import ChallengeDocument
from challenges.search import refresh_search_vector
from challenges.selectors.discovery import PAGE_SIZE, challenge_for_detail
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
    ChallengeFactory,
    ClarificationFactory,
    FollowFactory,
    OutcomeFactory,
    PublishedChallengeFactory,
    ThemeFactory,
)
from tests.factories.ideas import IdeaSupportFactory, PublishedIdeaFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("challenges:challenge-list")


def published(**kwargs):
    challenge = PublishedChallengeFactory(**kwargs)
    refresh_search_vector(challenge_id=challenge.pk)
    return challenge


def result_titles(response) -> list[str]:
    return [challenge.title for challenge in response.context["page_obj"]]


def h1_count(response) -> int:
    return len(re.findall(r"<h1[ >]", response.content.decode()))


@pytest.fixture
def actors() -> dict:
    owner = BuyerFactory()
    return {
        "anonymous": None,
        "owner_member": MembershipFactory(organisation=owner).user,
        "owner_admin": AdminMembershipFactory(organisation=owner).user,
        "other_buyer": MembershipFactory(organisation=BuyerFactory()).user,
        "supplier": MembershipFactory(organisation=SupplierFactory()).user,
        "staff": TOTPAuthenticatorFactory().user,
        "owner": owner,
    }


def login(client, actors, actor):
    if user := actors[actor]:
        client.force_login(user)


# --- The list -------------------------------------------------------------------------------------------


def test_challenge_list_shows_open_public_challenges_to_anyone(client):
    open_challenge = published(title="Open one")
    published(title="Closed one", status=ChallengeStatus.CLOSED)
    ChallengeFactory(title="A draft")

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert result_titles(response) == [open_challenge.title]
    assert h1_count(response) == 1
    assert response.context["result_count"] == 1


def test_challenge_list_status_filter_shows_closed_and_awarded(client):
    published(title="Open one")
    published(title="Closed one", status=ChallengeStatus.CLOSED)
    published(title="Awarded one", status=ChallengeStatus.AWARDED)

    closed = client.get(LIST_URL, {"status": "closed"})
    awarded = client.get(LIST_URL, {"status": "awarded"})
    everything = client.get(LIST_URL, {"status": "all"})

    assert result_titles(closed) == ["Closed one"]
    assert result_titles(awarded) == ["Awarded one"]
    assert sorted(result_titles(everything)) == ["Awarded one", "Closed one", "Open one"]


def test_challenge_list_searches_words(client):
    published(title="Loneliness among elderly residents")
    published(title="Street lighting", summary="Dark streets.", current_situation="", affected="", why_now="")

    response = client.get(LIST_URL, {"q": "loneliness"})

    assert result_titles(response) == ["Loneliness among elderly residents"]


def test_challenge_list_sorts_by_closing_soonest_by_default_and_newest_on_request(client):
    now = timezone.now()
    later = published(
        title="Later",
        submission_deadline=now + timedelta(days=40),
        published_at=now - timedelta(hours=1),
    )
    sooner = published(
        title="Sooner",
        submission_deadline=now + timedelta(days=25),
        published_at=now - timedelta(days=5),
    )

    by_default = client.get(LIST_URL)
    newest = client.get(LIST_URL, {"sort": "newest"})

    assert result_titles(by_default) == [sooner.title, later.title]
    assert result_titles(newest) == [later.title, sooner.title]


def test_challenge_list_form_keeps_the_values_and_labels_its_fields(client):
    theme = ThemeFactory(slug="mobility")
    challenge = published(title="Buses")
    challenge.themes.add(theme)

    response = client.get(LIST_URL, {"q": "buses", "theme": "mobility", "days": "30", "city": "Trondheim"})
    html = response.content.decode()

    assert 'value="buses"' in html
    assert '<option value="mobility" selected>' in html
    assert 'value="30"' in html
    for field in ("q", "status", "theme", "cpv", "country", "city", "route", "budget", "days", "sort"):
        assert f'for="id_{field}"' in html
    assert response.context["query_string"] == "q=buses&theme=mobility&city=Trondheim&days=30"


def test_challenge_list_without_results_gives_guidance(client):
    published(title="Buses")

    response = client.get(LIST_URL, {"q": "submarines"})

    assert result_titles(response) == []
    assert "No challenges match your search." in response.content.decode()
    assert "status=all" in response.content.decode()


def test_challenge_list_paginates_twenty_a_page(client):
    for number in range(PAGE_SIZE + 3):
        published(title=f"Challenge {number:02d}")

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": "2"})

    assert len(result_titles(first)) == PAGE_SIZE
    assert len(result_titles(second)) == 3
    assert set(result_titles(first)).isdisjoint(result_titles(second))
    assert first.context["result_count"] == PAGE_SIZE + 3


def test_challenge_list_caps_results(client, monkeypatch):
    # The cap is a module constant; a small one lets the test cross it with a handful of rows.
    monkeypatch.setattr("challenges.selectors.discovery.MAX_RESULTS", 3)
    monkeypatch.setattr("challenges.selectors.discovery.PAGE_SIZE", 2)
    for number in range(5):
        published(title=f"Challenge {number}")

    last = client.get(LIST_URL, {"page": "99"})

    assert last.context["results_capped"] is True
    assert last.context["result_count"] == 3
    assert last.context["page_obj"].paginator.num_pages == 2
    assert len(result_titles(last)) == 1
    assert "More than 3 challenges found" in last.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "999999"},
        {"page": "-1"},
        {"page": "1e9"},
        {"route": "teleportation"},
        {"status": "secret"},
        {"days": "-1"},
        {"days": "99999999999999999999"},
        {"days": "abc"},
        {"budget": "lots"},
        {"theme": "no-such-theme"},
        {"country": "XX"},
        {"cpv": "4x"},
        {"sort": "price"},
        {"q": "x" * 10_000},
        {"q": "' OR 1=1 --"},
        {"q": "!!! & | :* () <>"},
        {"q": "\x00null"},
        {"city": "y" * 500},
    ],
)
def test_challenge_list_survives_bad_input(client, params):
    published(title="Loneliness among elderly residents")

    response = client.get(LIST_URL, params)

    assert response.status_code == 200
    assert h1_count(response) == 1


def test_challenge_list_ignores_a_bad_filter_and_applies_the_rest(client):
    published(title="Buses", summary="Late buses.")
    published(title="Trains", summary="Late trains.", current_situation="", affected="", why_now="")

    response = client.get(LIST_URL, {"q": "buses", "route": "teleportation", "page": "abc"})

    assert result_titles(response) == ["Buses"]
    assert "route" in response.context["form"].errors


@pytest.mark.parametrize("rows", [1, 30])
def test_challenge_list_query_count(client, django_assert_num_queries, rows):
    theme = ThemeFactory()
    for _ in range(rows):
        published().themes.add(theme)

    # themes for the form, buyer countries, the capped count, the page, the page's themes
    with django_assert_num_queries(5):
        response = client.get(LIST_URL)

    assert response.context["result_count"] == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_challenge_list_search_query_count(client, django_assert_num_queries, rows):
    for _ in range(rows):
        published(title="Loneliness among elderly residents")

    with django_assert_num_queries(5):
        response = client.get(
            LIST_URL, {"q": "loneliness", "status": "all", "budget": "50k-250k", "days": "60"}
        )

    assert response.context["result_count"] == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_challenge_list_query_count_signed_in(client, django_assert_num_queries, actors, rows):
    for _ in range(rows):
        published()
    client.force_login(actors["supplier"])

    # + the session, the user, the menu's memberships, the unread count
    with django_assert_num_queries(9):
        client.get(LIST_URL)


# --- The detail page ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 404),
        ("owner_member", 200),
        ("owner_admin", 200),
        ("other_buyer", 404),
        ("supplier", 404),
        ("staff", 404),
    ],
)
def test_challenge_detail_of_a_draft_access(client, actors, actor, status):
    challenge = ChallengeFactory(owner=actors["owner"])
    login(client, actors, actor)

    assert client.get(challenge.get_absolute_url()).status_code == status


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 404),
        ("owner_member", 200),
        ("owner_admin", 200),
        ("other_buyer", 404),
        ("supplier", 404),
        ("staff", 200),
    ],
)
def test_challenge_detail_in_review_access(client, actors, actor, status):
    challenge = ChallengeFactory(owner=actors["owner"], status=ChallengeStatus.IN_REVIEW)
    login(client, actors, actor)

    assert client.get(challenge.get_absolute_url()).status_code == status


@pytest.mark.parametrize(
    "actor", ["anonymous", "owner_member", "owner_admin", "other_buyer", "supplier", "staff"]
)
@pytest.mark.parametrize(
    "challenge_status", [ChallengeStatus.PUBLISHED, ChallengeStatus.CLOSED, ChallengeStatus.AWARDED]
)
def test_challenge_detail_of_a_public_challenge_access(client, actors, actor, challenge_status):
    challenge = PublishedChallengeFactory(owner=actors["owner"], status=challenge_status)
    login(client, actors, actor)

    assert client.get(challenge.get_absolute_url()).status_code == 200


def test_challenge_detail_of_a_missing_challenge_is_404(client):
    assert client.get(reverse("challenges:challenge-detail", kwargs={"pk": 987654})).status_code == 404


def test_challenge_detail_shows_the_statement_outcomes_criteria_and_documents(client):
    challenge = PublishedChallengeFactory(title="Loneliness", scoring_scale=10)
    ChallengeDocument.objects.create(
        challenge=challenge,
        title="Background report",
        file="challenges/x/abc",
        original_name="report.pdf",
        content_type="application/pdf",
        size=2048,
        sha256="0" * 64,
    )

    response = client.get(challenge.get_absolute_url())
    html = response.content.decode()

    assert h1_count(response) == 1
    assert challenge.current_situation.replace(",", "") in html.replace(",", "")
    assert "Share of residents over 75 who say they are often lonely" in html
    assert "Impact on the outcomes" in html and "60 %" in html and "40 %" in html
    assert "0 to 10" in html
    assert "Background report" in html


def test_challenge_detail_shows_the_deadline_in_the_challenges_time_zone(client):
    deadline = timezone.now().replace(microsecond=0) + timedelta(days=30)
    challenge = PublishedChallengeFactory(deadline_timezone="America/New_York", submission_deadline=deadline)

    html = client.get(challenge.get_absolute_url()).content.decode()

    local = timezone.localtime(deadline, timezone=__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert f'datetime="{local.isoformat()}"' in html
    assert "(America/New_York)" in html


def test_challenge_detail_with_an_unknown_time_zone_still_renders(client):
    challenge = PublishedChallengeFactory(deadline_timezone="Mars/Olympus_Mons")

    response = client.get(challenge.get_absolute_url())

    assert response.status_code == 200
    assert "(UTC)" in response.content.decode()


def test_challenge_detail_says_closed_once_the_deadline_has_passed(client):
    challenge = PublishedChallengeFactory(
        questions_deadline=timezone.now() - timedelta(days=2),
        submission_deadline=timezone.now() - timedelta(minutes=1),
    )

    html = client.get(challenge.get_absolute_url()).content.decode()

    assert challenge.status == ChallengeStatus.PUBLISHED
    assert "This challenge is closed." in html
    assert "Open for proposals" not in html


def test_challenge_detail_shows_amendments_and_public_clarifications_only(client):
    challenge = PublishedChallengeFactory()
    AmendmentFactory(challenge=challenge, summary="The deadline moved by a week.")
    ClarificationFactory(
        challenge=challenge,
        status=ClarificationStatus.PUBLIC,
        public_question="May we partner?",
        answer="Yes.",
        answered_at=timezone.now(),
    )
    ClarificationFactory(challenge=challenge, status=ClarificationStatus.PRIVATE, question="Secret question?")

    html = client.get(challenge.get_absolute_url()).content.decode()

    assert "The deadline moved by a week." in html
    assert "May we partner?" in html
    assert "Secret question?" not in html


@pytest.mark.parametrize("rows", [1, 30])
def test_challenge_detail_query_count(client, django_assert_num_queries, rows):
    challenge = PublishedChallengeFactory(with_outcome_and_criteria=False)
    theme = ThemeFactory()
    challenge.themes.add(theme)
    idea = PublishedIdeaFactory(city=challenge.owner, challenge=challenge)
    for number in range(rows):
        OutcomeFactory(challenge=challenge)
        AmendmentFactory(challenge=challenge)
        ClarificationFactory(
            challenge=challenge, status=ClarificationStatus.PUBLIC, public_question=f"Q{number}?"
        )
        PublishedChallengeFactory()
        IdeaSupportFactory(idea=idea)
        PublishedCaseStudyFactory().themes.add(theme)

    # the challenge with owner (and the citizen idea it started from, with its supporters counted);
    # outcomes, criteria, documents, themes, CPV codes; amendments; clarifications; related case studies
    with django_assert_num_queries(9):
        response = client.get(challenge.get_absolute_url())

    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 30])
def test_challenge_detail_query_count_signed_in(client, django_assert_num_queries, actors, rows):
    challenge = PublishedChallengeFactory()
    for _ in range(rows):
        FollowFactory(challenge=PublishedChallengeFactory(), user=actors["supplier"])
    client.force_login(actors["supplier"])

    # the session, the user, their memberships (once: roles for visible_to, and the menu's); the challenge
    # with owner; outcomes, criteria, documents, themes, CPV codes; the unread count; related case studies.
    # The follow state and the board's counts (board panel) come with the challenge, and so does that it
    # has no amendments, public clarifications, citizen idea or proposal of the supplier's (none of their
    # queries)
    with django_assert_num_queries(11):
        client.get(challenge.get_absolute_url())


# --- The home page --------------------------------------------------------------------------------------


def test_home_shows_the_five_open_challenges_closing_soonest(client):
    now = timezone.now()
    for days in (30, 5, 20, 10, 40, 15, 25):
        published(
            title=f"Closes in {days}", submission_deadline=now + timedelta(days=days), questions_deadline=None
        )
    published(title="Closed", status=ChallengeStatus.CLOSED)

    response = client.get(reverse("web:home"))

    assert [challenge.title for challenge in response.context["open_challenges"]] == [
        "Closes in 5",
        "Closes in 10",
        "Closes in 15",
        "Closes in 20",
        "Closes in 25",
    ]
    assert h1_count(response) == 1


@pytest.mark.parametrize("rows", [1, 30])
def test_home_query_count(client, django_assert_num_queries, rows):
    for _ in range(rows):
        published()

    with django_assert_num_queries(1):
        client.get(reverse("web:home"))


def test_discovery_statement_partial_renders_the_whole_statement():
    # The stand-in the detail page uses only while authoring's statement partial is missing.
    challenge = challenge_for_detail(user=AnonymousUser(), pk=PublishedChallengeFactory().pk)

    html = render_to_string("challenges/discovery/_statement.html", {"challenge": challenge})

    assert "About 4,000 residents over 75 live alone" in html
    assert "Replacing home-care staff." in html
    assert "Share of residents over 75 who say they are often lonely" in html
    assert "Impact on the outcomes" in html and "60 %" in html
    assert "Competitive dialogue" in html
