"""The outbox against the real services: a Celery worker process on Redis delivering from PostgreSQL to an
SMTP server, and a broker that is down or hanging, which must neither fail nor stall the request that
notifies. The worker, the SMTP server and the brokers are the fault suite's (tests/faults/support.py)."""

import email
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from portal.accounts.kinds import ROLE_CHANGED
from portal.notifications.enums import OutboxStatus
from portal.notifications.models import Notification, OutboxMail
from portal.notifications.services import SWEEP_GRACE, notify, sweep_outbox
from tests.factories.accounts import OrganisationFactory, UserFactory
from tests.faults import support

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _drop_the_queue(queue):
    # The workers here use the shared Redis (support.REDIS_URL): leave no keys of the test's queue behind.
    yield
    support.drop_queue_keys(support.REDIS_URL, queue)


def notify_in_committed_transaction(user) -> float:
    """notify() as a request would call it; returns the seconds until the transaction has committed (and
    its after-commit hand-off to the broker has returned)."""
    organisation = OrganisationFactory()
    started = time.monotonic()
    with transaction.atomic():
        notify(
            recipients=[user],
            kind=ROLE_CHANGED,
            context={"organisation": organisation, "role": "Administrator"},
            target=organisation,
        )
    return time.monotonic() - started


def delivered(
    worker: support.Worker, sink: support.SmtpSink, outbox_mail: OutboxMail
) -> email.message.Message:
    """Waits until the worker has sent the mail and marked it sent; returns what the SMTP server took."""

    def sent() -> bool:
        assert worker.alive(), worker.log()
        outbox_mail.refresh_from_db()
        return outbox_mail.status == OutboxStatus.SENT

    support.wait_for(sent, timeout=30, message=worker.log)
    (message,) = [message for message in sink.received if message["X-Portal-Mail-Id"] == str(outbox_mail.pk)]
    return message


def test_real_worker_delivers_notified_mail_once(broker, queue, smtp_sink, start_worker):
    broker(support.REDIS_URL)
    sink = smtp_sink()
    worker = start_worker(queue=queue, broker_url=support.REDIS_URL, smtp_port=sink.port)
    user = UserFactory()

    notify_in_committed_transaction(user)

    outbox_mail = OutboxMail.objects.get()
    message = delivered(worker, sink, outbox_mail)
    assert message["To"] == user.email
    assert message["Subject"] == outbox_mail.subject
    assert outbox_mail.attempts == 1


def test_broker_down_neither_fails_nor_stalls_notify_and_sweep_delivers_later(
    broker, queue, smtp_sink, start_worker
):
    broker(f"redis://127.0.0.1:{support.free_port()}/0")  # nothing listens there
    user = UserFactory()

    seconds = notify_in_committed_transaction(user)

    outbox_mail = OutboxMail.objects.get()
    print(f"notify() + commit with the broker down: {seconds:.3f} s")
    assert seconds < 1
    assert Notification.objects.filter(recipient=user).count() == 1
    assert (outbox_mail.status, outbox_mail.attempts) == (OutboxStatus.PENDING, 0)

    broker(support.REDIS_URL)
    sink = smtp_sink()
    worker = start_worker(queue=queue, broker_url=support.REDIS_URL, smtp_port=sink.port)
    OutboxMail.objects.filter(pk=outbox_mail.pk).update(
        created_at=timezone.now() - SWEEP_GRACE - timedelta(seconds=1)
    )

    handed_out = sweep_outbox()

    message = delivered(worker, sink, outbox_mail)
    assert handed_out == 1
    assert message["To"] == user.email
    assert outbox_mail.attempts == 1
    assert sweep_outbox() == 0


def test_broker_hanging_neither_fails_nor_stalls_notify(broker, private_redis, handing_over):
    # A first notify() in a fresh process loads URLs and templates: warm up with a broker that answers,
    # so that only the hanging broker is measured.
    broker("memory://")
    notify_in_committed_transaction(UserFactory())
    hanging = private_redis()
    hanging.pause()  # it accepts connections and never says a word
    broker(hanging.url)
    user = UserFactory()

    seconds = notify_in_committed_transaction(user)

    print(f"notify() + commit with the broker hanging: {seconds:.3f} s")
    assert seconds < 1.5
    # It did try the hanging broker (and gave up after its socket timeout), rather than skip the hand-off.
    assert len(handing_over) == 2 and handing_over[-1] >= 0.4
    assert Notification.objects.filter(recipient=user).count() == 1
    assert OutboxMail.objects.get(recipient=user).status == OutboxStatus.PENDING
