from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from .rules import is_programme_staff
from .selectors import active_organisation_for


class ActiveOrganisationMiddleware:
    """request.organisation: the organisation the user acts for, read only when a page asks for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organisation = SimpleLazyObject(lambda: active_organisation_for(request=request))
        return self.get_response(request)


class RequireStaffMFAMiddleware:
    """Programme staff must sign in with two factors: until they have set up an authenticator app, every
    page but the set-up pages sends them there."""

    allowed_prefixes = ("/accounts/", "/i18n/", "/static/", "/health/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            is_programme_staff(user)
            and not request.path.startswith(self.allowed_prefixes)
            and not _has_totp(user)
        ):
            messages.warning(
                request, _("Programme staff must turn on two-factor authentication before continuing.")
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
