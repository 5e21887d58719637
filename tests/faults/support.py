"""What the fault and scale tests share: a real SMTP server that counts connections and messages, real
Celery worker processes, a private Redis server that a test may stop or hang, pointing this process's
Celery at a broker, and timing its hand-offs to the broker. Every port is picked at runtime, so two xdist
workers never collide."""

import asyncio
import contextlib
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings

from portal.celery import app

PROJECT_DIR = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
REDIS_URL = os.environ.get("REDIS_URL", "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout: float, interval: float = 0.1, message=lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"Gave up after {timeout} s. {message()}")
        time.sleep(interval)


# --- SMTP -----------------------------------------------------------------------------------------------


class _Handler:
    def __init__(self, sink: "SmtpSink"):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        # The test may stop the conversation here (before the message's DATA) to kill the client.
        if self.sink.hold_at is not None and self.sink.rcpt_count + 1 == self.sink.hold_at:
            self.sink.held.set()
            while not self.sink.release.is_set():
                await asyncio.sleep(0.02)
        self.sink.rcpt_count += 1
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self.sink.lock:
            self.sink.by_mail_id[message["X-Portal-Mail-Id"]] += 1
            self.sink.received.append(message)
            self.sink.connections.add(session.peer)
            self.sink.messages += 1
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server in a thread of this process. Keeps the accepted messages (received) and counts them
    (by X-Portal-Mail-Id) and the client connections that carried them. hold_at=N makes it stop answering
    the N-th RCPT until release is set (held is set when it stops): a client killed meanwhile has not
    delivered that message."""

    def __init__(self, hold_at: int | None = None):
        self.port = free_port()
        self.by_mail_id: Counter = Counter()
        self.received: list[email.message.Message] = []
        self.connections: set = set()
        self.messages = 0
        self.rcpt_count = 0
        self.hold_at = hold_at
        self.held, self.release = threading.Event(), threading.Event()
        self.lock = threading.Lock()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> "SmtpSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.controller.stop()

    def duplicates(self) -> dict:
        return {key: count for key, count in self.by_mail_id.items() if count > 1}


@pytest.fixture(name="smtp_sink")
def smtp_sink_fixture():
    sinks = []

    def start(**kwargs) -> SmtpSink:
        sink = SmtpSink(**kwargs).start()
        sinks.append(sink)
        return sink

    yield start
    for sink in sinks:
        sink.stop()


# --- Redis ----------------------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of the test's own, on a spare port, that the test may stop and start again (on the
    same port) without disturbing anyone else's."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, timeout=10, message=lambda: f"redis-server on {self.port} did not start")
        return self

    def answers(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def pause(self) -> None:
        """A hanging broker: the server still accepts connections but answers nothing."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture(name="private_redis")
def private_redis_fixture(tmp_path):
    if shutil.which("redis-server") is None:
        reason = "needs the redis-server program (apt-get install -y redis-server) for a private broker"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"CI must provide this service: {reason}", pytrace=False)
        pytest.skip(reason)
    servers = []

    def start() -> PrivateRedis:
        server = PrivateRedis(tmp_path).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.process is not None:
            server.resume()
        server.stop()


# --- Celery ---------------------------------------------------------------------------------------------


def reset_producer_pools() -> None:
    """Forget the broker connections and producers Celery keeps for the URL it first saw. kombu.pools.reset()
    closes them and empties kombu's registries too: closing only app._pool would leave the closed pool
    registered, and the next task published (even in-process) would fail with "Acquire on closed pool"."""
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(name="queue")
def queue_fixture():
    """A queue name of the test's own, so parallel runs never take each other's tasks."""
    return f"test-faults-{uuid.uuid4().hex}"


@pytest.fixture(name="broker")
def broker_fixture(queue):
    """Point this process's Celery at a broker (publishing for real, not in-process), restored afterwards."""
    keys = ("task_always_eager", "broker_url", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}

    def point_at(url: str) -> None:
        app.conf.update(task_always_eager=False, broker_url=url, task_default_queue=queue)
        reset_producer_pools()

    yield point_at
    app.conf.update(saved)
    reset_producer_pools()


@pytest.fixture(name="handing_over")
def handing_over_fixture(monkeypatch) -> list[float]:
    """The seconds each hand-off of outbox mail to the broker (enqueue_delivery, after the commit) took in
    this process: that it happened at all, and that a broker down or hanging did not hold it up."""
    from portal.notifications import services

    seconds: list[float] = []
    original = services.enqueue_delivery

    def timed_enqueue_delivery(**kwargs):
        started = time.monotonic()
        try:
            return original(**kwargs)
        finally:
            seconds.append(time.monotonic() - started)

    monkeypatch.setattr(services, "enqueue_delivery", timed_enqueue_delivery)
    return seconds


def database_url() -> str:
    db = settings.DATABASES["default"]  # inside a test: the test database
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A real `celery -A portal worker` process on the test's queue, broker and database, mailing to the
    test's SMTP server."""

    def __init__(
        self,
        *,
        directory: Path,
        queue: str,
        broker_url: str,
        smtp_port: int,
        pool: str = "solo",
        concurrency: int = 1,
        visibility_timeout: int = 3600,
    ):
        self.log_path = directory / f"worker-{uuid.uuid4().hex[:8]}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker_url,
            "TEST_CELERY_QUEUE": queue,
            "TEST_SMTP_PORT": str(smtp_port),
            "TEST_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "PYTHONPATH": str(PROJECT_DIR),
        }
        pool_args = ["--pool=solo"] if pool == "solo" else ["--pool=prefork", f"--concurrency={concurrency}"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    str(CELERY),
                    "-A",
                    "portal",
                    "worker",
                    *pool_args,
                    "-Q",
                    queue,
                    "-n",
                    f"{uuid.uuid4().hex}@%h",
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
        return self.log_path.read_text(errors="replace")[-6000:]

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except FileNotFoundError:
            return []

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no chance to acknowledge or requeue anything."""
        children = self.children()
        self.process.kill()
        self.process.wait(timeout=10)
        for pid in children:  # a prefork child left behind would keep working
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        children = self.children()
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture(name="start_worker")
def start_worker_fixture(tmp_path):
    workers = []

    def start(**kwargs) -> Worker:
        worker = Worker(directory=tmp_path, **kwargs)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def drop_queue_keys(url: str, queue: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"*{queue}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
