from django.db.models import Count, QuerySet

from .models import Invitation, Membership, Organisation


def memberships_for_user(*, user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def organisations_for_user(*, user) -> QuerySet[Organisation]:
    return Organisation.objects.visible_to(user).annotate(member_count=Count("memberships")).order_by("name")


def members_of(*, organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("user__full_name", "user__email")


def pending_invitations_of(*, organisation: Organisation) -> QuerySet[Invitation]:
    return organisation.invitations.pending().select_related("invited_by").order_by("-created_at")


def memberships_for_request(*, request) -> list[Membership]:
    """The signed-in user's memberships (header, switcher, active organisation): the same rows, read once
    per request, that the permission predicates read their roles from (User.membership_rows)."""
    user = request.user
    return user.membership_rows if user.is_authenticated else []


def active_organisation_for(*, request) -> Organisation | None:
    """The organisation the user acts for: the one chosen in the switcher if they still belong to it,
    else their first."""
    memberships = memberships_for_request(request=request)
    if not memberships:
        return None
    chosen = request.session.get("active_organisation_id")
    for membership in memberships:
        if membership.organisation_id == chosen:
            return membership.organisation
    return memberships[0].organisation
