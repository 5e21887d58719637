"""Who may do what with organisations and memberships. Predicates run no queries: a user's roles are
read once per request (User.organisation_roles)."""

import rules

from .enums import MembershipRole


@rules.predicate
def is_programme_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_programme_staff)


@rules.predicate
def is_organisation_member(user, organisation) -> bool:
    return bool(
        user.is_authenticated and organisation is not None and organisation.pk in user.organisation_roles
    )


@rules.predicate
def is_organisation_admin(user, organisation) -> bool:
    return bool(
        user.is_authenticated
        and organisation is not None
        and user.organisation_roles.get(organisation.pk) == MembershipRole.ADMIN
    )


@rules.predicate
def is_self(user, membership) -> bool:
    return bool(user.is_authenticated and membership is not None and membership.user_id == user.pk)


@rules.predicate
def is_admin_of_membership_organisation(user, membership) -> bool:
    return bool(
        user.is_authenticated
        and membership is not None
        and user.organisation_roles.get(membership.organisation_id) == MembershipRole.ADMIN
    )


rules.add_perm("accounts.view_organisation", is_organisation_member | is_programme_staff)
rules.add_perm("accounts.change_organisation", is_organisation_admin)
rules.add_perm("accounts.invite_member", is_organisation_admin)
rules.add_perm("accounts.manage_members", is_organisation_admin)
rules.add_perm("accounts.change_membership_role", is_admin_of_membership_organisation)
rules.add_perm("accounts.remove_membership", is_admin_of_membership_organisation | is_self)
rules.add_perm("accounts.view_all_organisations", is_programme_staff)

# For templates that must not trigger Django's model-permission queries (the header on every page).
rules.add_rule("is_programme_staff", is_programme_staff)
