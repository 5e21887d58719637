"""The publication fan-out: who hears of a newly published challenge (followers of its buyer, owners of
matching saved searches), once each however often it runs, and a broker outage that never fails the
publication."""

import os
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

import challenges.tasks_discovery  # noqa: F401  (registers the tasks, as ChallengesConfig.ready() does)
from challenges import kinds
from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from challenges.search import refresh_search_vector, search_challenges, uses_postgres
from challenges.selectors.discovery import saved_searches_matching
from challenges.services.discovery import (
    fan_out_publication,
    queue_publication_fanout,
    sweep_publication_fanouts,
)
from challenges.tasks_discovery import publication_fanout_task
from portal.celery import app
from portal.notifications.models import Notification, OutboxMail
from tests.factories.accounts import UserFactory
from tests.factories.challenges import (
    FollowFactory,
    PublishedChallengeFactory,
    SavedSearchFactory,
    ThemeFactory,
)
from tests.faults.support import reset_producer_pools

pytestmark = pytest.mark.django_db

BEFORE = timezone.now() - timedelta(days=10)


def follows_buyer(challenge, **kwargs):
    follow = FollowFactory(challenge=None, organisation=challenge.owner, **kwargs)
    follow.__class__.objects.filter(pk=follow.pk).update(created_at=BEFORE)
    return follow.user


def saves_search(**kwargs):
    saved = SavedSearchFactory(**kwargs)
    saved.__class__.objects.filter(pk=saved.pk).update(created_at=BEFORE)
    return saved


def notified(kind=None) -> list[tuple[int, str]]:
    queryset = Notification.objects.order_by("recipient_id", "kind")
    if kind:
        queryset = queryset.filter(kind=kind)
    return list(queryset.values_list("recipient_id", "kind"))


@pytest.fixture
def challenge():
    return PublishedChallengeFactory(
        title="Reducing loneliness among elderly residents",
        published_at=timezone.now() - timedelta(minutes=1),
    )


def test_fanout_notifies_followers_of_the_buyer(challenge):
    follower = follows_buyer(challenge)
    follows_buyer(PublishedChallengeFactory())  # follows another buyer

    told = fan_out_publication(challenge_id=challenge.pk)

    assert told == 1
    assert notified() == [(follower.pk, kinds.PUBLISHED.key)]
    assert OutboxMail.objects.filter(recipient=follower, kind=kinds.PUBLISHED.key).count() == 1


def test_fanout_notifies_owners_of_matching_saved_searches(challenge):
    matching = saves_search(name="Elderly", query="loneliness").user
    saves_search(name="Lighting", query="streetlights")

    fan_out_publication(challenge_id=challenge.pk)

    assert notified() == [(matching.pk, kinds.SAVED_SEARCH_MATCH.key)]
    assert "Elderly" in Notification.objects.get().title


def test_fanout_tells_each_person_once_even_with_several_reasons(challenge):
    user = follows_buyer(challenge)
    saves_search(user=user, name="A", query="loneliness")
    saves_search(user=user, name="B", query="elderly")
    searcher = saves_search(name="C", query="").user
    saves_search(user=searcher, name="D", query="residents")

    fan_out_publication(challenge_id=challenge.pk)

    assert notified() == sorted([(user.pk, kinds.PUBLISHED.key), (searcher.pk, kinds.SAVED_SEARCH_MATCH.key)])


def test_fanout_run_twice_tells_nobody_twice(challenge):
    follows_buyer(challenge)
    saves_search(query="loneliness")

    first = fan_out_publication(challenge_id=challenge.pk)
    second = fan_out_publication(challenge_id=challenge.pk)
    publication_fanout_task.apply(kwargs={"challenge_id": challenge.pk})

    assert (first, second) == (2, 0)
    assert Notification.objects.count() == 2
    assert OutboxMail.objects.count() == 2


def test_fanout_applies_saved_search_filters(challenge):
    theme = ThemeFactory(slug="care")
    challenge.themes.add(theme)
    matching = saves_search(name="Care", query="", filters={"theme": "care", "city": "TRONDHEIM"}).user
    saves_search(name="Other city", query="", filters={"city": "Bergen"})
    saves_search(name="Closed only", query="", filters={"status": "closed"})
    saves_search(name="Too big", query="", filters={"budget": "gt1m"})
    saves_search(name="Broken", query="", filters={"days": "abc", "route": "teleportation"}).user  # noqa: B018

    fan_out_publication(challenge_id=challenge.pk)

    recipients = {recipient for recipient, _kind in notified()}
    assert matching.pk in recipients
    assert len(recipients) == 2  # the matching one, and "Broken", whose bad filters are dropped


def test_fanout_ignores_follows_and_searches_made_after_publication(challenge):
    FollowFactory(challenge=None, organisation=challenge.owner)  # created now, after publication
    SavedSearchFactory(query="loneliness")

    assert fan_out_publication(challenge_id=challenge.pk) == 0


def test_fanout_skips_inactive_users(challenge):
    follows_buyer(challenge, user=UserFactory(is_active=False))
    saves_search(user=UserFactory(is_active=False), query="")

    assert fan_out_publication(challenge_id=challenge.pk) == 0


@pytest.mark.parametrize(
    "status", [ChallengeStatus.DRAFT, ChallengeStatus.IN_REVIEW, ChallengeStatus.CANCELLED]
)
def test_fanout_of_an_unpublished_challenge_does_nothing(status):
    challenge = PublishedChallengeFactory(status=status)
    follows_buyer(challenge)

    assert fan_out_publication(challenge_id=challenge.pk) == 0


def test_fanout_of_a_missing_challenge_does_nothing():
    assert publication_fanout_task.apply(kwargs={"challenge_id": 987654}).get() == 0


def test_fanout_indexes_the_challenge(challenge):
    fan_out_publication(challenge_id=challenge.pk)

    assert list(search_challenges(Challenge.objects.all(), "loneliness")) == [challenge]
    if uses_postgres():
        assert Challenge.objects.get(pk=challenge.pk).search_vector


@pytest.mark.postgres
def test_fanout_matches_saved_search_words_with_stemming():
    challenge = PublishedChallengeFactory(
        language="nb",
        title="Tryggere skoleveier",
        summary="Barna går til skolene i mørket.",
        published_at=BEFORE,
    )
    matching = saves_search(query="skole").user
    saves_search(query="sykehus")
    saves_search(query="skole -mørket")

    fan_out_publication(challenge_id=challenge.pk)

    assert notified() == [(matching.pk, kinds.SAVED_SEARCH_MATCH.key)]


def test_fanout_batches_many_recipients(challenge, monkeypatch):
    monkeypatch.setattr("challenges.services.discovery.FANOUT_BATCH_SIZE", 3)
    for _ in range(7):
        follows_buyer(challenge)

    assert fan_out_publication(challenge_id=challenge.pk) == 7
    assert fan_out_publication(challenge_id=challenge.pk) == 0


@pytest.mark.parametrize("rows", [1, 30])
def test_saved_search_matching_query_count(challenge, django_assert_num_queries, rows):
    # Matching costs one query however many saved searches there are; only sending costs per person.
    refresh_search_vector(challenge_id=challenge.pk)
    for number in range(rows):
        saves_search(name=f"Other {number}", query="streetlights", filters={"city": "Trondheim"})
    saves_search(query="loneliness")
    loaded = (
        Challenge.objects.select_related("owner")
        .prefetch_related("themes", "cpv_codes", "outcomes")
        .get(pk=challenge.pk)
    )

    with django_assert_num_queries(1):
        matches = saved_searches_matching(challenge=loaded, created_before=timezone.now())

    assert [search.query for search in matches] == ["loneliness"]


def test_sweep_catches_up_on_a_fanout_that_never_ran(challenge):
    follower = follows_buyer(challenge)
    PublishedChallengeFactory(published_at=timezone.now() - timedelta(days=30))  # too old to sweep

    assert sweep_publication_fanouts() == 1
    assert sweep_publication_fanouts() == 0
    assert notified() == [(follower.pk, kinds.PUBLISHED.key)]


def test_queue_publication_fanout_runs_after_commit(challenge, django_capture_on_commit_callbacks):
    follows_buyer(challenge)

    with django_capture_on_commit_callbacks(execute=True):
        queue_publication_fanout(challenge_id=challenge.pk)
        assert Notification.objects.count() == 0  # nothing before the commit

    assert Notification.objects.count() == 1


# --- The broker -----------------------------------------------------------------------------------------


@pytest.fixture
def broker():
    """Point Celery at a broker (publishing for real, not in-process), restored afterwards."""
    keys = ("task_always_eager", "broker_url", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}

    def point_at(url: str, queue: str = "celery") -> None:
        app.conf.update(task_always_eager=False, broker_url=url, task_default_queue=queue)
        reset_producer_pools()

    yield point_at
    app.conf.update(saved)
    reset_producer_pools()


def test_queue_publication_fanout_survives_an_unreachable_broker(
    challenge, broker, django_capture_on_commit_callbacks
):
    follows_buyer(challenge)
    broker("redis://127.0.0.1:1/13")  # nothing listens on port 1: connection refused

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue_publication_fanout(challenge_id=challenge.pk)
    elapsed = time.monotonic() - started

    assert len(callbacks) == 1
    assert elapsed < 5
    assert Notification.objects.count() == 0  # not sent now; the sweep will


@pytest.mark.redis
def test_queue_publication_fanout_publishes_the_task_to_redis(
    challenge, broker, django_capture_on_commit_callbacks
):
    import json

    import redis

    url = os.environ["REDIS_URL"]
    queue = f"test-discovery-{uuid.uuid4().hex}"
    broker(url, queue)
    client = redis.Redis.from_url(url)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            queue_publication_fanout(challenge_id=challenge.pk)

        messages = client.lrange(queue, 0, -1)
        assert len(messages) == 1
        message = json.loads(messages[0])
        assert message["headers"]["task"] == "challenges.publication_fanout"
        assert message["headers"]["kwargsrepr"] == repr({"challenge_id": challenge.pk})
    finally:
        client.delete(queue)
        client.close()
