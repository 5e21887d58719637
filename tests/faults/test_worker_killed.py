"""Issue 8, part 4: a worker killed (SIGKILL) in the middle of a delivery batch loses no mail and sends
none twice, counted at a real SMTP server. The SMTP server holds the conversation about the 40th mail of
100 (before its DATA), and the test kills the worker then, so the kill lands mid-batch every time.

- The pool process dies (prefork): the worker's main process sees it lost (task_reject_on_worker_lost)
  and puts the task back at once; the same task (same id) runs again and takes back what it had claimed.
- The whole worker dies (solo pool, nothing left to requeue anything): the message stays unacknowledged
  in Redis (acks_late) until the visibility timeout (short here), and the next worker started restores it.

Both use a redis-server of the test's own: Redis keeps every unacknowledged message in one place per
database, and a restoring worker must not take other tests' messages."""

import os
import signal
import time

import pytest

from portal.notifications.enums import OutboxStatus
from portal.notifications.models import OutboxMail
from portal.notifications.tasks import deliver_outbox_task, publish
from tests.factories.notifications import OutboxMailFactory
from tests.faults.support import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BATCH = 100
KILLED_AT = 40
VISIBILITY_TIMEOUT = 3  # seconds; production's is an hour


def assert_each_delivered_once(sink, ids: list[int]) -> None:
    assert sink.duplicates() == {}
    assert sorted(sink.by_mail_id) == sorted(str(pk) for pk in ids)
    assert sink.messages == len(ids)
    assert set(OutboxMail.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_a_pool_process_killed_mid_batch_loses_and_duplicates_nothing(
    broker, queue, private_redis, smtp_sink, start_worker
):
    redis_server = private_redis()
    sink = smtp_sink(hold_at=KILLED_AT)
    ids = [outbox_mail.pk for outbox_mail in OutboxMailFactory.create_batch(BATCH)]
    broker(redis_server.url)
    worker = start_worker(
        queue=queue, broker_url=redis_server.url, smtp_port=sink.port, pool="prefork", concurrency=1
    )
    publish(deliver_outbox_task, mail_ids=ids)

    wait_for(sink.held.is_set, timeout=60, message=worker.log)
    (child,) = worker.children()
    os.kill(child, signal.SIGKILL)
    started = time.monotonic()
    sink.release.set()
    assert sink.messages == KILLED_AT - 1

    def all_sent() -> bool:
        assert worker.alive(), worker.log()
        return OutboxMail.objects.filter(status=OutboxStatus.SENT).count() == BATCH

    wait_for(all_sent, timeout=60, interval=0.2, message=worker.log)
    print(f"\nall {BATCH} sent {time.monotonic() - started:.1f} s after the pool process was killed")
    assert "WorkerLostError" in worker.log()
    time.sleep(1)
    assert_each_delivered_once(sink, ids)


def test_a_whole_worker_killed_mid_batch_loses_and_duplicates_nothing(
    broker, queue, private_redis, smtp_sink, start_worker
):
    redis_server = private_redis()
    sink = smtp_sink(hold_at=KILLED_AT)
    ids = [outbox_mail.pk for outbox_mail in OutboxMailFactory.create_batch(BATCH)]
    broker(redis_server.url)
    options = {
        "queue": queue,
        "broker_url": redis_server.url,
        "smtp_port": sink.port,
        "visibility_timeout": VISIBILITY_TIMEOUT,
    }
    first = start_worker(**options)
    publish(deliver_outbox_task, mail_ids=ids)

    wait_for(sink.held.is_set, timeout=60, message=first.log)
    received = time.monotonic()
    first.kill()
    sink.release.set()
    assert sink.messages == KILLED_AT - 1
    # Nothing was acknowledged or put back: the task waits, unacknowledged, for the visibility timeout.
    time.sleep(max(0.0, VISIBILITY_TIMEOUT + 1 - (time.monotonic() - received)))
    second = start_worker(**options)
    started = time.monotonic()

    def all_sent() -> bool:
        assert second.alive(), second.log()
        return OutboxMail.objects.filter(status=OutboxStatus.SENT).count() == BATCH

    wait_for(all_sent, timeout=60, interval=0.2, message=second.log)
    print(f"\nall {BATCH} sent {time.monotonic() - started:.1f} s after the second worker started")
    time.sleep(1)
    assert_each_delivered_once(sink, ids)
