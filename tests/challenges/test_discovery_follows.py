"""Follows and saved searches: the services (idempotent, guarded) and their pages, with a permission grid
for each."""

import pytest
from django.urls import reverse

from challenges.enums import ChallengeStatus
from challenges.models import Follow, SavedSearch
from challenges.search import ChallengeFilters
from challenges.services.discovery import (
    MAX_SAVED_SEARCHES_PER_USER,
    DiscoveryError,
    delete_saved_search,
    follow_challenge,
    follow_organisation,
    save_search,
    unfollow_challenge,
    unfollow_organisation,
)
from portal.audit.models import AuditEvent
from tests.factories.accounts import (
    AdminMembershipFactory,
    BuyerFactory,
    MembershipFactory,
    SupplierFactory,
    TOTPAuthenticatorFactory,
    UserFactory,
)
from tests.factories.challenges import (
    ChallengeFactory,
    FollowFactory,
    PublishedChallengeFactory,
    SavedSearchFactory,
)

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"


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


def assert_to_login(response):
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


# --- Services -------------------------------------------------------------------------------------------


def test_follow_challenge_twice_keeps_one_follow():
    user, challenge = UserFactory(), PublishedChallengeFactory()

    first = follow_challenge(user=user, challenge=challenge)
    second = follow_challenge(user=user, challenge=challenge)

    assert first.pk == second.pk
    assert Follow.objects.filter(user=user, challenge=challenge).count() == 1
    assert AuditEvent.objects.filter(action="challenge.followed").count() == 1


def test_follow_challenge_refuses_a_draft_the_user_may_not_see():
    with pytest.raises(DiscoveryError):
        follow_challenge(user=UserFactory(), challenge=ChallengeFactory())

    assert Follow.objects.count() == 0


def test_unfollow_challenge_is_idempotent():
    follow = FollowFactory()

    removed = unfollow_challenge(user=follow.user, challenge=follow.challenge)
    removed_again = unfollow_challenge(user=follow.user, challenge=follow.challenge)

    assert (removed, removed_again) == (True, False)
    assert Follow.objects.count() == 0


def test_follow_organisation_twice_keeps_one_follow():
    user, buyer = UserFactory(), BuyerFactory()

    follow_organisation(user=user, organisation=buyer)
    follow_organisation(user=user, organisation=buyer)

    assert Follow.objects.filter(user=user, organisation=buyer).count() == 1


def test_follow_organisation_refuses_a_supplier():
    with pytest.raises(DiscoveryError):
        follow_organisation(user=UserFactory(), organisation=SupplierFactory())


def test_unfollow_organisation_is_idempotent():
    user, buyer = UserFactory(), BuyerFactory()
    follow_organisation(user=user, organisation=buyer)

    assert unfollow_organisation(user=user, organisation=buyer) is True
    assert unfollow_organisation(user=user, organisation=buyer) is False


def test_save_search_stores_the_words_and_the_filters_that_differ_from_the_defaults():
    user = UserFactory()

    saved = save_search(
        user=user,
        name="  Mobility  in  Bergen ",
        query="  buses   late ",
        filters=ChallengeFilters(city="Bergen", days=30),
    )

    assert (saved.name, saved.query, saved.filters) == (
        "Mobility in Bergen",
        "buses late",
        {"city": "Bergen", "days": 30},
    )


def test_save_search_needs_a_name():
    with pytest.raises(DiscoveryError):
        save_search(user=UserFactory(), name="   ", query="x", filters=ChallengeFilters())


def test_save_search_stops_at_the_limit():
    user = UserFactory()
    SavedSearchFactory.create_batch(MAX_SAVED_SEARCHES_PER_USER, user=user)

    with pytest.raises(DiscoveryError):
        save_search(user=user, name="One more", query="x", filters=ChallengeFilters())

    assert SavedSearch.objects.filter(user=user).count() == MAX_SAVED_SEARCHES_PER_USER


def test_delete_saved_search_refuses_someone_elses():
    saved = SavedSearchFactory()

    with pytest.raises(DiscoveryError):
        delete_saved_search(user=UserFactory(), saved_search=saved)

    assert SavedSearch.objects.filter(pk=saved.pk).exists()


# --- Following a challenge: pages -----------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["owner_member", "owner_admin", "other_buyer", "supplier", "staff"])
def test_challenge_follow_of_a_public_challenge_by_anyone_signed_in(client, actors, actor):
    challenge = PublishedChallengeFactory(owner=actors["owner"])
    login(client, actors, actor)

    response = client.post(reverse("challenges:challenge-follow", kwargs={"pk": challenge.pk}))

    assert response.status_code == 302
    assert response["Location"] == challenge.get_absolute_url()
    assert Follow.objects.filter(user=actors[actor], challenge=challenge).exists()


def test_challenge_follow_anonymous_goes_to_sign_in(client):
    challenge = PublishedChallengeFactory()

    assert_to_login(client.post(reverse("challenges:challenge-follow", kwargs={"pk": challenge.pk})))
    assert Follow.objects.count() == 0


@pytest.mark.parametrize(
    ("actor", "status"),
    [("owner_member", 302), ("owner_admin", 302), ("other_buyer", 404), ("supplier", 404), ("staff", 404)],
)
def test_challenge_follow_of_a_draft_access(client, actors, actor, status):
    challenge = ChallengeFactory(owner=actors["owner"])
    login(client, actors, actor)

    response = client.post(reverse("challenges:challenge-follow", kwargs={"pk": challenge.pk}))

    assert response.status_code == status
    assert Follow.objects.filter(challenge=challenge).exists() == (status == 302)


def test_challenge_follow_refuses_get(client, actors):
    challenge = PublishedChallengeFactory()
    login(client, actors, "supplier")

    assert client.get(reverse("challenges:challenge-follow", kwargs={"pk": challenge.pk})).status_code == 405


def test_challenge_unfollow_removes_only_the_users_own_follow(client, actors):
    challenge = PublishedChallengeFactory()
    mine = FollowFactory(user=actors["supplier"], challenge=challenge)
    theirs = FollowFactory(user=actors["other_buyer"], challenge=challenge)
    login(client, actors, "supplier")

    response = client.post(reverse("challenges:challenge-unfollow", kwargs={"pk": challenge.pk}))

    assert response.status_code == 302
    assert list(Follow.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert not Follow.objects.filter(pk=mine.pk).exists()


def test_challenge_unfollow_ignores_an_offsite_next(client, actors):
    challenge = PublishedChallengeFactory()
    login(client, actors, "supplier")

    response = client.post(
        reverse("challenges:challenge-unfollow", kwargs={"pk": challenge.pk}),
        {"next": "https://evil.example/"},
    )

    assert response["Location"] == challenge.get_absolute_url()


def test_challenge_detail_offers_follow_and_unfollow(client, actors):
    challenge = PublishedChallengeFactory()
    login(client, actors, "supplier")

    before = client.get(challenge.get_absolute_url()).content.decode()
    client.post(reverse("challenges:challenge-follow", kwargs={"pk": challenge.pk}))
    after = client.get(challenge.get_absolute_url()).content.decode()

    assert "Follow this challenge" in before
    assert "Stop following this challenge" in after


# --- Following a buyer: pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"),
    [("owner_member", 302), ("owner_admin", 302), ("other_buyer", 302), ("supplier", 302), ("staff", 302)],
)
def test_organisation_follow_of_a_buyer_with_public_challenges(client, actors, actor, status):
    PublishedChallengeFactory(owner=actors["owner"])
    login(client, actors, actor)

    response = client.post(reverse("challenges:organisation-follow", kwargs={"pk": actors["owner"].pk}))

    assert response.status_code == status
    assert Follow.objects.filter(user=actors[actor], organisation=actors["owner"]).exists()


def test_organisation_follow_anonymous_goes_to_sign_in(client, actors):
    PublishedChallengeFactory(owner=actors["owner"])

    assert_to_login(client.post(reverse("challenges:organisation-follow", kwargs={"pk": actors["owner"].pk})))


@pytest.mark.parametrize("actor", ["other_buyer", "supplier", "staff"])
def test_organisation_follow_of_a_buyer_without_public_challenges_is_404(client, actors, actor):
    ChallengeFactory(owner=actors["owner"])  # a draft only: the public does not know the buyer
    login(client, actors, actor)

    response = client.post(reverse("challenges:organisation-follow", kwargs={"pk": actors["owner"].pk}))

    assert response.status_code == 404


def test_organisation_follow_of_a_supplier_is_404(client, actors):
    login(client, actors, "other_buyer")

    response = client.post(reverse("challenges:organisation-follow", kwargs={"pk": SupplierFactory().pk}))

    assert response.status_code == 404


def test_organisation_unfollow_works_after_the_buyer_has_no_public_challenges(client, actors):
    FollowFactory(user=actors["supplier"], challenge=None, organisation=actors["owner"])
    login(client, actors, "supplier")

    response = client.post(reverse("challenges:organisation-unfollow", kwargs={"pk": actors["owner"].pk}))

    assert response.status_code == 302
    assert Follow.objects.count() == 0


def test_organisation_unfollow_of_an_unknown_buyer_is_404(client, actors):
    login(client, actors, "supplier")

    response = client.post(reverse("challenges:organisation-unfollow", kwargs={"pk": actors["owner"].pk}))

    assert response.status_code == 404


# --- What I follow --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 302),
        ("owner_member", 200),
        ("owner_admin", 200),
        ("other_buyer", 200),
        ("supplier", 200),
        ("staff", 200),
    ],
)
def test_follow_list_access(client, actors, actor, status):
    login(client, actors, actor)

    response = client.get(reverse("challenges:follow-list"))

    assert response.status_code == status
    if status == 302:
        assert_to_login(response)


def test_follow_list_shows_only_the_users_follows_it_may_still_see(client, actors):
    user = actors["supplier"]
    visible = FollowFactory(user=user, challenge=PublishedChallengeFactory(title="Visible"))
    FollowFactory(user=user, challenge=ChallengeFactory(title="Draft of someone else"))
    FollowFactory(user=user, challenge=None, organisation=actors["owner"])
    FollowFactory(challenge=PublishedChallengeFactory(title="Someone else's follow"))
    login(client, actors, "supplier")

    response = client.get(reverse("challenges:follow-list"))
    html = response.content.decode()

    assert len(response.context["page_obj"]) == 2
    assert visible.challenge.title in html
    assert actors["owner"].name in html
    assert "Draft of someone else" not in html
    assert "Someone else's follow" not in html


@pytest.mark.parametrize("rows", [1, 30])
def test_follow_list_query_count(client, django_assert_num_queries, actors, rows):
    for _ in range(rows):
        FollowFactory(user=actors["supplier"])
        FollowFactory(user=actors["supplier"], challenge=None, organisation=BuyerFactory())
    login(client, actors, "supplier")

    # the session, the user, memberships (once: roles for visible_to, and the menu's), the unread count,
    # the count, the page
    with django_assert_num_queries(6):
        client.get(reverse("challenges:follow-list"))


# --- Saved searches: pages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 302),
        ("owner_member", 200),
        ("owner_admin", 200),
        ("other_buyer", 200),
        ("supplier", 200),
        ("staff", 200),
    ],
)
def test_saved_search_list_access(client, actors, actor, status):
    login(client, actors, actor)

    assert client.get(reverse("challenges:saved-search-list")).status_code == status


def test_saved_search_list_shows_only_the_users_own(client, actors):
    SavedSearchFactory(user=actors["supplier"], name="Mine", query="buses", filters={"city": "Bergen"})
    SavedSearchFactory(user=actors["other_buyer"], name="Theirs")
    login(client, actors, "supplier")

    html = client.get(reverse("challenges:saved-search-list")).content.decode()

    assert "Mine" in html
    assert "Theirs" not in html
    assert "/challenges/?q=buses&amp;city=Bergen" in html


@pytest.mark.parametrize("rows", [1, 30])
def test_saved_search_list_query_count(client, django_assert_num_queries, actors, rows):
    SavedSearchFactory.create_batch(rows, user=actors["supplier"])
    login(client, actors, "supplier")

    # the session, the user, the menu's memberships, the unread count, the count, the page
    with django_assert_num_queries(6):
        client.get(reverse("challenges:saved-search-list"))


def test_saved_search_create_anonymous_goes_to_sign_in(client):
    assert_to_login(client.post(reverse("challenges:saved-search-create"), {"name": "x", "q": "buses"}))
    assert SavedSearch.objects.count() == 0


@pytest.mark.parametrize("actor", ["owner_member", "other_buyer", "supplier", "staff"])
def test_saved_search_create_saves_the_current_search(client, actors, actor):
    login(client, actors, actor)

    response = client.post(
        reverse("challenges:saved-search-create"),
        {"name": "Buses in Bergen", "q": "buses", "city": "Bergen", "route": "teleportation", "days": "14"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("challenges:saved-search-list")
    saved = SavedSearch.objects.get(user=actors[actor])
    assert (saved.name, saved.query, saved.filters) == (
        "Buses in Bergen",
        "buses",
        {"city": "Bergen", "days": 14},
    )


def test_saved_search_create_without_a_name_goes_back_to_the_search(client, actors):
    login(client, actors, "supplier")

    response = client.post(reverse("challenges:saved-search-create"), {"name": "", "q": "buses"})

    assert response.status_code == 302
    assert response["Location"] == reverse("challenges:challenge-list") + "?q=buses"
    assert SavedSearch.objects.count() == 0


def test_challenge_list_offers_to_save_the_search_only_when_signed_in(client, actors):
    anonymous = client.get(reverse("challenges:challenge-list"), {"q": "buses"}).content.decode()
    login(client, actors, "supplier")
    signed_in = client.get(reverse("challenges:challenge-list"), {"q": "buses", "days": "7"}).content.decode()

    assert "Save search" not in anonymous
    assert "Save search" in signed_in
    assert '<input type="hidden" name="days" value="7">' in signed_in


@pytest.mark.parametrize(
    ("actor", "get_status", "post_status"),
    [
        ("anonymous", 302, 302),
        ("owner", 200, 302),
        ("someone_else", 404, 404),
    ],
)
def test_saved_search_delete_access(client, actors, actor, get_status, post_status):
    saved = SavedSearchFactory(user=actors["supplier"])
    user = {"anonymous": None, "owner": actors["supplier"], "someone_else": actors["other_buyer"]}[actor]
    if user:
        client.force_login(user)
    url = reverse("challenges:saved-search-delete", kwargs={"pk": saved.pk})

    assert client.get(url).status_code == get_status
    assert client.post(url).status_code == post_status
    assert SavedSearch.objects.filter(pk=saved.pk).exists() == (actor != "owner")


def test_status_filter_of_saved_search_round_trips_through_the_list(client, actors):
    login(client, actors, "supplier")
    PublishedChallengeFactory(title="Closed one", status=ChallengeStatus.CLOSED)
    client.post(reverse("challenges:saved-search-create"), {"name": "Closed", "status": "closed"})
    saved = SavedSearch.objects.get()

    html = client.get(reverse("challenges:saved-search-list")).content.decode()
    response = client.get(reverse("challenges:challenge-list"), {"status": "closed"})

    assert saved.filters == {"status": "closed"}
    assert "/challenges/?status=closed" in html
    assert [challenge.title for challenge in response.context["page_obj"]] == ["Closed one"]
