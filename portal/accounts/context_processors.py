from .selectors import memberships_for_request


def organisations(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_memberships": memberships_for_request(request=request),
        "active_organisation": getattr(request, "organisation", None),
    }
