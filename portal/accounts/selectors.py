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
    """The signed-in user's memberships, read once per request (header, switcher, active organisation)."""
    if not hasattr(request, "_portal_memberships"):
        user = request.user
        request._portal_memberships = list(memberships_for_user(user=user)) if user.is_authenticated else []
    return request._portal_memberships


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
