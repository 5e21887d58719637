"""Refuse a request body that is too large with 413 Content Too Large, before any of it is read.

Django on its own answers 400 (RequestDataTooBig) for a form body over DATA_UPLOAD_MAX_MEMORY_SIZE and
reads — and spools to disk — a multipart body of any size before a form can say its file is too large.
This middleware looks only at the Content-Length header:

* a multipart body (a form with files) over ``MAX_REQUEST_BODY_BYTES`` (default 12 MB, so that a 10 MB
  document and the rest of its form still fit, and a document between the documents' own limit and this
  one still gets the upload form's friendly "the file is … ; the limit is …" error);
* any other body (a form without files, JSON) over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, which Django would
  refuse with a 400 anyway.

It belongs near the top of MIDDLEWARE, right after SecurityMiddleware: no session, database or CSRF work
is done for a request it refuses. The answer is short plain text in the language the browser asks for
(LocaleMiddleware has not run yet).
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

DEFAULT_MAX_REQUEST_BODY_BYTES = 12 * 1024 * 1024


def max_request_body_bytes() -> int:
    return getattr(settings, "MAX_REQUEST_BODY_BYTES", DEFAULT_MAX_REQUEST_BODY_BYTES)


def body_limit(request: HttpRequest) -> int | None:
    """The largest body this request may carry (None: no limit)."""
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.lower().startswith("multipart/"):
        return max_request_body_bytes()
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except (TypeError, ValueError):
        return 0  # as Django does: an unreadable length reads as an empty body


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    language = translation.get_language_from_request(request)
    with translation.override(language):
        message = _(
            "The request is too large: the limit is %(limit)s. Upload a smaller file, or send fewer files "
            "at once."
        ) % {"limit": filesizeformat(limit)}
    response = HttpResponse(f"{message}\n", status=413, content_type="text/plain; charset=utf-8")
    response["Content-Language"] = language
    response["X-Content-Type-Options"] = "nosniff"
    return response


class RequestBodyLimitMiddleware:
    """413 for a body whose declared length is over the limit; see the module's docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request)
        if limit is not None and declared_length(request) > limit:
            return too_large_response(request, limit)
        return self.get_response(request)
