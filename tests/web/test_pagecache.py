"""The public page cache (portal/web/pagecache.py): anonymous visitors of the public pages are served from
the cache until the data changes; nobody else ever is, and nothing personal is ever stored."""

from datetime import timedelta

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from portal.web import pagecache
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.factories.casestudies import PublishedCaseStudyFactory
from tests.factories.challenges import PublishedChallengeFactory
from tests.factories.exchanges import ExchangeEventFactory, PublishedAgendaSessionFactory
from tests.factories.ideas import PublishedIdeaFactory
from tests.factories.suppliers import SupplierProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    cache.clear()
    pages().clear()
    yield
    cache.clear()
    pages().clear()


def pages():
    return caches[pagecache.PAGES_CACHE]


@pytest.fixture
def public_urls() -> dict[str, str]:
    """One URL of every page marked @public_page."""
    challenge = PublishedChallengeFactory()
    profile = SupplierProfileFactory()
    event = ExchangeEventFactory(agenda_published_at=timezone.now())
    PublishedAgendaSessionFactory(event=event)
    case_study = PublishedCaseStudyFactory()
    idea = PublishedIdeaFactory()
    return {
        "home": reverse("web:home"),
        "challenge list": reverse("challenges:challenge-list"),
        "search": reverse("challenges:challenge-list") + "?q=water&status=all",
        "challenge": challenge.get_absolute_url(),
        "directory": reverse("suppliers:directory"),
        "profile": reverse("suppliers:profile-detail", kwargs={"slug": profile.organisation.slug}),
        "programmes": reverse("exchanges:programme-list"),
        "programme": reverse("exchanges:programme-detail", kwargs={"slug": event.programme.slug}),
        "event": reverse("exchanges:event-detail", kwargs={"pk": event.pk}),
        "agenda": reverse("exchanges:event-agenda", kwargs={"pk": event.pk}),
        "case studies": reverse("casestudies:case-study-list"),
        "case study": reverse("casestudies:case-study-detail", kwargs={"pk": case_study.pk}),
        "ideas": reverse("ideas:idea-list"),
        "idea": reverse("ideas:idea-detail", kwargs={"pk": idea.pk}),
    }


def test_every_public_page_is_served_from_the_cache_the_second_time(public_urls, django_assert_num_queries):
    for name, url in public_urls.items():
        client = Client()
        first = client.get(url)
        assert first.status_code == 200, name
        # Nothing personal in it: no CSRF cookie or session cookie was set for the visitor.
        assert not first.cookies, f"{name}: {list(first.cookies)}"
        with django_assert_num_queries(0):
            second = Client().get(url)
        assert second.status_code == 200
        assert second.content == first.content, name
        # The middleware's response phase ran on it: the security headers are those of a fresh page.
        for header in ("Content-Security-Policy", "X-Content-Type-Options", "Content-Language"):
            assert second[header] == first[header], (name, header)
        assert "Cookie" in second["Vary"] and "Accept-Language" in second["Vary"], name


def test_a_signed_in_person_is_never_served_the_anonymous_page(client, public_urls):
    url = public_urls["challenge list"]
    anonymous = Client().get(url).content.decode()
    assert "Create an account" in anonymous
    client.force_login(MembershipFactory().user)
    page = client.get(url).content.decode()
    assert "Sign out" in page and "Create an account" not in page


def test_a_visitor_with_a_message_to_see_gets_a_fresh_page(public_urls):
    url = public_urls["challenge list"]
    Client().get(url)  # cached
    visitor = Client()
    visitor.cookies[CookieStorage.cookie_name] = "anything"
    key_before = set(pages()._cache)  # locmem's own store: what is cached
    visitor.get(url)
    assert set(pages()._cache) == key_before  # nothing stored for a request with a messages cookie


def test_each_language_has_its_own_page(public_urls, settings):
    url = public_urls["challenge list"]
    english = Client().get(url)
    norwegian_visitor = Client()
    norwegian_visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    norwegian = norwegian_visitor.get(url)
    assert english["Content-Language"] == "en" and norwegian["Content-Language"] == "nb"
    assert '<html lang="nb"' in norwegian.content.decode()
    assert Client().get(url).content == english.content
    assert norwegian_visitor.get(url).content == norwegian.content


def test_a_write_expires_the_public_pages_once_it_commits(public_urls, django_capture_on_commit_callbacks):
    url = public_urls["challenge list"]
    assert "Heat islands in schoolyards" not in Client().get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        PublishedChallengeFactory(title="Heat islands in schoolyards")
    assert "Heat islands in schoolyards" in Client().get(url).content.decode()


def test_writes_to_private_tables_do_not_expire_the_pages(public_urls, django_capture_on_commit_callbacks):
    from portal.notifications.models import Notification

    user = UserFactory()
    Client().get(public_urls["home"])
    generation = cache.get(pagecache.GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        Notification.objects.create(recipient=user, kind="test", title="A private note")
    assert cache.get(pagecache.GENERATION_KEY) == generation
    with django_capture_on_commit_callbacks(execute=True):
        PublishedChallengeFactory()
    assert cache.get(pagecache.GENERATION_KEY) != generation


def test_a_lost_generation_never_brings_back_an_old_page(public_urls):
    from challenges.models import Challenge

    url = public_urls["challenge"]
    pk = int(url.strip("/").split("/")[-1])
    Client().get(url)
    # A bulk UPDATE sends no signal: the stored page stands for the rest of its lifetime…
    Challenge.objects.filter(pk=pk).update(title="Renamed without a signal")
    assert "Renamed without a signal" not in Client().get(url).content.decode()
    # …and if the generation is lost (evicted), a new one starts: no page stored before is served.
    cache.delete(pagecache.GENERATION_KEY)
    assert "Renamed without a signal" in Client().get(url).content.decode()


def test_the_cache_is_off_at_zero_seconds(public_urls, settings, django_assert_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    url = public_urls["challenge list"]
    Client().get(url)
    response = Client().get(url)
    assert response.status_code == 200
    assert not pages()._cache


# What is never stored, whatever the view: the middleware alone, with views made for the purpose.


def _served(view, request=None):
    """Runs a @public_page view twice through the middleware; True when the second came from the cache."""
    calls = []

    def counted(request):
        calls.append(1)
        return view(request)

    marked = pagecache.public_page(counted)
    middleware = pagecache.PublicPageCacheMiddleware(lambda request: marked(request))
    for _ in range(2):
        request = RequestFactory().get("/some/page/")
        request.LANGUAGE_CODE = "en"
        request.session = _Session()
        middleware.process_view(request, marked, (), {}) or middleware(request)
    return len(calls) == 1


class _Session(dict):
    modified = False


@pytest.mark.parametrize(
    "view, why",
    [
        (lambda request: HttpResponse("ok", status=404), "not a 200"),
        (lambda request: (get_token(request), HttpResponse("form"))[1], "it used a CSRF token"),
        (lambda request: _with_cookie(HttpResponse("ok")), "it set a cookie"),
        (lambda request: _private(HttpResponse("ok")), "Cache-Control: private"),
        (lambda request: _modified_session(request), "it wrote to the session"),
    ],
)
def test_a_page_that_touched_something_personal_is_not_stored(view, why):
    assert not _served(view), why


def test_a_plain_page_is_stored():
    assert _served(lambda request: HttpResponse("ok"))


def test_only_get_is_served_from_the_cache(public_urls):
    url = public_urls["challenge list"]
    Client().get(url)
    assert Client().head(url).status_code == 200
    assert Client().post(url).status_code == 405  # the view answers, not the cache


def _with_cookie(response):
    response.set_cookie("tracking", "1")
    return response


def _private(response):
    response["Cache-Control"] = "private"
    return response


def _modified_session(request):
    request.session.modified = True
    return HttpResponse("ok")


def test_the_language_can_be_chosen_without_a_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "nb", "next": "/challenges/"})
    assert response.status_code == 302 and response["Location"] == "/challenges/"
    assert client.cookies["django_language"].value == "nb"
    # …and it still never redirects off the site.
    response = client.post(reverse("set_language"), {"language": "nb", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_deadline_passing_shows_within_the_cache_lifetime(settings, public_urls):
    """What changes with the clock alone is bounded by PUBLIC_PAGE_CACHE_SECONDS: the page is stored with
    that lifetime."""
    stored = []
    original = pages().set

    def spy(key, value, timeout=None, *args, **kwargs):
        stored.append(timeout)
        return original(key, value, timeout, *args, **kwargs)

    pages().set = spy
    try:
        Client().get(public_urls["challenge"])
    finally:
        del pages().set
    assert stored == [settings.PUBLIC_PAGE_CACHE_SECONDS]
    assert timedelta(seconds=stored[0]) <= timedelta(minutes=5)


def test_pages_are_kept_in_the_process_not_in_the_shared_cache(public_urls):
    """Made-up query strings cannot fill the shared Redis (broker queues, sign-in rate limits): the pages
    live in the bounded per-process cache; the shared one holds only the generation."""
    for n in range(5):
        Client().get(public_urls["challenge list"], {"made_up": n})
    assert len(pages()._cache) == 5
    assert [key for key in cache._cache if "pagecache" in key] == [
        key for key in cache._cache if pagecache.GENERATION_KEY in key
    ]
    assert pages()._max_entries == 500  # bounded: the oldest are culled


class _Down:
    """The shared cache (Redis) not answering."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Redis is down")

        return fail


def test_a_shared_cache_outage_fails_neither_writes_nor_pages(
    public_urls, monkeypatch, django_capture_on_commit_callbacks
):
    url = public_urls["challenge list"]
    Client().get(url)  # stored while the shared cache answered
    monkeypatch.setattr(pagecache, "cache", _Down())
    # A write commits and its request goes on, though the generation cannot be moved on.
    with django_capture_on_commit_callbacks(execute=True):
        PublishedChallengeFactory(title="Written while Redis was down")
    # Pages are rendered, not served from memory: a generation that cannot be read could hide that write.
    response = Client().get(url)
    assert response.status_code == 200
    assert "Written while Redis was down" in response.content.decode()
