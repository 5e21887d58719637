"""Partner board pages: who may open each, what each side sees, and constant query counts."""

import re
from itertools import pairwise

import pytest
from django.urls import reverse

from challenges.enums import ChallengeStatus
from portal.accounts.enums import MembershipRole
from suppliers.enums import PartnerPostStatus
from suppliers.models import PartnerMessage, PartnerPost
from suppliers.services.board import reply_to_partner_post, share_contact_details
from tests.factories.accounts import MembershipFactory, SupplierFactory
from tests.factories.challenges import ChallengeFactory
from tests.factories.suppliers import PartnerMessageFactory, PartnerPostFactory, SupplierProfileFactory
from tests.suppliers.conftest import ACTORS, close_challenge

pytestmark = pytest.mark.django_db
GRID_ACTORS = [*ACTORS, "poster", "invited"]
SUPPLIERS = {"lead", "lead_admin", "partner", "other_supplier", "poster", "invited"}


@pytest.fixture
def grid(actors):
    challenge = actors["challenge"]
    poster_org = SupplierFactory(name="Poster AS", website="https://poster.example")
    post = PartnerPostFactory(challenge=challenge, organisation=poster_org)
    poster = MembershipFactory(organisation=poster_org, role=MembershipRole.ADMIN).user
    other = actors["other_supplier"]
    conversation = reply_to_partner_post(
        post=post,
        organisation=other.memberships.get().organisation,
        by=other,
        body="Hello from the other side",
    )
    invited_org = SupplierFactory()
    return {
        **actors,
        "post": post,
        "poster": poster,
        "conversation": conversation,
        "invited": MembershipFactory(organisation=invited_org).user,  # a supplier in no conversation
    }


def login(client, grid, actor):
    if user := grid[actor]:
        client.force_login(user)


def h1_count(response) -> int:
    return len(re.findall(r"<h1[ >]", response.content.decode()))


def supplier_only(actor, allowed=200):
    return 302 if actor == "anonymous" else allowed if actor in SUPPLIERS else 403


# --- Permission grids -------------------------------------------------------------------------------------


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("actor", GRID_ACTORS)
def test_board_access(client, grid, actor, closed):
    if closed:
        close_challenge(grid["challenge"])
    login(client, grid, actor)

    response = client.get(reverse("suppliers:board", kwargs={"pk": grid["challenge"].pk}))

    assert response.status_code == supplier_only(actor)
    if response.status_code == 200:
        assert h1_count(response) == 1


def test_board_of_a_draft_challenge_is_404(client, grid):
    client.force_login(grid["lead"])

    response = client.get(reverse("suppliers:board", kwargs={"pk": ChallengeFactory().pk}))

    assert response.status_code == 404


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("actor", GRID_ACTORS)
def test_post_form_access(client, grid, actor, closed):
    if closed:
        close_challenge(grid["challenge"])
    login(client, grid, actor)

    response = client.get(reverse("suppliers:board-post-edit", kwargs={"pk": grid["challenge"].pk}))

    assert response.status_code == supplier_only(actor, 403 if closed else 200)


@pytest.mark.parametrize("actor", GRID_ACTORS)
def test_post_page_access(client, grid, actor):
    login(client, grid, actor)

    response = client.get(reverse("suppliers:board-post-detail", kwargs={"pk": grid["post"].pk}))

    # The organisation that already wrote is taken to its conversation.
    expected = 302 if actor == "other_supplier" else supplier_only(actor)
    assert response.status_code == expected


@pytest.mark.parametrize("name", ["board-post-close", "board-post-reopen"])
@pytest.mark.parametrize("actor", GRID_ACTORS)
def test_post_close_and_reopen_access(client, grid, actor, name):
    login(client, grid, actor)

    response = client.post(reverse(f"suppliers:{name}", kwargs={"pk": grid["post"].pk}))

    expected = 302 if actor in {"anonymous", "poster"} else 403
    assert response.status_code == expected


CONVERSATION = {"anonymous": 302, "poster": 200, "other_supplier": 200}


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("actor", GRID_ACTORS)
def test_conversation_access(client, grid, actor, closed):
    if closed:
        close_challenge(grid["challenge"])
    login(client, grid, actor)

    response = client.get(reverse("suppliers:board-conversation", kwargs={"pk": grid["conversation"].pk}))

    assert response.status_code == CONVERSATION.get(actor, 404)


@pytest.mark.parametrize("actor", GRID_ACTORS)
def test_conversation_message_access(client, grid, actor):
    login(client, grid, actor)

    response = client.post(
        reverse("suppliers:board-conversation", kwargs={"pk": grid["conversation"].pk}), {"body": "Hi"}
    )

    assert response.status_code == {"poster": 302, "other_supplier": 302, "anonymous": 302}.get(actor, 404)


def test_conversation_message_after_close_is_403(client, grid):
    close_challenge(grid["challenge"])
    client.force_login(grid["poster"])

    response = client.post(
        reverse("suppliers:board-conversation", kwargs={"pk": grid["conversation"].pk}), {"body": "Hi"}
    )

    assert response.status_code == 403


@pytest.mark.parametrize("actor", GRID_ACTORS)
def test_share_contact_access(client, grid, actor):
    login(client, grid, actor)

    response = client.post(
        reverse("suppliers:board-conversation-share", kwargs={"pk": grid["conversation"].pk})
    )

    assert response.status_code == {"poster": 302, "other_supplier": 302, "anonymous": 302}.get(actor, 404)


@pytest.mark.parametrize("actor", GRID_ACTORS)
def test_reply_access(client, grid, actor):
    login(client, grid, actor)

    response = client.post(
        reverse("suppliers:board-post-detail", kwargs={"pk": grid["post"].pk}), {"body": "Can we talk?"}
    )

    # other_supplier already has its conversation; the poster cannot answer its own post here.
    expected = {"anonymous": 302, "other_supplier": 403, "poster": 403}.get(actor)
    if expected is None:
        expected = 302 if actor in SUPPLIERS else 403
    assert response.status_code == expected


# --- What people see --------------------------------------------------------------------------------------


def test_board_lists_open_posts_with_size_and_directory_link(client, grid):
    SupplierProfileFactory(organisation=grid["post"].organisation, is_listed=True)
    PartnerPostFactory(
        challenge=grid["challenge"], status=PartnerPostStatus.CLOSED, brings="Hidden closed post"
    )
    client.force_login(grid["lead"])

    response = client.get(reverse("suppliers:board", kwargs={"pk": grid["challenge"].pk}))

    html = response.content.decode()
    assert "Poster AS" in html
    assert "Small (fewer than 50 staff)" in html
    assert "Hidden closed post" not in html
    assert "1 organisation is looking for partners" in html


def heading_levels(response) -> list[int]:
    """The levels of the headings in the page's main landmark, in order."""
    main = re.search(r"<main\b.*?</main>", response.content.decode(), re.S).group(0)
    return [int(level) for level in re.findall(r"<h([1-6])[ >]", main)]


@pytest.mark.parametrize(
    ("actor", "page"), [("poster", "post"), ("invited", "post"), ("invited", "board"), ("poster", "board")]
)
def test_board_pages_keep_the_heading_outline(client, grid, actor, page):
    login(client, grid, actor)
    url = (
        reverse("suppliers:board-post-detail", kwargs={"pk": grid["post"].pk})
        if page == "post"
        else reverse("suppliers:board", kwargs={"pk": grid["challenge"].pk})
    )

    levels = heading_levels(client.get(url))

    assert levels[0] == 1 and levels.count(1) == 1, levels
    # No level is skipped on the way down (h1 → h3 would be).
    assert all(after <= before + 1 for before, after in pairwise(levels)), levels


def test_posting_from_the_form(client, grid):
    client.force_login(grid["lead"])
    url = reverse("suppliers:board-post-edit", kwargs={"pk": grid["challenge"].pk})

    response = client.post(url, {"brings": "Sensors", "seeks": "Care experience"})

    assert response.status_code == 302
    post = PartnerPost.objects.get(challenge=grid["challenge"], organisation=grid["proposal"].supplier)
    assert (post.brings, post.seeks) == ("Sensors", "Care experience")
    page = client.get(url)
    assert page.context["existing"] == post


def test_post_form_keeps_what_was_typed(client, grid):
    client.force_login(grid["lead"])

    response = client.post(
        reverse("suppliers:board-post-edit", kwargs={"pk": grid["challenge"].pk}),
        {"brings": "Keep me", "seeks": ""},
    )

    assert response.status_code == 200
    assert "seeks" in response.context["form"].errors
    assert "Keep me" in response.content.decode()


def test_replying_from_the_post_page_opens_the_conversation(client, grid):
    client.force_login(grid["lead"])

    response = client.post(
        reverse("suppliers:board-post-detail", kwargs={"pk": grid["post"].pk}), {"body": "We do software."}
    )

    message = PartnerMessage.objects.latest("pk")
    assert message.sender_organisation == grid["proposal"].supplier
    assert response["Location"] == reverse(
        "suppliers:board-conversation", kwargs={"pk": message.conversation_id}
    )


def test_names_and_addresses_appear_only_when_both_share(client, grid):
    other = grid["other_supplier"]
    url = reverse("suppliers:board-conversation", kwargs={"pk": grid["conversation"].pk})
    client.force_login(grid["poster"])

    before = client.get(url).content.decode()
    assert other.email not in before
    assert other.full_name not in before
    assert "Hello from the other side" in before

    share_contact_details(conversation=grid["conversation"], by=grid["poster"])
    one_side = client.get(url).content.decode()
    assert other.email not in one_side

    share_contact_details(conversation=grid["conversation"], by=other)
    both = client.get(url).content.decode()
    assert other.email in both
    assert other.full_name in both
    client.force_login(other)
    assert "https://poster.example" in client.get(url).content.decode()


def test_challenge_page_panel_for_suppliers_only(client, grid):
    url = grid["challenge"].get_absolute_url()

    assert "looking for partners" not in client.get(url).content.decode()
    client.force_login(grid["lead"])
    html = client.get(url).content.decode()
    assert "1 organisation is looking for partners." in html
    assert reverse("suppliers:board", kwargs={"pk": grid["challenge"].pk}) in html
    client.force_login(grid["procurer"])
    assert "looking for partners" not in client.get(url).content.decode()


def test_panel_hidden_on_a_draft_challenge(client, grid):
    draft = ChallengeFactory(status=ChallengeStatus.DRAFT, owner=grid["challenge"].owner)
    client.force_login(grid["procurer"])

    assert "looking for partners" not in client.get(draft.get_absolute_url()).content.decode()


# --- Query counts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 6])
def test_board_query_count(client, grid, django_assert_num_queries, rows):
    for _ in range(rows - 1):
        SupplierProfileFactory(organisation=PartnerPostFactory(challenge=grid["challenge"]).organisation)
    client.force_login(grid["other_supplier"])

    # session, user, memberships (also the menu's), challenge, count, page of posts, own posts,
    # conversations, unread
    with django_assert_num_queries(9):
        response = client.get(reverse("suppliers:board", kwargs={"pk": grid["challenge"].pk}))

    assert len(response.context["page_obj"]) == rows


@pytest.mark.parametrize("rows", [1, 6])
def test_conversation_query_count(client, grid, django_assert_num_queries, rows):
    for _ in range(rows - 1):
        PartnerMessageFactory(conversation=grid["conversation"])
    client.force_login(grid["poster"])

    # session, user, memberships (also the menu's), conversation, count, messages, unread
    with django_assert_num_queries(7):
        response = client.get(reverse("suppliers:board-conversation", kwargs={"pk": grid["conversation"].pk}))

    assert len(response.context["page_obj"]) == rows
