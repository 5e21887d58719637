"""The portal's handler500 (portal.web.errors.server_error): a database that cannot be reached is a plain
503 with Retry-After, whether a view or a middleware hit it; any other error is the normal 500 page."""

import psycopg
import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns
from portal.web.errors import database_unavailable


def _raises(error: Exception):
    def view(request):
        raise error

    return view


def _raises_wrapped(request):
    try:
        raise psycopg.OperationalError("connection refused")
    except psycopg.OperationalError as error:
        raise RuntimeError("while loading the page") from error


urlpatterns = [
    path("operational/", _raises(OperationalError("server closed the connection unexpectedly"))),
    path("interface/", _raises(InterfaceError("connection already closed"))),
    path("wrapped/", _raises_wrapped),
    path("bug/", _raises(ZeroDivisionError("division by zero"))),
    *portal_urlpatterns,
]
handler500 = "portal.web.errors.server_error"


@pytest.fixture
def client(settings):
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/operational/", "/interface/", "/wrapped/"])
def test_an_unreachable_database_is_a_plain_503(client, url, monkeypatch):
    # The connection is lost when such an error comes from a database that went away (the real thing is
    # tests/faults/test_database_restart.py); here the error is raised by hand.
    monkeypatch.setattr("portal.web.errors.connection_lost", lambda: True)
    response = client.get(url)

    assert response.status_code == 503
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Retry-After"] == "30"
    assert response.content.decode() == "The portal is briefly unavailable. Please try again in a minute.\n"


def test_any_other_error_is_the_normal_500_page(client):
    response = client.get("/bug/")

    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.django_db
def test_a_failing_session_middleware_is_a_503_too(client, monkeypatch, settings):
    from django.contrib.sessions.backends.db import SessionStore

    def unreachable(self):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(SessionStore, "load", unreachable)
    # (The connection itself is fine in this test: say it is lost, as it would be.)
    monkeypatch.setattr("portal.web.errors.connection_lost", lambda: True)
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32

    response = client.get("/")

    assert response.status_code == 503


@pytest.mark.django_db
def test_a_database_error_on_a_working_connection_is_a_500(client):
    # A deadlock, a statement timeout or a locked SQLite file: one request failed, the database is there.
    from django.db import connection

    connection.ensure_connection()

    response = client.get("/operational/")

    assert response.status_code == 500
    assert "Retry-After" not in response


def test_database_unavailable_follows_the_chain_of_causes():
    assert database_unavailable(OperationalError())
    assert not database_unavailable(ValueError())
    assert not database_unavailable(None)
