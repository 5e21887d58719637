"""The dashboards' sections are read at most every DASHBOARD_CACHE_SECONDS (aggregates over years of data),
per dashboard, period and language; the page says when its figures were read, and who may see it is still
checked on every request."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from .conftest import LAST, NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]


@pytest.fixture
def cached(settings):
    settings.DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def _dashboard(world):
    return reverse("insight:dashboard", kwargs={"slug": world.programme.organisation.slug})


def test_sections_are_read_once_per_period_and_language(
    client, world, actors, cached, django_assert_max_num_queries
):
    client.force_login(actors["staff"])
    url = _dashboard(world)
    first = client.get(url)
    assert first.status_code == 200
    html = first.content.decode()
    assert "Figures as of" in html and "every 5 minutes" in html
    assert "Alpha kommune" in html

    # The second request does not read the figures again: far fewer queries, the same sections.
    with django_assert_max_num_queries(8):
        second = client.get(url)
    assert second.context["sections_html"] == first.context["sections_html"]

    # Another period, or another language, is read on its own.
    other_period = client.get(f"{url}?from={LAST}&to={NOW}")
    assert other_period.context["sections_html"] != first.context["sections_html"]
    client.cookies["django_language"] = "nb"
    norwegian = client.get(url)
    assert norwegian.context["sections_html"] != first.context["sections_html"]


def test_a_cached_dashboard_is_still_only_for_those_who_may_see_it(client, world, actors, cached):
    client.force_login(actors["staff"])
    assert client.get(_dashboard(world)).status_code == 200  # now cached
    client.force_login(actors["supplier"])
    assert client.get(_dashboard(world)).status_code == 404
    client.logout()
    assert client.get(_dashboard(world)).status_code == 302


def test_new_figures_show_once_the_cached_ones_expire(client, world, actors, cached):
    from tests.factories.accounts import BuyerFactory

    client.force_login(actors["staff"])
    url = _dashboard(world)
    before = client.get(url).context["sections_html"]
    world.programme.buyers.add(BuyerFactory(name="Delta kommune"))
    assert "Delta kommune" not in client.get(url).context["sections_html"]  # still the cached figures
    cache.clear()  # the lifetime has passed
    after = client.get(url).context["sections_html"]
    assert "Delta kommune" in after and after != before


def test_without_the_cache_the_figures_are_read_every_time(client, world, actors, settings):
    from tests.factories.accounts import BuyerFactory

    settings.DASHBOARD_CACHE_SECONDS = 0
    client.force_login(actors["staff"])
    url = _dashboard(world)
    assert "Figures as of" not in client.get(url).content.decode()
    world.programme.buyers.add(BuyerFactory(name="Delta kommune"))
    assert "Delta kommune" in client.get(url).context["sections_html"]


def test_a_cache_outage_only_makes_the_dashboard_slower(client, world, actors, cached, monkeypatch):
    from portal.insight.views import dashboard as dashboard_views

    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("Redis is down")

            return fail

    monkeypatch.setattr(dashboard_views, "cache", Down())
    client.force_login(actors["staff"])
    response = client.get(_dashboard(world))
    assert response.status_code == 200
    assert "Alpha kommune" in response.context["sections_html"]


def _sections_keys() -> list[str]:
    """The keys of the cached dashboards' figures (the test settings' local-memory cache)."""
    names = [key.split(":", 2)[-1] for key in list(cache._cache)]
    return [name for name in names if name.startswith("insight:dashboard:") and not name.endswith(":reading")]


def _age_cached_sections(seconds: int) -> None:
    """Every cached dashboard's figures as if read `seconds` ago (the entries themselves stay)."""
    from datetime import timedelta

    for name in _sections_keys():
        html, read_at = cache.get(name)
        cache.set(name, (html, read_at - timedelta(seconds=seconds)), 600)


def test_expired_figures_are_read_again_by_one_request_while_the_others_get_the_previous_ones(
    client, world, actors, cached
):
    from tests.factories.accounts import BuyerFactory

    client.force_login(actors["staff"])
    url = _dashboard(world)
    first = client.get(url)
    world.programme.buyers.add(BuyerFactory(name="Delta kommune"))
    _age_cached_sections(301)

    # Another request is reading the figures again (it holds the lock): this one gets the previous ones.
    [key] = _sections_keys()
    assert cache.add(f"{key}:reading", True, 60)
    meanwhile = client.get(url)
    assert meanwhile.context["sections_html"] == first.context["sections_html"]
    assert meanwhile.context["figures_read_at"] < first.context["figures_read_at"]

    # Once nobody is reading them, the next request reads them, and keeps them for the others.
    cache.delete(f"{key}:reading")
    after = client.get(url)
    assert "Delta kommune" in after.context["sections_html"]
    assert after.context["figures_read_at"] > first.context["figures_read_at"]
    assert cache.get(f"{key}:reading") is None  # the lock is given back
    assert client.get(url).context["sections_html"] == after.context["sections_html"]


def test_figures_within_their_lifetime_are_not_read_again(client, world, actors, cached):
    from tests.factories.accounts import BuyerFactory

    client.force_login(actors["staff"])
    url = _dashboard(world)
    client.get(url)
    world.programme.buyers.add(BuyerFactory(name="Delta kommune"))
    _age_cached_sections(299)

    assert "Delta kommune" not in client.get(url).context["sections_html"]
