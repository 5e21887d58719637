"""Profile permissions: view_profile (listed, or a member) and change_profile (the organisation's admins)."""

import pytest
import rules
from django.contrib.auth.models import AnonymousUser

from portal.accounts.enums import MembershipRole
from suppliers.models import SupplierProfile
from tests.factories.accounts import MembershipFactory, ProgrammeStaffFactory, SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    organisation = SupplierFactory()
    return {
        "organisation": organisation,
        "anonymous": AnonymousUser(),
        "member": MembershipFactory(organisation=organisation, role=MembershipRole.MEMBER).user,
        "admin": MembershipFactory(organisation=organisation, role=MembershipRole.ADMIN).user,
        "other_admin": MembershipFactory(organisation=SupplierFactory(), role=MembershipRole.ADMIN).user,
        "staff": ProgrammeStaffFactory(),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }


@pytest.mark.parametrize(
    ("person", "listed", "allowed"),
    [
        ("anonymous", True, True),
        ("anonymous", False, False),
        ("member", False, True),
        ("admin", False, True),
        ("other_admin", True, True),
        ("other_admin", False, False),
        ("staff", False, False),
        ("superuser", False, False),
    ],
)
def test_view_profile_rule(people, person, listed, allowed):
    profile = SupplierProfile(organisation=people["organisation"], is_listed=listed)
    assert rules.has_perm("suppliers.view_profile", people[person], profile) is allowed


@pytest.mark.parametrize(
    ("person", "allowed"),
    [
        ("anonymous", False),
        ("member", False),
        ("admin", True),
        ("other_admin", False),
        ("staff", False),
        ("superuser", False),
    ],
)
def test_change_profile_rule(people, person, allowed):
    # An unsaved profile (before the first edit) is judged by its organisation, like a saved one.
    profile = SupplierProfile(organisation=people["organisation"], is_listed=True)
    assert rules.has_perm("suppliers.change_profile", people[person], profile) is allowed


def test_change_profile_rule_runs_no_queries(people, django_assert_num_queries):
    admin = people["admin"]
    admin.organisation_ids  # noqa: B018 - memberships are read once per request, before the predicates
    profile = SupplierProfile(organisation=people["organisation"])
    with django_assert_num_queries(0):
        assert rules.has_perm("suppliers.change_profile", admin, profile)
        assert rules.has_perm("suppliers.view_profile", admin, profile)
