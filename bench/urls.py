"""The portal's URLs plus /bench/floor/: the cheapest page possible behind the very same middleware
(sessions, locale, CSRF, authentication, messages, CSP, audit context, active organisation, staff MFA),
so every page's latency can be read as a multiple of what the stack costs before a view does anything."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from portal.urls import urlpatterns as portal_urlpatterns


@require_safe
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench-floor"), *portal_urlpatterns]
