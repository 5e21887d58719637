from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from portal.accounts.enums import MembershipRole, OrganisationKind, SMESize
from portal.accounts.models import Membership, Organisation
from portal.audit.models import AuditEvent
from tests.accounts.form_assertions import (
    assert_field_error,
    assert_input_value,
    assert_selected,
)
from tests.factories.accounts import (
    AdminMembershipFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    SupplierFactory,
    TOTPAuthenticatorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# Organisations: create and edit


def test_organisation_create_makes_the_creator_admin_and_active(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("accounts:organisation-create"),
        {"name": "Acme AS", "kind": OrganisationKind.SUPPLIER, "sme_size": SMESize.MICRO, "country": "NO"},
    )

    organisation = Organisation.objects.get(name="Acme AS")
    assert response.status_code == 302
    assert response["Location"] == organisation.get_absolute_url()
    assert Membership.objects.get(organisation=organisation).user == user
    assert Membership.objects.get(organisation=organisation).role == MembershipRole.ADMIN
    assert client.session["active_organisation_id"] == organisation.pk
    assert AuditEvent.objects.get(action="organisation.created").organisation == organisation


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/suppliers/consortium-invitations/", "/suppliers/consortium-invitations/"),
        ("https://evil.example/", None),
    ],
)
def test_organisation_create_returns_to_a_safe_next_address(client, next_url, expected):
    client.force_login(UserFactory())
    url = f"{reverse('accounts:organisation-create')}?{urlencode({'next': next_url})}"

    form_page = client.get(url)
    response = client.post(
        url,
        {"name": "Acme AS", "kind": OrganisationKind.SUPPLIER, "sme_size": SMESize.MICRO, "country": "NO"},
    )

    assert f'action="{url.replace("&", "&amp;")}"' in form_page.content.decode()
    assert response["Location"] == (expected or Organisation.objects.get(name="Acme AS").get_absolute_url())


@pytest.mark.parametrize(
    ("kind", "sme_size"),
    [
        (OrganisationKind.BUYER, ""),
        (OrganisationKind.SUPPLIER, SMESize.LARGE),
        (OrganisationKind.PROGRAMME, ""),
    ],
)
def test_organisation_create_each_kind(client, kind, sme_size):
    client.force_login(UserFactory())

    client.post(
        reverse("accounts:organisation-create"),
        {"name": "Nordic Innovation", "kind": kind, "sme_size": sme_size, "country": "NO"},
    )

    organisation = Organisation.objects.get(name="Nordic Innovation")
    assert (organisation.kind, organisation.sme_size) == (kind, sme_size)


def test_organisation_create_supplier_without_size_class_shows_error_and_keeps_input(client):
    client.force_login(UserFactory())

    response = client.post(
        reverse("accounts:organisation-create"),
        {
            "name": "Acme AS",
            "kind": OrganisationKind.SUPPLIER,
            "sme_size": "",
            "country": "NO",
            "city": "Molde",
        },
    )

    assert response.status_code == 200
    assert_field_error(response, "sme_size", "Choose the size class of a supplier.")
    assert_input_value(response, "name", "Acme AS")
    assert_input_value(response, "city", "Molde")
    assert_selected(response, "kind", OrganisationKind.SUPPLIER)
    assert_selected(response, "country", "NO")
    assert not Organisation.objects.exists()


def test_organisation_create_missing_name_and_bad_website_show_errors(client):
    client.force_login(UserFactory())

    response = client.post(
        reverse("accounts:organisation-create"),
        {
            "name": "",
            "kind": OrganisationKind.BUYER,
            "country": "NO",
            "website": "not a url",
            "region": "Agder",
        },
    )

    assert response.status_code == 200
    assert_field_error(response, "name", "This field is required.")
    assert_field_error(response, "website", "Enter a valid URL.")
    assert_input_value(response, "website", "not a url")
    assert_input_value(response, "region", "Agder")


def test_organisation_create_unknown_kind_shows_error(client):
    client.force_login(UserFactory())

    response = client.post(
        reverse("accounts:organisation-create"), {"name": "Acme", "kind": "government", "country": "NO"}
    )

    assert response.status_code == 200
    assert_field_error(
        response, "kind", "Select a valid choice. government is not one of the available choices."
    )


def test_organisation_create_buyer_with_size_class_drops_it(client):
    # A size class picked before switching the kind to buyer must not trip the database constraint.
    client.force_login(UserFactory())

    response = client.post(
        reverse("accounts:organisation-create"),
        {"name": "Oslo kommune", "kind": OrganisationKind.BUYER, "sme_size": SMESize.SMALL, "country": "NO"},
    )

    assert response.status_code == 302
    assert Organisation.objects.get(name="Oslo kommune").sme_size == ""


def test_organisation_update_saves_and_records_audit_entry(client, actors):
    client.force_login(actors["admin"])
    organisation = actors["organisation"]

    response = client.post(
        reverse("accounts:organisation-update", args=[organisation.slug]),
        {
            "name": "Trondheim kommune",
            "country": "NO",
            "city": "Trondheim",
            "website": "https://trondheim.kommune.no",
        },
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Trondheim kommune"
    assert organisation.website == "https://trondheim.kommune.no"
    assert AuditEvent.objects.get(action="organisation.updated").organisation == organisation


def test_organisation_update_keeps_kind(client, actors):
    client.force_login(actors["admin"])
    organisation = actors["organisation"]

    client.post(
        reverse("accounts:organisation-update", args=[organisation.slug]),
        {
            "name": organisation.name,
            "kind": OrganisationKind.SUPPLIER,
            "sme_size": SMESize.SMALL,
            "country": "NO",
        },
    )

    organisation.refresh_from_db()
    assert organisation.kind == OrganisationKind.BUYER
    assert organisation.sme_size == ""


def test_organisation_update_buyer_form_has_no_size_class(client, actors):
    client.force_login(actors["admin"])

    response = client.get(reverse("accounts:organisation-update", args=[actors["organisation"].slug]))

    assert 'name="sme_size"' not in response.content.decode()


def test_organisation_update_supplier_without_size_class_shows_error_and_keeps_input(client):
    supplier = SupplierFactory(name="Acme AS")
    admin = AdminMembershipFactory(organisation=supplier).user
    client.force_login(admin)

    response = client.post(
        reverse("accounts:organisation-update", args=[supplier.slug]),
        {"name": "Acme Nordic AS", "sme_size": "", "country": "SE", "identifier": "556677-8899"},
    )

    assert response.status_code == 200
    assert_field_error(response, "sme_size", "Choose the size class of a supplier.")
    assert_input_value(response, "name", "Acme Nordic AS")
    assert_input_value(response, "identifier", "556677-8899")
    assert_selected(response, "country", "SE")
    # The page title still names the organisation as saved.
    assert "<h1>Edit Acme AS</h1>" in response.content.decode()
    supplier.refresh_from_db()
    assert supplier.name == "Acme AS"


def test_organisation_update_no_changes_records_nothing(client, actors):
    client.force_login(actors["admin"])
    organisation = actors["organisation"]

    client.post(
        reverse("accounts:organisation-update", args=[organisation.slug]),
        {
            "name": organisation.name,
            "country": "NO",
            "region": organisation.region,
            "city": organisation.city,
        },
    )

    assert not AuditEvent.objects.filter(action="organisation.updated").exists()


# Organisation pages


def test_organisation_list_shows_members_their_organisations_only(client, actors):
    client.force_login(actors["member"])

    content = client.get(reverse("accounts:organisation-list")).content.decode()

    assert actors["organisation"].name in content
    assert actors["other_organisation"].name not in content
    assert "Your organisations" in content


def test_organisation_list_shows_staff_every_organisation(client, actors):
    client.force_login(actors["staff"])

    content = client.get(reverse("accounts:organisation-list")).content.decode()

    assert actors["organisation"].name in content
    assert actors["other_organisation"].name in content
    assert "All organisations" in content


def test_organisation_list_filters_by_kind(client, actors):
    supplier = SupplierFactory()
    client.force_login(actors["staff"])

    content = client.get(reverse("accounts:organisation-list"), {"kind": "supplier"}).content.decode()

    assert supplier.name in content
    assert actors["organisation"].name not in content


def test_organisation_list_ignores_unknown_kind(client, actors):
    client.force_login(actors["member"])

    response = client.get(reverse("accounts:organisation-list"), {"kind": "<script>"})

    assert response.status_code == 200
    assert actors["organisation"].name in response.content.decode()


def test_organisation_detail_lists_members(client, actors):
    client.force_login(actors["member"])

    content = client.get(actors["organisation"].get_absolute_url()).content.decode()

    for key in ("admin", "member"):
        assert actors[key].email in content
    assert actors["colleague_membership"].user.email in content


def test_organisation_detail_shows_management_to_admin_only(client, actors):
    InvitationFactory(organisation=actors["organisation"], email="pending@example.org")
    remove_url = reverse(
        "accounts:membership-remove", args=[actors["organisation"].slug, actors["colleague_membership"].pk]
    )

    client.force_login(actors["admin"])
    admin_page = client.get(actors["organisation"].get_absolute_url()).content.decode()
    client.force_login(actors["member"])
    member_page = client.get(actors["organisation"].get_absolute_url()).content.decode()

    assert "pending@example.org" in admin_page
    assert remove_url in admin_page
    assert "pending@example.org" not in member_page
    assert remove_url not in member_page


def test_organisation_detail_offers_member_to_leave(client, actors):
    client.force_login(actors["member"])

    content = client.get(actors["organisation"].get_absolute_url()).content.decode()

    leave_url = reverse(
        "accounts:membership-remove", args=[actors["organisation"].slug, actors["member_membership"].pk]
    )
    assert leave_url in content


# Invitations by admins


def test_invitation_create_sends_mail_and_shows_it_pending(
    client, actors, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(actors["admin"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:invitation-create", args=[actors["organisation"].slug]),
            {"email": "new@example.org", "role": MembershipRole.ADMIN},
        )

    assert response.status_code == 302
    assert [message.to for message in mailoutbox] == [["new@example.org"]]
    assert "An invitation has been sent to new@example.org." in _messages(response)
    assert "new@example.org" in client.get(actors["organisation"].get_absolute_url()).content.decode()


def test_invitation_create_bad_email_shows_error_and_keeps_input(client, actors):
    client.force_login(actors["admin"])

    response = client.post(
        reverse("accounts:invitation-create", args=[actors["organisation"].slug]),
        {"email": "not-an-address", "role": MembershipRole.ADMIN},
    )

    assert response.status_code == 200
    assert_field_error(response, "email", "Enter a valid email address.")
    assert_input_value(response, "email", "not-an-address")
    assert_selected(response, "role", MembershipRole.ADMIN)


def test_invitation_create_existing_member_shows_error(client, actors):
    client.force_login(actors["admin"])
    email = actors["member"].email

    response = client.post(
        reverse("accounts:invitation-create", args=[actors["organisation"].slug]),
        {"email": email, "role": MembershipRole.MEMBER},
    )

    assert response.status_code == 200
    assert_field_error(response, "email", f"{email} is already a member of {actors['organisation'].name}.")
    assert_input_value(response, "email", email)


def test_invitation_create_unknown_role_shows_error(client, actors):
    client.force_login(actors["admin"])

    response = client.post(
        reverse("accounts:invitation-create", args=[actors["organisation"].slug]),
        {"email": "new@example.org", "role": "owner"},
    )

    assert response.status_code == 200
    assert_field_error(response, "role", "Select a valid choice. owner is not one of the available choices.")


def test_invitation_revoke_withdraws_and_says_so(client, actors):
    client.force_login(actors["admin"])
    invitation = InvitationFactory(organisation=actors["organisation"], email="x@example.org")

    response = client.post(
        reverse("accounts:invitation-revoke", args=[actors["organisation"].slug, invitation.pk])
    )

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert "The invitation to x@example.org has been withdrawn." in _messages(response)
    assert AuditEvent.objects.get(action="invitation.revoked").organisation == actors["organisation"]


def test_invitation_revoke_twice_shows_message_not_error_page(client, actors):
    client.force_login(actors["admin"])
    invitation = InvitationFactory(organisation=actors["organisation"])
    url = reverse("accounts:invitation-revoke", args=[actors["organisation"].slug, invitation.pk])
    client.post(url)

    response = client.post(url)

    assert response.status_code == 302
    assert "This invitation has already been used or withdrawn." in _messages(response)


# Roles and removals


def test_membership_role_change_by_admin(client, actors):
    client.force_login(actors["admin"])
    colleague = actors["colleague_membership"]

    response = client.post(
        reverse("accounts:membership-role", args=[actors["organisation"].slug, colleague.pk]),
        {"role": "admin"},
    )

    assert response.status_code == 302
    assert response["Location"] == actors["organisation"].get_absolute_url()
    colleague.refresh_from_db()
    assert colleague.role == MembershipRole.ADMIN
    assert AuditEvent.objects.get(action="membership.role_changed").data["to"] == "admin"


def test_membership_role_invalid_role_says_so(client, actors):
    client.force_login(actors["admin"])
    colleague = actors["colleague_membership"]

    response = client.post(
        reverse("accounts:membership-role", args=[actors["organisation"].slug, colleague.pk]),
        {"role": "owner"},
    )

    assert response.status_code == 302
    assert "Choose a valid role." in _messages(response)
    colleague.refresh_from_db()
    assert colleague.role == MembershipRole.MEMBER


def test_membership_role_last_admin_demotion_refused_with_message(client, actors):
    client.force_login(actors["admin"])
    own = actors["admin_membership"]

    response = client.post(
        reverse("accounts:membership-role", args=[actors["organisation"].slug, own.pk]), {"role": "member"}
    )

    assert response.status_code == 302
    assert (
        "An organisation needs at least one administrator. Make someone else an administrator first."
        in _messages(response)
    )
    own.refresh_from_db()
    assert own.role == MembershipRole.ADMIN


def test_membership_remove_by_admin(client, actors):
    client.force_login(actors["admin"])
    colleague = actors["colleague_membership"]

    response = client.post(
        reverse("accounts:membership-remove", args=[actors["organisation"].slug, colleague.pk])
    )

    assert response["Location"] == actors["organisation"].get_absolute_url()
    assert not Membership.objects.filter(pk=colleague.pk).exists()
    assert f"{colleague.user} has been removed." in _messages(response)
    assert AuditEvent.objects.get(action="membership.removed").actor == actors["admin"]


def test_membership_remove_last_admin_leaving_refused_with_message(client, actors):
    client.force_login(actors["admin"])
    own = actors["admin_membership"]

    response = client.post(reverse("accounts:membership-remove", args=[actors["organisation"].slug, own.pk]))

    assert response.status_code == 302
    assert response["Location"] == actors["organisation"].get_absolute_url()
    assert (
        "An organisation needs at least one administrator. Make someone else an administrator first."
        in _messages(response)
    )
    assert Membership.objects.filter(pk=own.pk).exists()


def test_membership_remove_member_leaves(client, actors):
    client.force_login(actors["member"])
    own = actors["member_membership"]

    response = client.post(reverse("accounts:membership-remove", args=[actors["organisation"].slug, own.pk]))

    assert response["Location"] == reverse("accounts:organisation-list")
    assert not Membership.objects.filter(pk=own.pk).exists()
    assert f"You have left {actors['organisation'].name}." in _messages(response)
    assert AuditEvent.objects.get(action="membership.left").actor == actors["member"]
    assert client.get(actors["organisation"].get_absolute_url()).status_code == 404


def test_membership_remove_admin_leaves_when_another_admin_remains(client, actors):
    AdminMembershipFactory(organisation=actors["organisation"])
    client.force_login(actors["admin"])

    response = client.post(
        reverse(
            "accounts:membership-remove", args=[actors["organisation"].slug, actors["admin_membership"].pk]
        )
    )

    assert response["Location"] == reverse("accounts:organisation-list")
    assert not Membership.objects.filter(pk=actors["admin_membership"].pk).exists()


# Switching the active organisation


@pytest.fixture
def two_organisations():
    first = MembershipFactory(organisation=OrganisationFactory(name="Alpha kommune"))
    second = MembershipFactory(user=first.user, organisation=OrganisationFactory(name="Beta kommune"))
    return first.user, first.organisation, second.organisation


def test_organisation_switch_changes_active_organisation(client, two_organisations):
    user, _first, second = two_organisations
    client.force_login(user)

    response = client.post(
        reverse("accounts:organisation-switch"), {"organisation": second.pk, "next": "/organisations/"}
    )

    assert response["Location"] == "/organisations/"
    assert client.session["active_organisation_id"] == second.pk
    assert "You are now acting for Beta kommune." in _messages(response)
    page = client.get(reverse("web:home")).content.decode()
    assert f'<option value="{second.pk}" selected>Beta kommune</option>' in page


def test_organisation_switch_header_defaults_to_first_organisation(client, two_organisations):
    user, first, _second = two_organisations
    client.force_login(user)

    page = client.get(reverse("web:home")).content.decode()

    assert f'<option value="{first.pk}" selected>Alpha kommune</option>' in page


def test_organisation_switch_to_foreign_organisation_refused(client, two_organisations, actors):
    user, _first, _second = two_organisations
    client.force_login(user)

    response = client.post(
        reverse("accounts:organisation-switch"), {"organisation": actors["organisation"].pk}
    )

    assert response.status_code == 302
    assert "active_organisation_id" not in client.session
    assert "You are not a member of that organisation." in _messages(response)


@pytest.mark.parametrize("value", ["abc", "", "-1", "0", "1.5", "9" * 40])
def test_organisation_switch_malformed_organisation_refused(client, two_organisations, value):
    user, _first, _second = two_organisations
    client.force_login(user)

    response = client.post(reverse("accounts:organisation-switch"), {"organisation": value})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "active_organisation_id" not in client.session


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "http:/evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "https://testserver.evil.example/",
    ],
)
def test_organisation_switch_next_refuses_open_redirect(client, two_organisations, target):
    user, _first, second = two_organisations
    client.force_login(user)

    response = client.post(
        reverse("accounts:organisation-switch"), {"organisation": second.pk, "next": target}
    )

    assert response["Location"] == "/"


def test_organisation_switch_next_on_same_host_followed(client, two_organisations):
    user, _first, second = two_organisations
    client.force_login(user)

    response = client.post(
        reverse("accounts:organisation-switch"),
        {"organisation": second.pk, "next": "http://testserver/organisations/?kind=buyer"},
    )

    assert response["Location"] == "http://testserver/organisations/?kind=buyer"


def test_organisation_switch_next_that_is_a_url_name_is_not_reversed(client, two_organisations):
    user, _first, second = two_organisations
    client.force_login(user)

    response = client.post(
        reverse("accounts:organisation-switch"), {"organisation": second.pk, "next": "accounts:profile"}
    )

    assert response["Location"] == "/"


def test_active_organisation_falls_back_when_membership_ends(client, two_organisations):
    user, first, second = two_organisations
    client.force_login(user)
    client.post(reverse("accounts:organisation-switch"), {"organisation": second.pk})
    Membership.objects.filter(user=user, organisation=second).delete()

    client.get(reverse("web:home"))  # shows the message of the switch

    page = client.get(reverse("web:home")).content.decode()

    assert f'<span class="navbar-text">{first.name}</span>' in page
    assert second.name not in page


# Profile


def test_profile_saves_name_and_language(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), {"full_name": "Kari Nordmann", "language": "nb"})

    assert response["Location"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("Kari Nordmann", "nb")


def test_profile_language_applies_to_the_pages(client):
    client.force_login(UserFactory(language="en"))

    client.post(reverse("accounts:profile"), {"full_name": "Kari Nordmann", "language": "nb"})

    assert '<html lang="nb">' in client.get(reverse("accounts:profile")).content.decode()


def test_profile_bad_input_shows_errors_and_keeps_input(client):
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:profile"), {"full_name": "x" * 151, "language": "xx"})

    assert response.status_code == 200
    assert_field_error(response, "full_name", "Ensure this value has at most 150 characters (it has 151).")
    assert_field_error(response, "language", "Select a valid choice. xx is not one of the available choices.")
    assert_input_value(response, "full_name", "x" * 151)


def test_profile_missing_name_shows_error(client):
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:profile"), {"full_name": "", "language": "en"})

    assert_field_error(response, "full_name", "This field is required.")


# The pages each issue the same number of queries however many rows they show.


@pytest.mark.parametrize("rows", [1, 5])
def test_organisation_list_query_count_for_staff(client, django_assert_num_queries, rows):
    staff = TOTPAuthenticatorFactory().user
    for _ in range(rows):
        MembershipFactory.create_batch(2, organisation=OrganisationFactory())
    client.force_login(staff)

    # session, user, MFA check, count, page, memberships (header), notifications badge
    with django_assert_num_queries(7):
        response = client.get(reverse("accounts:organisation-list"))

    assert len(response.context["page_obj"].object_list) == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_organisation_list_query_count_for_member(client, django_assert_num_queries, rows):
    user = UserFactory()
    MembershipFactory.create_batch(rows, user=user)
    client.force_login(user)

    # session, user, roles (also the header's memberships), count, page, notifications badge, and the two
    # of Django's ModelBackend, asked for the site-wide "view all organisations" permission
    with django_assert_num_queries(8):
        response = client.get(reverse("accounts:organisation-list"))

    assert len(response.context["page_obj"].object_list) == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_organisation_detail_query_count(client, django_assert_num_queries, rows):
    admin = AdminMembershipFactory()
    organisation = admin.organisation
    MembershipFactory.create_batch(rows, organisation=organisation)
    InvitationFactory.create_batch(rows, organisation=organisation)
    client.force_login(admin.user)

    # session, user, organisation, roles (also the header's memberships), members, invitations,
    # notifications badge
    with django_assert_num_queries(7):
        response = client.get(organisation.get_absolute_url())

    assert len(response.context["members"]) == rows + 1


@pytest.mark.parametrize("rows", [1, 5])
def test_organisation_detail_query_count_for_member(client, django_assert_num_queries, rows):
    member = MembershipFactory()
    organisation = member.organisation
    AdminMembershipFactory(organisation=organisation)
    MembershipFactory.create_batch(rows, organisation=organisation)
    InvitationFactory.create_batch(rows, organisation=organisation)
    client.force_login(member.user)

    # session, user, organisation, roles (also the header's memberships), members, notifications badge
    with django_assert_num_queries(6):
        response = client.get(organisation.get_absolute_url())

    assert len(response.context["members"]) == rows + 2


@pytest.mark.parametrize("rows", [1, 5])
def test_organisation_detail_query_count_for_staff(client, django_assert_num_queries, rows):
    staff = TOTPAuthenticatorFactory().user
    organisation = AdminMembershipFactory().organisation
    MembershipFactory.create_batch(rows, organisation=organisation)
    client.force_login(staff)

    # session, user, MFA check, organisation, roles (also the header's memberships), members,
    # notifications badge
    with django_assert_num_queries(7):
        response = client.get(organisation.get_absolute_url())

    assert len(response.context["members"]) == rows + 1
