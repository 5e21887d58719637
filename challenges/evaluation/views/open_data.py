"""Open data: OCDS release packages (one challenge's, and all of them page by page) and the page that
explains them. Everything here is public and the same for everyone, so responses are cacheable."""

from datetime import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from .. import ocds
from ..selectors.open_data import (
    BULK_PAGE_SIZE,
    challenge_for_open_data,
    challenge_list_for_open_data,
    challenges_page_for_open_data,
)

CACHE_SECONDS = 300
LIST_PAGE_SIZE = 25
LIST_MAX = 1000


def _package_response(request: HttpRequest, package: dict) -> HttpResponse:
    response = JsonResponse(package, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    # Open data: any site may read it from a browser.
    response["Access-Control-Allow-Origin"] = "*"
    published: datetime = parse_datetime(package["publishedDate"])
    response["Last-Modified"] = http_date(published.timestamp())
    set_response_etag(response)
    return get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=int(published.timestamp()),
        response=response,
    )


@require_safe
def challenge_releases(request: HttpRequest, pk: int) -> HttpResponse:
    """Every release of one public challenge; anything not public is a 404 (its id reveals nothing)."""
    challenge = challenge_for_open_data(pk=pk)
    if challenge is None:
        raise Http404
    path = reverse("open_data:challenge-releases", kwargs={"pk": pk})
    package = ocds.release_package(releases=ocds.releases_for_challenge(challenge), uri=ocds.absolute(path))
    return _package_response(request, package)


# No portal publishes anywhere near this many challenges (BULK_PAGE_SIZE a page): a larger number is no
# page at all, and is refused before it reaches the database as an offset it cannot hold.
MAX_BULK_PAGE = 10_000


def _page_number(request: HttpRequest) -> int:
    """The bulk package's page from ?page= (1 by default); anything but 1 to MAX_BULK_PAGE is a 404, as is
    a page past the last one (bulk_releases)."""
    raw = request.GET.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(MAX_BULK_PAGE)):
        raise Http404
    page = int(raw)
    if not 1 <= page <= MAX_BULK_PAGE:
        raise Http404
    return page


@require_safe
def bulk_releases(request: HttpRequest) -> HttpResponse:
    """All releases of all public challenges, BULK_PAGE_SIZE challenges a page (oldest first, so pages
    already read keep their content), linked with links.next / links.prev (OCDS pagination extension).
    Each page reads the database a fixed number of times."""
    page = _page_number(request)
    challenges, has_next = challenges_page_for_open_data(page=page, size=BULK_PAGE_SIZE)
    if page > 1 and not challenges:
        raise Http404
    path = reverse("open_data:releases")

    def page_uri(number: int) -> str:
        return ocds.absolute(path if number == 1 else f"{path}?page={number}")

    links = {}
    if has_next:
        links["next"] = page_uri(page + 1)
    if page > 1:
        links["prev"] = page_uri(page - 1)
    releases = [release for challenge in challenges for release in ocds.releases_for_challenge(challenge)]
    package = ocds.release_package(
        releases=releases,
        uri=page_uri(page),
        extensions=[ocds.SCALE_EXTENSION, ocds.PAGINATION_EXTENSION],
        **({"links": links} if links else {}),
    )
    return _package_response(request, package)


@require_safe
def open_data_index(request: HttpRequest) -> HttpResponse:
    """What the open data is, its licence and identifiers, and where to get it."""
    # The newest LIST_MAX challenges: a deeper page would cost the database a walk over every one before it
    # (the bulk package, paged by id, has them all).
    page_obj = Paginator(challenge_list_for_open_data()[:LIST_MAX], LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(challenge, ocds.ocid_for(challenge)) for challenge in page_obj.object_list]
    return render(
        request,
        "evaluation/open_data/index.html",
        {
            "page_obj": page_obj,
            "list_max": LIST_MAX,
            "rows": rows,
            "ocid_prefix": settings.OCDS_OCID_PREFIX,
            "license_url": ocds.license_url(),
            "license_name": ocds.license_name(),
            "publisher_name": settings.PORTAL_NAME,
            "bulk_url": reverse("open_data:releases"),
            "feed_url": reverse("open_data:feed"),
            "bulk_page_size": BULK_PAGE_SIZE,
            "example_url": reverse("open_data:challenge-releases", kwargs={"pk": 123}),
            "cache_minutes": CACHE_SECONDS // 60,
        },
    )
