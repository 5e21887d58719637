"""The idea pages: who may open each one (a permission grid per view), what they do (submission with the
coach's preview, limits and spam checks; support; moderation; turning an idea into a challenge), what
they never show (residents' email addresses and full names), and query counts that do not grow with
rows."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.ideas.enums import IdeaStatus
from challenges.ideas.models import Idea, IdeaSupport
from challenges.ideas.services import convert_idea_to_challenge
from challenges.models import Challenge
from tests.factories.accounts import UserFactory
from tests.factories.challenges import CoachRuleFactory, PublishedChallengeFactory, ThemeFactory
from tests.factories.ideas import IdeaFactory, IdeaSupportFactory, PublishedIdeaFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("ideas:idea-list")
CREATE_URL = reverse("ideas:idea-create")
MINE_URL = reverse("ideas:my-ideas")
QUEUE_URL = reverse("ideas:moderation-list")
ACTORS = ["anonymous", "author", "resident", "city_member", "other_city_member", "supplier", "staff"]


def _login(client, people, actor):
    if user := people[actor]:
        client.force_login(user)
    return people[actor]


def _url(name: str, idea) -> str:
    return reverse(f"ideas:{name}", kwargs={"pk": idea.pk})


def _h1_count(response) -> int:
    return len(re.findall(r"<h1[ >]", response.content.decode()))


def _form_data(city, **overrides) -> dict:
    return {
        "city": city.pk,
        "title": "Dark footpath along the river",
        "problem": "The footpath along the river has no lights; people avoid it after dark.",
        "affected": "Pupils and commuters.",
        "location": "Along the river",
        "display_name": "Ingrid",
        "website": "",
        "action": "submit",
        **overrides,
    }


# --- Permission grids ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_idea_list_is_public(client, people, actor, city):
    PublishedIdeaFactory(city=city)
    _login(client, people, actor)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert _h1_count(response) == 1


@pytest.mark.parametrize("actor", ACTORS)
def test_published_idea_page_is_public(client, people, actor, city):
    idea = PublishedIdeaFactory(city=city, author=people["author"])
    _login(client, people, actor)

    assert client.get(idea.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 404),
        ("author", 200),
        ("resident", 404),
        ("city_member", 200),
        ("other_city_member", 404),
        ("supplier", 404),
        ("staff", 200),
    ],
)
@pytest.mark.parametrize("idea_status", [IdeaStatus.PENDING, IdeaStatus.REJECTED])
def test_private_idea_page_access(client, people, actor, status, city, idea_status):
    reason = "Not a problem the city can buy a solution for." if idea_status == IdeaStatus.REJECTED else ""
    idea = IdeaFactory(city=city, author=people["author"], status=idea_status, rejection_reason=reason)
    _login(client, people, actor)

    response = client.get(idea.get_absolute_url())

    assert response.status_code == status
    if status == 200 and reason:
        assert reason in response.content.decode()


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 302),
        ("author", 200),
        ("resident", 200),
        ("city_member", 200),
        ("other_city_member", 200),
        ("supplier", 200),
        ("staff", 200),
    ],
)
@pytest.mark.parametrize("url", [CREATE_URL, MINE_URL])
def test_signed_in_pages_access(client, people, actor, status, url):
    _login(client, people, actor)

    response = client.get(url)

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("actor", "status", "sees_idea"),
    [
        ("anonymous", 302, False),
        ("author", 404, False),
        ("resident", 404, False),
        ("city_member", 200, True),
        ("other_city_member", 200, False),
        ("supplier", 404, False),
        ("staff", 200, True),
    ],
)
def test_moderation_queue_access(client, people, actor, status, sees_idea, city):
    idea = IdeaFactory(city=city, author=people["author"], title="Dark footpath by the river")
    _login(client, people, actor)

    response = client.get(QUEUE_URL)

    assert response.status_code == status
    if status == 200:
        assert (idea.title in response.content.decode()) is sees_idea


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 302),
        ("author", 404),
        ("resident", 404),
        ("city_member", 200),
        ("other_city_member", 404),
        ("supplier", 404),
        ("staff", 200),
    ],
)
def test_moderate_page_access(client, people, actor, status, city):
    idea = IdeaFactory(city=city, author=people["author"])
    _login(client, people, actor)

    response = client.get(_url("idea-moderate", idea))

    assert response.status_code == status
    if status == 200:
        assert _h1_count(response) == 1


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 302),
        ("author", 404),
        ("resident", 404),
        ("city_member", 200),
        ("other_city_member", 404),
        ("supplier", 404),
        ("staff", 404),
    ],
)
def test_convert_page_access(client, people, actor, status, city):
    idea = PublishedIdeaFactory(city=city, author=people["author"])
    _login(client, people, actor)

    assert client.get(_url("idea-convert", idea)).status_code == status
    posted = client.post(_url("idea-convert", idea))

    if actor == "city_member":
        assert posted.status_code == 302
        assert Idea.objects.get().challenge == Challenge.objects.get()
    else:
        assert posted.status_code == status
        assert Challenge.objects.count() == 0


@pytest.mark.parametrize(
    ("actor", "supports"),
    [
        ("anonymous", False),
        ("author", False),
        ("resident", True),
        ("city_member", True),
        ("other_city_member", True),
        ("supplier", True),
        ("staff", True),
    ],
)
def test_support_access(client, people, actor, supports, city):
    idea = PublishedIdeaFactory(city=city, author=people["author"])
    user = _login(client, people, actor)

    response = client.post(_url("idea-support", idea))

    assert response.status_code == 302
    assert IdeaSupport.objects.filter(idea=idea).exists() is supports
    if user is None:
        assert response["Location"].startswith(reverse("account_login"))


def test_support_of_a_pending_idea_is_a_404_for_others(client, people, city):
    idea = IdeaFactory(city=city)
    client.force_login(people["resident"])

    assert client.post(_url("idea-support", idea)).status_code == 404


def test_support_of_a_pending_idea_is_refused_for_the_moderator(client, people, city):
    idea = IdeaFactory(city=city)
    client.force_login(people["city_member"])

    response = client.post(_url("idea-support", idea), follow=True)

    assert "Only a published idea can be supported." in response.content.decode()
    assert IdeaSupport.objects.count() == 0


def test_support_pages_refuse_get(client, people, city):
    idea = PublishedIdeaFactory(city=city)
    client.force_login(people["resident"])

    assert client.get(_url("idea-support", idea)).status_code == 405
    assert client.get(_url("idea-withdraw-support", idea)).status_code == 405


# --- Support ------------------------------------------------------------------------------------------------


def test_support_twice_is_harmless_and_withdraw_removes_it(client, people, city):
    idea = PublishedIdeaFactory(city=city)
    client.force_login(people["resident"])

    client.post(_url("idea-support", idea))
    response = client.post(_url("idea-support", idea), follow=True)

    assert IdeaSupport.objects.filter(idea=idea).count() == 1
    page = response.content.decode()
    assert "You already support this idea." in page
    assert "1 supporter" in page
    assert "Withdraw my support" in page

    response = client.post(_url("idea-withdraw-support", idea), follow=True)

    assert IdeaSupport.objects.count() == 0
    assert "0 supporters" in response.content.decode()


def test_author_sees_no_support_button(client, people, city):
    idea = PublishedIdeaFactory(city=city, author=people["author"])
    client.force_login(people["author"])

    page = client.get(idea.get_absolute_url()).content.decode()

    assert "This is your idea." in page
    assert _url("idea-support", idea) not in page


# --- Submission ---------------------------------------------------------------------------------------------


def test_create_previews_with_the_coachs_findings_and_submits(client, people, city):
    CoachRuleFactory(
        language="en",
        phrase="smartphone app",
        explanation="Names a technology as the answer.",
        suggestion="Say what people should be able to do.",
    )
    client.force_login(people["author"])
    data = _form_data(
        city, problem="We need a smartphone app that shows which paths are lit.", action="preview"
    )

    response = client.post(CREATE_URL, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<mark>smartphone app</mark>" in page
    assert "Names a technology as the answer." in page
    assert "Say what people should be able to do." in page
    assert 'value="submit"' in page
    assert Idea.objects.count() == 0

    response = client.post(CREATE_URL, {**data, "action": "submit"})

    idea = Idea.objects.get()
    assert response.status_code == 302
    assert response["Location"] == idea.get_absolute_url()
    assert (idea.author, idea.city, idea.status) == (people["author"], city, IdeaStatus.PENDING)
    assert idea.problem == "We need a smartphone app that shows which paths are lit."


def test_create_without_findings_says_so(client, people, city):
    client.force_login(people["author"])

    response = client.post(CREATE_URL, _form_data(city, action="preview"))

    assert "The coach found no words" in response.content.decode()


def test_create_offers_the_last_display_name_and_the_city_from_the_link(client, people, city):
    IdeaFactory(author=people["author"], display_name="Ingrid from Lade")
    client.force_login(people["author"])

    response = client.get(f"{CREATE_URL}?city={city.slug}")

    form = response.context["form"]
    assert form.initial["display_name"] == "Ingrid from Lade"
    assert form.initial["city"] == city.pk


def test_create_over_the_limit_is_a_429_with_the_text_kept(client, people, city):
    IdeaFactory.create_batch(3, author=people["author"], city=city)
    client.force_login(people["author"])

    response = client.post(CREATE_URL, _form_data(city, title="My fourth idea today"))

    assert response.status_code == 429
    page = response.content.decode()
    assert "in the last hour" in page
    assert 'value="My fourth idea today"' in page
    assert Idea.objects.count() == 3


def test_create_preview_warns_about_the_limit(client, people, city):
    IdeaFactory.create_batch(3, author=people["author"], city=city)
    client.force_login(people["author"])

    response = client.post(CREATE_URL, _form_data(city, action="preview"))

    assert response.status_code == 200
    assert "in the last hour" in response.content.decode()


def test_create_with_the_honeypot_filled_is_refused_with_the_text_kept(client, people, city):
    client.force_login(people["author"])

    response = client.post(CREATE_URL, _form_data(city, website="http://cheap.example"))

    assert response.status_code == 400
    assert 'value="Dark footpath along the river"' in response.content.decode()
    assert Idea.objects.count() == 0


def test_create_with_too_many_links_shows_the_error_at_the_field(client, people, city):
    client.force_login(people["author"])
    problem = "See https://a.example https://b.example https://c.example"

    response = client.post(CREATE_URL, _form_data(city, problem=problem))

    assert response.status_code == 200
    assert "links" in str(response.context["form"].errors["problem"])
    assert problem in response.content.decode()
    assert Idea.objects.count() == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"city": "999999"},
        {"city": "not-a-number"},
        {"title": ""},
        {"display_name": "me@example.org"},
        {"themes": ["999999"]},
        {"title": "x" * 500},
    ],
)
def test_create_with_bad_input_shows_the_form_again(client, people, city, overrides):
    client.force_login(people["author"])

    response = client.post(CREATE_URL, {**_form_data(city), **overrides})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "There is a problem" in response.content.decode()
    assert Idea.objects.count() == 0


def test_create_with_themes(client, people, city):
    theme = ThemeFactory()
    client.force_login(people["author"])

    client.post(CREATE_URL, _form_data(city, themes=[theme.pk]))

    assert list(Idea.objects.get().themes.all()) == [theme]


def test_my_ideas_shows_status_reason_and_merge(client, people, city):
    target = PublishedIdeaFactory(city=city, title="The idea it joined")
    IdeaFactory(author=people["author"], title="Waiting one")
    IdeaFactory(
        author=people["author"],
        title="Refused one",
        status=IdeaStatus.REJECTED,
        rejection_reason="We have a service for this already.",
    )
    IdeaFactory(author=people["author"], title="Merged one", status=IdeaStatus.MERGED, merged_into=target)
    IdeaFactory(title="Someone else's idea")
    client.force_login(people["author"])

    page = client.get(MINE_URL).content.decode()

    for text in [
        "Waiting one",
        "Waiting for moderation",
        "Refused one",
        "We have a service for this already.",
    ]:
        assert text in page
    assert "The idea it joined" in page
    assert "Someone else&#x27;s idea" not in page and "Someone else's idea" not in page


# --- The public list ----------------------------------------------------------------------------------------


def test_list_shows_published_ideas_and_those_merged_after_publication_only(client, city):
    published = PublishedIdeaFactory(city=city, title="Published idea")
    IdeaFactory(city=city, title="Pending idea")
    IdeaFactory(city=city, title="Rejected idea", status=IdeaStatus.REJECTED, rejection_reason="No.")
    PublishedIdeaFactory(city=city, title="Merged idea", status=IdeaStatus.MERGED, merged_into=published)
    # Merged while it waited for moderation: nobody approved its text.
    IdeaFactory(city=city, title="Merged unapproved idea", status=IdeaStatus.MERGED, merged_into=published)
    PublishedIdeaFactory(city=city, title="Withdrawn idea", status=IdeaStatus.WITHDRAWN)

    titles = [idea.title for idea in client.get(LIST_URL).context["page_obj"]]

    assert sorted(titles) == ["Merged idea", "Published idea"]


def test_list_filters_by_city_and_theme(client, city, other_city):
    theme = ThemeFactory(slug="road-safety-test")
    in_city = PublishedIdeaFactory(city=city, title="In the city with the theme")
    in_city.themes.add(theme, ThemeFactory())
    PublishedIdeaFactory(city=city, title="In the city without it")
    PublishedIdeaFactory(city=other_city, title="Elsewhere").themes.add(theme)

    by_city = client.get(LIST_URL, {"city": city.slug}).context["page_obj"]
    by_both = client.get(LIST_URL, {"city": city.slug, "theme": theme.slug}).context["page_obj"]

    assert sorted(idea.title for idea in by_city) == ["In the city with the theme", "In the city without it"]
    assert [idea.title for idea in by_both] == ["In the city with the theme"]


def test_list_sorts_by_support_counted_in_the_database(client, city):
    now = timezone.now()
    quiet = PublishedIdeaFactory(city=city, title="Newest, one supporter", published_at=now)
    popular = PublishedIdeaFactory(
        city=city, title="Older, three supporters", published_at=now - timedelta(days=3)
    )
    PublishedIdeaFactory(city=city, title="Oldest, none", published_at=now - timedelta(days=5))
    IdeaSupportFactory.create_batch(3, idea=popular)
    IdeaSupportFactory(idea=quiet)
    # Themes on an idea must not multiply its count.
    popular.themes.add(ThemeFactory(), ThemeFactory())

    newest = client.get(LIST_URL).context["page_obj"]
    supported = client.get(LIST_URL, {"sort": "supported"}).context["page_obj"]

    assert [idea.title for idea in newest] == [
        "Newest, one supporter",
        "Older, three supporters",
        "Oldest, none",
    ]
    assert [(idea.title, idea.support_count) for idea in supported] == [
        ("Older, three supporters", 3),
        ("Newest, one supporter", 1),
        ("Oldest, none", 0),
    ]


@pytest.mark.parametrize(
    "params", [{"city": "nowhere"}, {"theme": "x"}, {"sort": "?"}, {"page": "abc"}, {"page": "999"}]
)
def test_list_bad_filters_never_fail(client, city, params):
    PublishedIdeaFactory(city=city)

    response = client.get(LIST_URL, params)

    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 1


@pytest.mark.parametrize("rows", [1, 5])
def test_list_query_count(client, django_assert_num_queries, city, other_city, rows):
    theme = ThemeFactory()
    for index in range(rows):
        idea = PublishedIdeaFactory(city=city if index % 2 else other_city)
        idea.themes.add(theme)
        IdeaSupportFactory(idea=idea)
    # The last one became a challenge (the card links it once it is public).
    Idea.objects.filter(pk=idea.pk).update(challenge=PublishedChallengeFactory(owner=idea.city))

    # Cities filter, themes filter, the count, the rows, their themes.
    with django_assert_num_queries(5):
        response = client.get(LIST_URL, {"sort": "supported"})

    assert len(response.context["page_obj"]) == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_my_ideas_query_count(client, django_assert_num_queries, people, city, rows):
    IdeaFactory.create_batch(rows, author=people["author"], city=city)
    client.force_login(people["author"])
    client.get(MINE_URL)  # the session is read on every request; count a warm one

    # Session, user, the count, the rows; the page's header: memberships, unread notifications.
    with django_assert_num_queries(6):
        response = client.get(MINE_URL)

    assert len(response.context["page_obj"]) == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_moderation_queue_query_count(client, django_assert_num_queries, people, city, rows):
    IdeaFactory.create_batch(rows, city=city)
    client.force_login(people["city_member"])

    # Session, user, memberships (with their organisations: the page's header reads them too), the cities
    # filter, the count, the rows, their themes; the header's unread notifications.
    with django_assert_num_queries(8):
        response = client.get(QUEUE_URL)

    assert len(response.context["page_obj"]) == rows


def test_detail_query_count(client, django_assert_num_queries, people, city):
    idea = PublishedIdeaFactory(city=city)
    idea.themes.add(ThemeFactory(), ThemeFactory())
    IdeaSupportFactory.create_batch(3, idea=idea)

    # The idea (with its city, challenge and support count) and its themes.
    with django_assert_num_queries(2):
        response = client.get(idea.get_absolute_url())

    assert "3 supporters" in response.content.decode()


# --- Privacy ------------------------------------------------------------------------------------------------


def test_public_pages_show_the_chosen_name_only(client, people, city):
    author, supporter = (
        people["author"],
        UserFactory(full_name="Sigrid Supporter", email="sigrid@example.org"),
    )
    idea = PublishedIdeaFactory(city=city, author=author, display_name="Ingrid")
    IdeaSupportFactory(idea=idea, user=supporter)
    pages = [client.get(LIST_URL), client.get(idea.get_absolute_url())]
    client.force_login(people["resident"])
    pages += [client.get(LIST_URL), client.get(idea.get_absolute_url())]
    client.force_login(people["city_member"])
    pages.append(client.get(idea.get_absolute_url()))
    pending = IdeaFactory(city=city, author=author, display_name="Ingrid")
    pages += [client.get(QUEUE_URL), client.get(_url("idea-moderate", pending))]
    convert_page = client.get(_url("idea-convert", idea))

    for response in [*pages, convert_page]:
        page = response.content.decode()
        assert response.status_code == 200
        assert "Ingrid" in page or response is convert_page
        for private in (author.email, author.full_name, supporter.email, supporter.full_name):
            assert private not in page


# --- Moderation ---------------------------------------------------------------------------------------------


def test_moderate_publish(client, people, city):
    idea = IdeaFactory(city=city)
    client.force_login(people["city_member"])

    response = client.post(_url("idea-moderate", idea), {"decision": "published"})

    assert response.status_code == 302
    assert response["Location"] == QUEUE_URL
    assert Idea.objects.get().status == IdeaStatus.PUBLISHED


def test_moderate_reject_needs_a_reason(client, people, city):
    idea = IdeaFactory(city=city)
    client.force_login(people["city_member"])

    response = client.post(_url("idea-moderate", idea), {"decision": "rejected", "reason": " "})

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    response = client.post(_url("idea-moderate", idea), {"decision": "rejected", "reason": "Not ours."})
    assert response.status_code == 302
    assert Idea.objects.get().rejection_reason == "Not ours."


def test_moderate_merge(client, people, city, other_city):
    target = PublishedIdeaFactory(city=city)
    elsewhere = PublishedIdeaFactory(city=other_city)
    idea = IdeaFactory(city=city)
    client.force_login(people["city_member"])

    refused = client.post(_url("idea-moderate", idea), {"decision": "merged", "merge_into": elsewhere.pk})
    missing = client.post(_url("idea-moderate", idea), {"decision": "merged"})
    response = client.post(_url("idea-moderate", idea), {"decision": "merged", "merge_into": target.pk})

    assert "merge_into" in refused.context["form"].errors
    assert "merge_into" in missing.context["form"].errors
    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.status, idea.merged_into) == (IdeaStatus.MERGED, target)


def test_merged_idea_page_points_to_the_target(client, people, city):
    target = PublishedIdeaFactory(city=city, title="The idea it joined")
    idea = PublishedIdeaFactory(city=city, status=IdeaStatus.MERGED, merged_into=target)

    page = client.get(idea.get_absolute_url()).content.decode()

    assert f'href="{target.get_absolute_url()}"' in page
    assert "The idea it joined" in page


def test_moderating_a_decided_idea_sends_the_moderator_back(client, people, city):
    idea = IdeaFactory(city=city, status=IdeaStatus.REJECTED, rejection_reason="No.")
    client.force_login(people["city_member"])

    response = client.post(_url("idea-moderate", idea), {"decision": "published"})

    assert response.status_code == 302
    assert response["Location"] == idea.get_absolute_url()
    assert Idea.objects.get().status == IdeaStatus.REJECTED


def test_moderate_bad_decision_is_a_form_error(client, people, city):
    idea = IdeaFactory(city=city)
    client.force_login(people["city_member"])

    response = client.post(_url("idea-moderate", idea), {"decision": "deleted"})

    assert response.status_code == 200
    assert "decision" in response.context["form"].errors


# --- Turning an idea into a challenge -----------------------------------------------------------------------


def test_convert_lands_in_the_challenge_editor(client, people, city):
    idea = PublishedIdeaFactory(city=city)
    client.force_login(people["city_member"])

    response = client.post(_url("idea-convert", idea))

    challenge = Challenge.objects.get()
    assert response["Location"] == reverse(
        "challenges:challenge-edit", kwargs={"pk": challenge.pk, "step": "problem"}
    )
    assert client.get(response["Location"]).status_code == 200
    assert Idea.objects.get().challenge == challenge


def test_converted_idea_links_the_challenge_only_once_it_is_public(client, people, city):
    idea = PublishedIdeaFactory(city=city)
    challenge = convert_idea_to_challenge(idea=idea, by=people["city_member"])

    draft_page = client.get(idea.get_absolute_url()).content.decode()
    Challenge.objects.filter(pk=challenge.pk).update(
        status=ChallengeStatus.PUBLISHED, published_at=timezone.now()
    )
    public_page = client.get(idea.get_absolute_url()).content.decode()

    assert "This idea became a challenge" in draft_page
    assert challenge.get_absolute_url() not in draft_page
    assert f'href="{challenge.get_absolute_url()}"' in public_page


def test_convert_twice_sends_the_member_back_to_the_idea(client, people, city):
    idea = PublishedIdeaFactory(city=city)
    convert_idea_to_challenge(idea=idea, by=people["city_member"])
    client.force_login(people["city_member"])

    response = client.post(_url("idea-convert", idea))

    assert response["Location"] == idea.get_absolute_url()
    assert Challenge.objects.count() == 1


# --- POST permission grids ----------------------------------------------------------------------------------

GRID = [
    ("anonymous", 302, False),
    ("author", 404, False),
    ("resident", 404, False),
    ("city_member", 302, True),
    ("other_city_member", 404, False),
    ("supplier", 404, False),
    ("staff", 302, True),
]


@pytest.mark.parametrize(("actor", "status", "decides"), GRID)
@pytest.mark.parametrize("decision", [IdeaStatus.PUBLISHED, IdeaStatus.MERGED, IdeaStatus.REJECTED])
def test_moderation_decision_post_access(client, people, city, actor, status, decides, decision):
    target = PublishedIdeaFactory(city=city)
    idea = IdeaFactory(city=city, author=people["author"])
    _login(client, people, actor)

    response = client.post(
        _url("idea-moderate", idea), {"decision": decision, "merge_into": target.pk, "reason": "Not ours."}
    )

    assert response.status_code == status
    if actor == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    idea.refresh_from_db()
    assert idea.status == (decision if decides else IdeaStatus.PENDING)


@pytest.mark.parametrize(
    ("actor", "withdraws"),
    [
        ("anonymous", False),
        ("author", False),
        ("resident", True),
        ("city_member", True),
        ("other_city_member", True),
        ("supplier", True),
        ("staff", True),
    ],
)
def test_withdraw_support_access(client, people, city, actor, withdraws):
    idea = PublishedIdeaFactory(city=city, author=people["author"])
    supporters = {user.pk for name, user in people.items() if user is not None and name != "author"}
    for pk in supporters:
        IdeaSupportFactory(idea=idea, user_id=pk)
    user = _login(client, people, actor)

    response = client.post(_url("idea-withdraw-support", idea))

    assert response.status_code == 302
    remaining = set(IdeaSupport.objects.values_list("user_id", flat=True))
    assert remaining == (supporters - {user.pk} if withdraws else supporters)


def test_withdraw_support_of_a_hidden_idea_is_a_404(client, people, city):
    idea = IdeaFactory(city=city)
    client.force_login(people["resident"])

    assert client.post(_url("idea-withdraw-support", idea)).status_code == 404


@pytest.mark.parametrize(
    ("actor", "get_status", "post_status", "withdraws"),
    [
        ("anonymous", 302, 302, False),
        ("author", 200, 302, True),
        ("resident", 404, 404, False),
        ("city_member", 404, 404, False),
        ("other_city_member", 404, 404, False),
        ("supplier", 404, 404, False),
        ("staff", 404, 404, False),
    ],
)
@pytest.mark.parametrize("factory", [IdeaFactory, PublishedIdeaFactory])
def test_withdraw_idea_access(client, people, city, actor, get_status, post_status, withdraws, factory):
    idea = factory(city=city, author=people["author"])
    _login(client, people, actor)

    response = client.get(_url("idea-withdraw", idea))

    assert response.status_code == get_status
    if get_status == 200:
        assert _h1_count(response) == 1
        assert 'action="{}"'.format(_url("idea-withdraw", idea)) in response.content.decode()
    response = client.post(_url("idea-withdraw", idea))
    assert response.status_code == post_status
    idea.refresh_from_db()
    assert (idea.status == IdeaStatus.WITHDRAWN) is withdraws
    if withdraws:
        assert response["Location"] == MINE_URL


def test_withdraw_is_offered_to_the_author_with_a_confirmation(client, people, city):
    idea = PublishedIdeaFactory(city=city, author=people["author"])
    converted = PublishedIdeaFactory(city=city, author=people["author"])
    convert_idea_to_challenge(idea=converted, by=people["city_member"])
    client.force_login(people["author"])

    detail = client.get(idea.get_absolute_url()).content.decode()
    mine = client.get(MINE_URL).content.decode()
    converted_page = client.get(converted.get_absolute_url()).content.decode()

    assert f'href="{_url("idea-withdraw", idea)}"' in detail
    assert f'href="{_url("idea-withdraw", idea)}"' in mine
    assert _url("idea-withdraw", converted) not in mine + converted_page
    # A converted idea cannot be withdrawn: its author goes back to it.
    response = client.post(_url("idea-withdraw", converted))
    assert response["Location"] == converted.get_absolute_url()
    assert Idea.objects.get(pk=converted.pk).status == IdeaStatus.PUBLISHED


def test_withdraw_is_not_offered_when_ideas_were_merged_into_it(client, people, city):
    idea = PublishedIdeaFactory(city=city, author=people["author"])
    PublishedIdeaFactory(city=city, status=IdeaStatus.MERGED, merged_into=idea)
    client.force_login(people["author"])

    detail = client.get(idea.get_absolute_url()).content.decode()
    confirm = client.get(_url("idea-withdraw", idea)).content.decode()
    response = client.post(_url("idea-withdraw", idea), follow=True)

    assert _url("idea-withdraw", idea) not in detail
    assert "you cannot withdraw it" in detail
    assert f'action="{_url("idea-withdraw", idea)}"' not in confirm
    assert "you cannot withdraw it" in confirm
    assert "cannot be withdrawn" in response.content.decode()
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.PUBLISHED


def test_withdrawn_idea_page_says_who_can_see_it(client, people, city):
    idea = PublishedIdeaFactory(city=city, author=people["author"], status=IdeaStatus.WITHDRAWN)
    client.force_login(people["author"])

    page = client.get(idea.get_absolute_url()).content.decode()

    assert "Its author has withdrawn this idea." in page
    assert client.get(idea.get_absolute_url()).status_code == 200
    client.logout()
    assert client.get(idea.get_absolute_url()).status_code == 404


# --- Merged, taken down, abandoned --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 404),
        ("author", 200),
        ("resident", 404),
        ("city_member", 200),
        ("other_city_member", 404),
        ("supplier", 404),
        ("staff", 200),
    ],
)
def test_an_idea_merged_before_publication_stays_private(client, people, city, actor, status):
    target = PublishedIdeaFactory(city=city)
    idea = IdeaFactory(city=city, author=people["author"], title="Unapproved text")
    client.force_login(people["city_member"])
    client.post(_url("idea-moderate", idea), {"decision": "merged", "merge_into": target.pk})
    client.logout()
    _login(client, people, actor)

    response = client.get(idea.get_absolute_url())

    assert response.status_code == status
    if status == 200:
        assert "merged before it was published" in response.content.decode()
    assert "Unapproved text" not in client.get(LIST_URL).content.decode()


def test_a_taken_down_idea_shows_no_publication_date(client, people, city):
    idea = PublishedIdeaFactory(city=city, author=people["author"])
    client.force_login(people["city_member"])
    published_page = client.get(idea.get_absolute_url()).content.decode()

    client.post(_url("idea-moderate", idea), {"decision": "rejected", "reason": "It names a person."})
    taken_down_page = client.get(idea.get_absolute_url()).content.decode()

    assert "published " in published_page and 'datetime="' in published_page.split("<h1", 1)[1]
    assert Idea.objects.get().published_at is not None
    article = taken_down_page.split('<article class="col-lg-8"', 1)[1].split("</article>", 1)[0]
    assert "<time" not in article
    assert "Only its author, the city's moderators and programme staff can see it." in taken_down_page


def test_the_pending_idea_page_names_who_can_see_it(client, people, city):
    idea = IdeaFactory(city=city, author=people["author"])
    client.force_login(people["author"])

    page = client.get(idea.get_absolute_url()).content.decode()

    assert "Only its author, the city's moderators and programme staff can see it." in page


def test_an_abandoned_challenge_draft_is_said_so_and_the_city_may_convert_again(client, people, city):
    idea = PublishedIdeaFactory(city=city)
    challenge = convert_idea_to_challenge(idea=idea, by=people["city_member"])
    Challenge.objects.filter(pk=challenge.pk).update(status=ChallengeStatus.CANCELLED)
    client.force_login(people["city_member"])

    page = client.get(idea.get_absolute_url()).content.decode()

    assert "abandoned the draft" in page
    assert "preparing a challenge" not in page
    assert f'href="{_url("idea-convert", idea)}"' in page
    assert f'href="{_url("idea-moderate", idea)}"' in page
    assert client.get(_url("idea-moderate", idea)).status_code == 200
    response = client.post(_url("idea-convert", idea))
    assert response.status_code == 302
    assert Idea.objects.get().challenge == Challenge.objects.order_by("pk").last() != challenge


# --- Bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["\x00", "trondheim\x00", "x" * 300, "not a slug!"])
def test_create_with_a_bad_city_in_the_link_is_no_500(client, people, city, value):
    client.force_login(people["author"])

    response = client.get(CREATE_URL, {"city": value})

    assert response.status_code == 200
    assert response.context["form"].initial.get("city") is None


@pytest.mark.parametrize(("field", "limit"), [("problem", 5_000), ("affected", 2_000)])
def test_create_with_too_long_a_text_says_so_and_keeps_it(client, people, city, field, limit):
    client.force_login(people["author"])
    text = ("The path is dark. " * (limit // 18 + 1)).strip()
    assert len(text) > limit

    response = client.post(CREATE_URL, _form_data(city, **{field: text}))

    assert response.status_code == 200
    error = str(response.context["form"].errors[field])
    assert f"at most {limit} characters" in error and f"it has {len(text)}" in error
    page = response.content.decode()
    assert text.strip() in page
    assert f'maxlength="{limit}"' not in page
    assert Idea.objects.count() == 0
    response = client.post(CREATE_URL, _form_data(city, **{field: text[:limit]}))
    assert response.status_code == 302


def test_error_summary_links_to_the_first_radio_and_checkbox(client, people, city):
    idea = IdeaFactory(city=city)
    client.force_login(people["city_member"])

    # Nothing chosen at all: the form is still checked.
    moderation = client.post(_url("idea-moderate", idea), {}).content.decode()
    client.force_login(people["author"])

    assert 'href="#id_decision_0"' in moderation and 'id="id_decision_0"' in moderation
    ThemeFactory()
    submission = client.post(CREATE_URL, _form_data(city, themes=["999999"])).content.decode()
    assert 'href="#id_themes_0"' in submission and 'id="id_themes_0"' in submission
    assert 'href="#id_title"' in client.post(CREATE_URL, _form_data(city, title="")).content.decode()


# --- Merge candidates on the moderation page ----------------------------------------------------------------


def test_moderation_page_offers_the_same_ranked_candidates_it_lists(client, people, city):
    theme = ThemeFactory()
    idea = IdeaFactory(city=city)
    idea.themes.add(theme)
    now = timezone.now()
    newest = PublishedIdeaFactory(city=city, title="Newest, no shared theme", published_at=now)
    sharing = PublishedIdeaFactory(
        city=city, title="Older, shares a theme", published_at=now - timedelta(days=9)
    )
    sharing.themes.add(theme)
    converted = PublishedIdeaFactory(city=city, title="Became a challenge")
    convert_idea_to_challenge(idea=converted, by=people["city_member"])
    client.force_login(people["city_member"])

    response = client.get(_url("idea-moderate", idea))

    choices = [value for value, _label in response.context["form"].fields["merge_into"].choices]
    assert choices[1:] == [sharing.pk, newest.pk]
    assert [other.pk for other in response.context["similar"]] == [sharing.pk, newest.pk]
    assert "Became a challenge" not in response.content.decode()


# --- List order on PostgreSQL -------------------------------------------------------------------------------


@pytest.mark.postgres
def test_list_order_on_postgresql(client, people, city):
    now = timezone.now()
    older = PublishedIdeaFactory(city=city, title="Older", published_at=now - timedelta(days=2))
    newest = PublishedIdeaFactory(city=city, title="Newest", published_at=now)
    merged = PublishedIdeaFactory(
        city=city, title="Merged after publication", published_at=now - timedelta(days=1)
    )
    pending = IdeaFactory(city=city, title="Merged while pending")
    for duplicate in (merged, pending):
        client.force_login(people["city_member"])
        client.post(_url("idea-moderate", duplicate), {"decision": "merged", "merge_into": older.pk})
    client.logout()

    newest_first = [idea.title for idea in client.get(LIST_URL).context["page_obj"]]
    supported = [idea.title for idea in client.get(LIST_URL, {"sort": "supported"}).context["page_obj"]]

    assert newest_first == ["Newest", "Merged after publication", "Older"]
    # Older has the merged ideas' authors as supporters.
    assert supported == ["Older", "Newest", "Merged after publication"]
    # Ideas never published come last in the default order too (NULL sorts first on PostgreSQL).
    assert [idea.title for idea in Idea.objects.filter(city=city)][-1] == "Merged while pending"
    assert newest.pk and pending.pk
