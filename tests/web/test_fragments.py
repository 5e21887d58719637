"""private_fragment's key and switches (portal/web/fragments.py). How the version follows the rows is tested
with its caller, on PostgreSQL (tests/evaluation/test_scoring_cache.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from portal.accounts.models import Membership
from portal.web.fragments import Rows, private_fragment, rows_version
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


class Renders:
    """A render function that counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"<p>rendered {self.calls}</p>"


def _request(user, path="/evaluation/challenges/1/scoring/", language="en"):
    request = RequestFactory().get(path)
    request.user = user
    request.LANGUAGE_CODE = language
    return request


def test_a_part_is_kept_for_its_person_at_its_version():
    alice, bob = UserFactory(), UserFactory()
    render = Renders()

    first = private_fragment(_request(alice), name="list", version="v1", render=render)
    again = private_fragment(_request(alice), name="list", version="v1", render=render)

    assert first == again == "<p>rendered 1</p>" and render.calls == 1
    # Another person, version, language, page or time zone: rendered again.
    private_fragment(_request(bob), name="list", version="v1", render=render)
    private_fragment(_request(alice), name="list", version="v2", render=render)
    private_fragment(_request(alice, language="nb"), name="list", version="v1", render=render)
    private_fragment(
        _request(alice, path="/evaluation/challenges/1/scoring/?page=2"),
        name="list",
        version="v1",
        render=render,
    )
    with timezone.override("America/Chicago"):
        private_fragment(_request(alice), name="list", version="v1", render=render)
    assert render.calls == 6


def test_without_a_version_a_person_or_the_setting_a_part_is_always_rendered(settings):
    user = UserFactory()
    render = Renders()

    for _ in range(2):
        private_fragment(_request(user), name="list", version=None, render=render)
        private_fragment(_request(AnonymousUser()), name="list", version="v1", render=render)
    settings.PRIVATE_FRAGMENT_CACHE_SECONDS = 0
    for _ in range(2):
        private_fragment(_request(user), name="list", version="v1", render=render)

    assert render.calls == 6


@pytest.mark.skipif(connection.vendor == "postgresql", reason="what other databases than PostgreSQL give")
def test_no_version_but_on_postgresql():
    assert rows_version([Rows("memberships", Membership, "user_id = %(user)s")], {"user": 1}) is None
