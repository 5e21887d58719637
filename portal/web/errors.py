"""The portal's handler500: a database that is down or restarting is a 503 with a plain message, not a 500.

Django calls handler500 inside the `except` block of whatever raised, in a view or in any middleware (the
session and authentication middleware read the database before a view runs), so sys.exc_info() still holds
the exception here. The 503 needs no template and no database; anything else gets the normal 500 page."""

import sys

from django.db import InterfaceError as DjangoInterfaceError
from django.db import OperationalError as DjangoOperationalError
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views import defaults

# Seconds a client (or a proxy) is asked to wait before trying again.
RETRY_AFTER = 30


def _unavailability_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [DjangoOperationalError, DjangoInterfaceError]
    try:
        import psycopg
    except ImportError:  # SQLite only
        pass
    else:
        errors += [psycopg.OperationalError, psycopg.InterfaceError]
    return tuple(errors)


UNAVAILABLE = _unavailability_errors()


def database_unavailable(error: BaseException | None) -> bool:
    """Whether the error, or one it was raised from or during, says the database cannot be reached."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, UNAVAILABLE):
            return True
        error = error.__cause__ or error.__context__
    return False


def connection_lost() -> bool:
    """Whether the default database connection is gone (never opened, closed, or no longer answering). A
    deadlock, a timeout or a locked SQLite file is an error of one request on a working connection: a 500."""
    try:
        return connection.connection is None or not connection.is_usable()
    except Exception:
        return True


def server_error(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    if database_unavailable(sys.exc_info()[1]) and connection_lost():
        response = HttpResponse(
            _("The portal is briefly unavailable. Please try again in a minute.") + "\n",
            content_type="text/plain; charset=utf-8",
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER)
        response["Cache-Control"] = "no-store"
        return response
    return defaults.server_error(request, *args, **kwargs)
