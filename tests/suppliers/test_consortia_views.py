"""Consortium pages: who may open or post to each, and what a lead and an invited partner do on them."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.accounts.enums import MembershipRole
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from suppliers import kinds
from suppliers.enums import PartnerStatus, ProposalStatus
from suppliers.models import ConsortiumPartner
from suppliers.services.consortia import INVITATION_LIFETIME, invite_partner_by_email
from tests.factories.accounts import MembershipFactory, SupplierFactory, UserFactory
from tests.factories.suppliers import ConsortiumPartnerFactory, ProposalFactory, SupplierProfileFactory
from tests.suppliers.conftest import ACTORS, close_challenge

pytestmark = pytest.mark.django_db
GRID_ACTORS = [*ACTORS, "invited"]


@pytest.fixture
def grid(actors):
    invitation = ConsortiumPartnerFactory(proposal=actors["proposal"])
    invited = MembershipFactory(organisation=invitation.organisation, role=MembershipRole.ADMIN).user
    _partner, token = invite_partner_by_email(
        proposal=actors["proposal"],
        by=actors["lead"],
        email="someone@new-partner.example",
        role="Design",
        work_share=Decimal("10"),
    )
    return {**actors, "invited": invited, "invitation": invitation, "token": token}


def login(client, grid, actor):
    if user := grid[actor]:
        client.force_login(user)


def h1_count(response) -> int:
    return len(re.findall(r"<h1[ >]", response.content.decode()))


def submit(proposal):
    proposal.status, proposal.submitted_at = ProposalStatus.SUBMITTED, timezone.now()
    proposal.save()


# --- Permission grids -------------------------------------------------------------------------------------

PAGE_BEFORE_CLOSE = {
    "anonymous": 302,
    "lead": 200,
    "lead_admin": 200,
    "partner": 200,
    "other_supplier": 404,
    "procurer": 404,
    "evaluator": 404,
    "staff": 404,
    "superuser": 404,
    "invited": 404,
}


@pytest.mark.parametrize("actor", GRID_ACTORS)
def test_consortium_page_access_before_close(client, grid, actor):
    login(client, grid, actor)

    response = client.get(reverse("suppliers:consortium", kwargs={"pk": grid["proposal"].pk}))

    assert response.status_code == PAGE_BEFORE_CLOSE[actor]


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 302),
        ("lead", 200),
        ("partner", 200),
        ("other_supplier", 404),
        # The bidders' working page only: the buyer and the panel read the consortium on the proposal's
        # read page, which records each opening.
        ("procurer", 404),
        ("evaluator", 404),
        ("staff", 404),
        ("superuser", 404),
        ("invited", 404),
    ],
)
def test_consortium_page_access_after_close_of_a_submitted_proposal(client, grid, actor, status):
    submit(grid["proposal"])
    close_challenge(grid["challenge"])
    login(client, grid, actor)

    response = client.get(reverse("suppliers:consortium", kwargs={"pk": grid["proposal"].pk}))

    assert response.status_code == status
    if status == 200:
        assert "Send the invitation" not in response.content.decode()


INVITE_BEFORE_CLOSE = {**PAGE_BEFORE_CLOSE, "lead": 302, "lead_admin": 302, "partner": 403}
INVITE_AFTER_CLOSE = {**PAGE_BEFORE_CLOSE, "lead": 403, "lead_admin": 403, "partner": 403}


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("actor", GRID_ACTORS)
def test_invite_by_email_access(client, grid, actor, closed):
    if closed:
        close_challenge(grid["challenge"])
    login(client, grid, actor)

    response = client.post(
        reverse("suppliers:consortium-invite-email", kwargs={"pk": grid["proposal"].pk}),
        {"email": "x@partner.example", "role": "Testing", "work_share": "5"},
    )

    assert response.status_code == (INVITE_AFTER_CLOSE if closed else INVITE_BEFORE_CLOSE)[actor]


@pytest.mark.parametrize("name", ["consortium-invite", "consortium-lead"])
@pytest.mark.parametrize("actor", GRID_ACTORS)
def test_other_lead_actions_access(client, grid, actor, name):
    login(client, grid, actor)

    response = client.post(
        reverse(f"suppliers:{name}", kwargs={"pk": grid["proposal"].pk}), {"lead_share": "not a number"}
    )

    # The lead's invalid form comes back with its errors (200); the others never reach the form.
    expected = {**INVITE_BEFORE_CLOSE, "lead": 200, "lead_admin": 200}[actor]
    assert response.status_code == expected


@pytest.mark.parametrize("name", ["consortium-partner-withdraw", "consortium-partner-remove"])
@pytest.mark.parametrize("actor", GRID_ACTORS)
def test_partner_actions_access(client, grid, actor, name):
    login(client, grid, actor)
    partner = grid["invitation"] if name.endswith("withdraw") else grid["partnership"]

    response = client.post(
        reverse(f"suppliers:{name}", kwargs={"pk": grid["proposal"].pk, "partner_pk": partner.pk})
    )

    assert response.status_code == INVITE_BEFORE_CLOSE[actor]


@pytest.mark.parametrize("actor", GRID_ACTORS)
def test_invitation_list_access(client, grid, actor):
    login(client, grid, actor)

    response = client.get(reverse("suppliers:partner-invitation-list"))

    assert response.status_code == (302 if actor == "anonymous" else 200)
    if actor == "invited":
        assert grid["challenge"].title in response.content.decode()
    elif actor != "anonymous":
        assert grid["challenge"].title not in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("actor", GRID_ACTORS)
def test_invitation_detail_access(client, grid, actor, method):
    login(client, grid, actor)
    url = reverse("suppliers:partner-invitation-detail", kwargs={"pk": grid["invitation"].pk})

    response = getattr(client, method)(url, {"decision": "decline"} if method == "post" else None)

    expected = {"anonymous": 302, "invited": 200 if method == "get" else 302}.get(actor, 404)
    assert response.status_code == expected


@pytest.mark.parametrize("actor", GRID_ACTORS)
def test_invitation_link_page_access(client, grid, actor):
    login(client, grid, actor)

    response = client.get(reverse("suppliers:partner-invitation-token", kwargs={"token": grid["token"]}))

    assert response.status_code == 200
    assert h1_count(response) == 1


def test_invitation_link_page_with_a_wrong_token_is_404(client, grid):
    response = client.get(reverse("suppliers:partner-invitation-token", kwargs={"token": "wrong"}))

    assert response.status_code == 404


# --- The lead's page --------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["procurer", "evaluator"])
def test_after_close_readers_see_the_consortium_on_the_audited_read_page_without_invitations(
    client, grid, actor
):
    submit(grid["proposal"])
    close_challenge(grid["challenge"])
    login(client, grid, actor)

    response = client.get(reverse("suppliers:proposal-detail", kwargs={"pk": grid["proposal"].pk}))

    html = response.content.decode()
    assert response.status_code == 200
    assert grid["partnership"].organisation.name in html
    assert grid["partnership"].role in html
    # Pending invitations (by organisation or by address) are the bidders' business.
    assert grid["invitation"].organisation.name not in html
    assert "someone@new-partner.example" not in html
    assert AuditEvent.objects.filter(
        actor=grid[actor], action="proposal.opened", target_id=str(grid["proposal"].pk)
    ).exists()


def test_consortium_page_links_back_to_the_editor_and_the_read_page(client, grid):
    client.force_login(grid["lead"])
    proposal = grid["proposal"]

    html = client.get(reverse("suppliers:consortium", kwargs={"pk": proposal.pk})).content.decode()

    assert f'href="{reverse("suppliers:proposal-edit", kwargs={"pk": proposal.pk})}"' in html
    assert f'href="{reverse("suppliers:proposal-detail", kwargs={"pk": proposal.pk})}"' in html
    assert "Back to the proposal editor" in html
    assert "See it as it will be read" in html


def test_consortium_page_of_a_submitted_proposal_links_to_the_read_page_only(client, grid):
    submit(grid["proposal"])
    client.force_login(grid["lead"])

    html = client.get(reverse("suppliers:consortium", kwargs={"pk": grid["proposal"].pk})).content.decode()

    assert "Back to the proposal editor" not in html
    assert "See it as it will be read" in html


def test_lead_finds_and_invites_an_organisation(client, grid):
    wanted = SupplierFactory(name="Fjord Sensors AS", city="Bergen")
    SupplierProfileFactory(organisation=wanted, is_listed=True)
    admin = MembershipFactory(organisation=wanted, role=MembershipRole.ADMIN).user
    client.force_login(grid["lead"])
    url = reverse("suppliers:consortium", kwargs={"pk": grid["proposal"].pk})

    page = client.get(url, {"q": "fjord"})
    assert "Fjord Sensors AS, Bergen" in page.content.decode()
    assert h1_count(page) == 1
    assert page.context["organisation_form"]["organisation"].value() == wanted.pk  # the one match is chosen
    response = client.post(
        reverse("suppliers:consortium-invite", kwargs={"pk": grid["proposal"].pk}),
        {"q": "fjord", "organisation": wanted.pk, "role": "Sensors", "work_share": "25", "message": ""},
    )

    assert response.status_code == 302
    assert ConsortiumPartner.objects.get(organisation=wanted).status == PartnerStatus.INVITED
    assert Notification.objects.filter(recipient=admin, kind=kinds.PARTNER_INVITED.key).exists()


def _search(client, grid, query):
    return client.get(reverse("suppliers:consortium", kwargs={"pk": grid["proposal"].pk}), {"q": query})


def test_search_finds_an_organisation_outside_the_directory_only_by_exact_name_or_number(client, grid):
    unlisted = SupplierFactory(name="Quiet Robotics AS", identifier="NO 912 345 678")
    SupplierProfileFactory(organisation=unlisted, is_listed=False)
    no_profile = SupplierFactory(name="Quieter Systems AB")
    client.force_login(grid["lead"])

    for partial in ["qu", "Quiet", "Robotics", "quieter"]:
        assert _search(client, grid, partial).context["found"] == [], partial
    assert _search(client, grid, "quiet robotics as").context["found"] == [unlisted]
    assert _search(client, grid, "no 912 345 678").context["found"] == [unlisted]
    assert _search(client, grid, "Quieter Systems AB").context["found"] == [no_profile]
    page = _search(client, grid, "Quiet")
    assert "found only by its exact name or organisation number" in page.content.decode()


def test_search_finds_a_directory_organisation_by_part_of_its_name(client, grid):
    listed = SupplierFactory(name="Loud Robotics AS")
    SupplierProfileFactory(organisation=listed, is_listed=True)
    client.force_login(grid["lead"])

    assert _search(client, grid, "robot").context["found"] == [listed]


def test_search_does_not_offer_the_lead_itself(client, grid):
    client.force_login(grid["lead"])

    response = client.get(
        reverse("suppliers:consortium", kwargs={"pk": grid["proposal"].pk}),
        {"q": grid["proposal"].supplier.name},
    )

    assert response.context["found"] == []


def test_invite_with_a_bad_share_keeps_what_was_typed(client, grid):
    client.force_login(grid["lead"])

    response = client.post(
        reverse("suppliers:consortium-invite-email", kwargs={"pk": grid["proposal"].pk}),
        {"email": "keep@partner.example", "role": "Keep this role", "work_share": "150"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "work_share" in response.context["email_form"].errors
    assert 'value="keep@partner.example"' in html
    assert "Keep this role" in html
    assert "There is a problem" in html


def test_duplicate_invitation_shows_the_refusal_in_the_form(client, grid):
    client.force_login(grid["lead"])

    response = client.post(
        reverse("suppliers:consortium-invite-email", kwargs={"pk": grid["proposal"].pk}),
        {"email": "someone@new-partner.example", "role": "Design", "work_share": "10"},
    )

    assert response.status_code == 200
    assert "already been invited" in response.content.decode()


def test_lead_states_its_role_and_share(client, grid):
    client.force_login(grid["lead"])

    response = client.post(
        reverse("suppliers:consortium-lead", kwargs={"pk": grid["proposal"].pk}),
        {"lead_role": "Software and project lead", "lead_share": "60"},
    )

    assert response.status_code == 302
    grid["proposal"].refresh_from_db()
    assert (grid["proposal"].lead_role, grid["proposal"].lead_share) == (
        "Software and project lead",
        Decimal("60"),
    )
    page = client.get(reverse("suppliers:consortium", kwargs={"pk": grid["proposal"].pk}))
    assert "Software and project lead" in page.content.decode()
    assert page.context["total_share"] == Decimal("90")  # 60 + the accepted partner's 30


def test_lead_removes_a_partner_who_then_loses_access(client, grid):
    client.force_login(grid["lead"])

    client.post(
        reverse(
            "suppliers:consortium-partner-remove",
            kwargs={"pk": grid["proposal"].pk, "partner_pk": grid["partnership"].pk},
        )
    )

    client.force_login(grid["partner"])
    response = client.get(reverse("suppliers:consortium", kwargs={"pk": grid["proposal"].pk}))
    assert response.status_code == 404


def test_consortium_page_query_count_is_constant(client, grid, django_assert_num_queries):
    client.force_login(grid["lead"])
    url = reverse("suppliers:consortium", kwargs={"pk": grid["proposal"].pk})
    client.get(url)
    for _ in range(4):
        ConsortiumPartnerFactory(proposal=grid["proposal"])

    # session, user, memberships (also the menu's), proposal (the bidders' own only), partners, search,
    # unread
    with django_assert_num_queries(7):
        client.get(url, {"q": "Supplier"})


# --- The invited side -------------------------------------------------------------------------------------


def test_inbox_shows_the_challenge_and_lead_but_not_the_proposal(client, grid):
    client.force_login(grid["invited"])

    html = client.get(reverse("suppliers:partner-invitation-list")).content.decode()

    assert grid["challenge"].title in html
    assert grid["proposal"].supplier.name in html
    assert grid["proposal"].title not in html
    assert grid["proposal"].summary not in html


@pytest.mark.parametrize("rows", [1, 5])
def test_inbox_query_count(client, django_assert_num_queries, rows):
    organisation = SupplierFactory()
    user = MembershipFactory(organisation=organisation).user
    for _ in range(rows):
        ConsortiumPartnerFactory(organisation=organisation)
    client.force_login(user)

    # session, user, memberships (also the menu's), count, page, unread count
    with django_assert_num_queries(6):
        response = client.get(reverse("suppliers:partner-invitation-list"))

    assert len(response.context["page_obj"]) == rows


def test_invited_member_accepts_from_the_inbox(client, grid):
    client.force_login(grid["invited"])

    response = client.post(
        reverse("suppliers:partner-invitation-detail", kwargs={"pk": grid["invitation"].pk}),
        {"decision": "accept"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("suppliers:consortium", kwargs={"pk": grid["proposal"].pk})
    assert client.get(response["Location"]).status_code == 200
    assert Notification.objects.filter(kind=kinds.PARTNER_ACCEPTED.key, recipient=grid["lead_admin"]).exists()


def test_accept_refusal_is_shown_on_the_page(client, grid):
    ProposalFactory(challenge=grid["challenge"], supplier=grid["invitation"].organisation)
    client.force_login(grid["invited"])

    response = client.post(
        reverse("suppliers:partner-invitation-detail", kwargs={"pk": grid["invitation"].pk}),
        {"decision": "accept"},
    )

    assert response.status_code == 200
    assert "its own proposal" in response.content.decode()


def test_anonymous_link_page_offers_sign_in_and_sign_up_coming_back(client, grid):
    url = reverse("suppliers:partner-invitation-token", kwargs={"token": grid["token"]})

    html = client.get(url).content.decode()

    assert f"{reverse('account_login')}?next={url}" in html
    assert f"{reverse('account_signup')}?next={url}" in html
    assert grid["proposal"].summary not in html


def test_signed_in_person_accepts_a_link_for_their_organisation(client, grid):
    organisation = SupplierFactory()
    user = MembershipFactory(organisation=organisation).user
    client.force_login(user)
    url = reverse("suppliers:partner-invitation-token", kwargs={"token": grid["token"]})

    response = client.post(url, {"organisation": organisation.pk, "decision": "accept"})

    assert response.status_code == 302
    partner = ConsortiumPartner.objects.get(email="someone@new-partner.example")
    assert (partner.status, partner.organisation) == (PartnerStatus.ACCEPTED, organisation)
    used = client.get(url).content.decode()
    assert "has been accepted by" in used


def test_link_accept_without_choosing_keeps_the_page_with_an_error(client, grid):
    first, second = SupplierFactory(), SupplierFactory()
    user = MembershipFactory(organisation=first).user
    MembershipFactory(organisation=second, user=user)
    client.force_login(user)

    response = client.post(
        reverse("suppliers:partner-invitation-token", kwargs={"token": grid["token"]}), {"decision": "accept"}
    )

    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors


def test_link_for_someone_without_a_supplier_organisation(client, grid):
    client.force_login(UserFactory())

    html = client.get(
        reverse("suppliers:partner-invitation-token", kwargs={"token": grid["token"]})
    ).content.decode()

    assert reverse("accounts:organisation-create") in html


def test_expired_link_page_says_so_and_refuses(client, grid):
    ConsortiumPartner.objects.filter(email="someone@new-partner.example").update(
        invited_at=timezone.now() - INVITATION_LIFETIME - timedelta(seconds=1)
    )
    organisation = SupplierFactory()
    client.force_login(MembershipFactory(organisation=organisation).user)
    url = reverse("suppliers:partner-invitation-token", kwargs={"token": grid["token"]})

    assert "has expired" in client.get(url).content.decode()
    client.post(url, {"organisation": organisation.pk, "decision": "accept"})
    assert ConsortiumPartner.objects.get(email="someone@new-partner.example").status == PartnerStatus.INVITED
