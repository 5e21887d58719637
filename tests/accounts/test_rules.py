import pytest
from django.contrib.auth.models import AnonymousUser

from portal.accounts.rules import (
    is_admin_of_membership_organisation,
    is_organisation_admin,
    is_organisation_member,
    is_programme_staff,
    is_self,
)
from tests.factories.accounts import (
    AdminMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeStaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_is_programme_staff_true_for_staff():
    assert is_programme_staff(ProgrammeStaffFactory()) is True


def test_is_programme_staff_false_for_other_users():
    assert is_programme_staff(UserFactory()) is False


def test_is_programme_staff_false_for_anonymous():
    assert is_programme_staff(AnonymousUser()) is False


def test_is_programme_staff_false_for_django_admin_without_the_programme_role():
    assert is_programme_staff(UserFactory(is_staff=True, is_superuser=True)) is False


def test_is_organisation_member_true_for_member_and_admin():
    member = MembershipFactory()
    admin = AdminMembershipFactory(organisation=member.organisation)

    assert is_organisation_member(member.user, member.organisation) is True
    assert is_organisation_member(admin.user, member.organisation) is True


def test_is_organisation_member_false_for_outsiders():
    organisation = OrganisationFactory()

    assert is_organisation_member(UserFactory(), organisation) is False
    assert is_organisation_member(AnonymousUser(), organisation) is False
    assert is_organisation_member(ProgrammeStaffFactory(), organisation) is False


def test_is_organisation_member_false_without_organisation():
    assert is_organisation_member(MembershipFactory().user, None) is False


def test_is_organisation_admin_true_only_for_admins():
    member = MembershipFactory()
    admin = AdminMembershipFactory(organisation=member.organisation)

    assert is_organisation_admin(admin.user, member.organisation) is True
    assert is_organisation_admin(member.user, member.organisation) is False


def test_is_organisation_admin_false_for_admin_of_another_organisation():
    admin = AdminMembershipFactory()

    assert is_organisation_admin(admin.user, OrganisationFactory()) is False


def test_is_organisation_admin_false_for_anonymous_and_missing_organisation():
    admin = AdminMembershipFactory()

    assert is_organisation_admin(AnonymousUser(), admin.organisation) is False
    assert is_organisation_admin(admin.user, None) is False


def test_is_self_true_for_own_membership():
    membership = MembershipFactory()

    assert is_self(membership.user, membership) is True


def test_is_self_false_for_someone_elses_membership():
    membership = MembershipFactory()

    assert is_self(UserFactory(), membership) is False
    assert is_self(AnonymousUser(), membership) is False
    assert is_self(membership.user, None) is False


def test_is_admin_of_membership_organisation_true_for_admin_of_that_organisation():
    membership = MembershipFactory()
    admin = AdminMembershipFactory(organisation=membership.organisation)

    assert is_admin_of_membership_organisation(admin.user, membership) is True


def test_is_admin_of_membership_organisation_false_for_members_and_other_admins():
    membership = MembershipFactory()
    colleague = MembershipFactory(organisation=membership.organisation)
    other_admin = AdminMembershipFactory()

    assert is_admin_of_membership_organisation(colleague.user, membership) is False
    assert is_admin_of_membership_organisation(other_admin.user, membership) is False
    assert is_admin_of_membership_organisation(AnonymousUser(), membership) is False
    assert is_admin_of_membership_organisation(other_admin.user, None) is False


def test_predicates_run_no_queries_once_roles_are_read(django_assert_num_queries):
    admin = AdminMembershipFactory()
    membership = MembershipFactory(organisation=admin.organisation)
    user = admin.user
    user.organisation_roles  # noqa: B018 - read once per request

    with django_assert_num_queries(0):
        assert is_organisation_member(user, admin.organisation)
        assert is_organisation_admin(user, admin.organisation)
        assert is_admin_of_membership_organisation(user, membership)
        assert not is_self(user, membership)
        assert not is_programme_staff(user)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("member", True), ("admin", True), ("other_admin", False), ("staff", True)],
)
def test_view_organisation_permission(actors, actor, expected):
    assert actors[actor].has_perm("accounts.view_organisation", actors["organisation"]) is expected


@pytest.mark.parametrize(
    "perm", ["accounts.change_organisation", "accounts.invite_member", "accounts.manage_members"]
)
@pytest.mark.parametrize(
    ("actor", "expected"),
    [("member", False), ("admin", True), ("other_admin", False), ("staff", False)],
)
def test_organisation_admin_permissions(actors, perm, actor, expected):
    assert actors[actor].has_perm(perm, actors["organisation"]) is expected


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("member", False), ("admin", True), ("other_admin", False), ("staff", False)],
)
def test_change_membership_role_permission(actors, actor, expected):
    assert (
        actors[actor].has_perm("accounts.change_membership_role", actors["colleague_membership"]) is expected
    )


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("member", False), ("admin", True), ("other_admin", False), ("staff", False)],
)
def test_remove_membership_permission_for_someone_else(actors, actor, expected):
    assert actors[actor].has_perm("accounts.remove_membership", actors["colleague_membership"]) is expected


def test_remove_membership_permission_for_own_membership(actors):
    assert actors["member"].has_perm("accounts.remove_membership", actors["member_membership"]) is True


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("member", False), ("admin", False), ("other_admin", False), ("staff", True)],
)
def test_view_all_organisations_permission(actors, actor, expected):
    assert actors[actor].has_perm("accounts.view_all_organisations") is expected


def test_permissions_refused_to_anonymous(actors):
    anonymous = AnonymousUser()

    assert anonymous.has_perm("accounts.view_organisation", actors["organisation"]) is False
    assert anonymous.has_perm("accounts.change_organisation", actors["organisation"]) is False
    assert anonymous.has_perm("accounts.remove_membership", actors["member_membership"]) is False
    assert anonymous.has_perm("accounts.view_all_organisations") is False
