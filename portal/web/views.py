from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from challenges.selectors.discovery import open_challenges_closing_soon
from portal.accounts.selectors import memberships_for_user
from portal.web.pagecache import public_page


@public_page
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    memberships = memberships_for_user(user=request.user) if request.user.is_authenticated else []
    return render(
        request,
        "web/home.html",
        {"memberships": memberships, "open_challenges": open_challenges_closing_soon()},
    )


@never_cache
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and container health checks: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
