"""The outbox against the real services: a Celery worker process on Redis delivering from PostgreSQL, and a
broker that is down or hanging, which must neither fail nor stall the request that notifies."""

import email
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from django.db import transaction
from django.utils import timezone

from portal.accounts.kinds import ROLE_CHANGED
from portal.notifications.enums import OutboxStatus
from portal.notifications.models import Notification, OutboxMail
from portal.notifications.services import SWEEP_GRACE, notify, sweep_outbox
from tests.factories.accounts import OrganisationFactory, UserFactory
from tests.faults.support import broker_fixture, database_url  # noqa: F401 (the "broker" fixture)

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROJECT_DIR = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
REDIS_URL = os.environ.get("REDIS_URL", "")
MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # what Django's file-based mail backend writes after each mail


@pytest.fixture
def queue():
    """A queue of its own, so parallel runs do not take each other's tasks."""
    name = f"test-notifications-{uuid.uuid4().hex}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"*{name}*"))
    if keys:
        client.delete(*keys)
    client.close()


class Worker:
    def __init__(self, queue: str, directory: Path):
        self.mail_dir = directory / "mail"
        self.mail_dir.mkdir()
        self.log_path = directory / "worker.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": REDIS_URL,
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "PYTHONPATH": str(PROJECT_DIR),
        }
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    str(CELERY),
                    "-A",
                    "portal",
                    "worker",
                    "--pool=solo",
                    "-Q",
                    queue,
                    "-n",
                    f"{queue}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=PROJECT_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def messages_for(self, mail_id: int) -> list[email.message.Message]:
        messages = []
        for path in self.mail_dir.iterdir():
            # Only what is followed by the separator has been written completely.
            for chunk in path.read_bytes().split(MAIL_SEPARATOR)[:-1]:
                message = email.message_from_bytes(chunk)
                if message["X-Portal-Mail-Id"] == str(mail_id):
                    messages.append(message)
        return messages

    def wait_until_sent(self, mail_id: int, timeout: float = 30) -> list[email.message.Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"The worker exited:\n{self.log()}"
            status = OutboxMail.objects.values_list("status", flat=True).get(pk=mail_id)
            messages = self.messages_for(mail_id)
            if status == OutboxStatus.SENT and messages:
                return messages
            time.sleep(0.1)
        pytest.fail(
            f"Mail {mail_id} was not sent within {timeout} s (status {status}). Worker log:\n{self.log()}"
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def start_worker(tmp_path):
    workers = []

    def start(queue: str) -> Worker:
        worker = Worker(queue, tmp_path)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def hanging_broker():
    """A TCP server that accepts connections and never says a word."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    accepted, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            accepted.append(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"redis://127.0.0.1:{server.getsockname()[1]}/0", accepted=accepted)
    stop.set()
    thread.join(timeout=5)
    for connection in accepted:
        connection.close()
    server.close()


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


def test_real_worker_delivers_notified_mail_once(broker, queue, start_worker):
    broker(REDIS_URL)
    worker = start_worker(queue)
    user = UserFactory()

    notify_in_committed_transaction(user)

    outbox_mail = OutboxMail.objects.get()
    (message,) = worker.wait_until_sent(outbox_mail.pk)
    outbox_mail.refresh_from_db()
    assert message["To"] == user.email
    assert message["Subject"] == outbox_mail.subject
    assert (outbox_mail.status, outbox_mail.attempts) == (OutboxStatus.SENT, 1)


def test_broker_down_neither_fails_nor_stalls_notify_and_sweep_delivers_later(
    broker, queue, start_worker, closed_port_url
):
    broker(closed_port_url)
    user = UserFactory()

    seconds = notify_in_committed_transaction(user)

    outbox_mail = OutboxMail.objects.get()
    print(f"notify() + commit with the broker down: {seconds:.3f} s")
    assert seconds < 1
    assert Notification.objects.filter(recipient=user).count() == 1
    assert (outbox_mail.status, outbox_mail.attempts) == (OutboxStatus.PENDING, 0)

    broker(REDIS_URL)
    worker = start_worker(queue)
    OutboxMail.objects.filter(pk=outbox_mail.pk).update(
        created_at=timezone.now() - SWEEP_GRACE - timedelta(seconds=1)
    )

    handed_out = sweep_outbox()

    (message,) = worker.wait_until_sent(outbox_mail.pk)
    outbox_mail.refresh_from_db()
    assert handed_out == 1
    assert message["To"] == user.email
    assert (outbox_mail.status, outbox_mail.attempts) == (OutboxStatus.SENT, 1)
    assert sweep_outbox() == 0


def test_broker_hanging_neither_fails_nor_stalls_notify(broker, hanging_broker):
    # A first notify() in a fresh process loads URLs and templates: warm up with a broker that answers,
    # so that only the hanging broker is measured.
    broker("memory://")
    notify_in_committed_transaction(UserFactory())
    broker(hanging_broker.url)
    user = UserFactory()

    seconds = notify_in_committed_transaction(user)

    print(f"notify() + commit with the broker hanging: {seconds:.3f} s")
    assert seconds < 1.5
    # It did try the hanging broker (and gave up), rather than skipping the hand-off.
    assert len(hanging_broker.accepted) >= 1
    assert Notification.objects.filter(recipient=user).count() == 1
    assert OutboxMail.objects.get(recipient=user).status == OutboxStatus.PENDING
