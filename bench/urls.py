"""The portal's URLs plus two floors behind the very same middleware (sessions, locale, CSRF, authentication,
messages, CSP, audit context, active organisation, staff MFA), so every page's latency can be read as a
multiple of what the stack costs before a view does anything:

- /bench/floor/: the cheapest response possible, `ok` in plain text;
- /bench/floor/layout/: the portal's layout (base.html) with an empty main part: what any page costs
  before its own content, as anyone (for a signed-in person: their organisations, unread notifications
  and the forms of the header)."""

import functools

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from django.views.decorators.http import require_safe

from portal.urls import urlpatterns as portal_urlpatterns


@require_safe
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@functools.cache
def _layout():
    return engines["django"].from_string(
        '{% extends "base.html" %}{% block title %}Floor{% endblock %}'
        "{% block content %}<h1>Floor</h1>{% endblock %}"
    )


@require_safe
def layout_floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_layout().render(request=request))


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("bench/floor/layout/", layout_floor, name="bench-layout-floor"),
    *portal_urlpatterns,
]
