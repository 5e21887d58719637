"""Issue 8, part 4: the database restarts under a running portal. While it is down, pages (including the
session and authentication middleware's own reads) answer 503 with a plain message and Retry-After, quickly;
when it is back, the same server process answers normally again: no restart.

The "restart" is a TCP proxy of the test's own between a real gunicorn and the shared PostgreSQL: cutting it
drops every open connection and turns new ones away, which is what the portal sees of a restarting server,
without stopping a PostgreSQL that other people's tests are using."""

import contextlib
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories.accounts import UserFactory
from tests.faults.support import PROJECT_DIR, database_url, free_port, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
GUNICORN = Path(os.environ.get("VIRTUAL_ENV", PROJECT_DIR / ".venv")) / "bin" / "gunicorn"


class TcpProxy:
    """Forwards 127.0.0.1:<port> to the database. cut() closes every connection and refuses (accepts and
    at once closes) new ones until restore()."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.port = self.server.getsockname()[1]
        self.up = True
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _address = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def cut(self) -> None:
        self.up = False
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.stopping.set()
        self.cut()
        self.server.close()
        self.thread.join(timeout=5)


@pytest.fixture
def proxy():
    db = settings.DATABASES["default"]
    tcp_proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    yield tcp_proxy
    tcp_proxy.close()


@pytest.fixture
def web_server(proxy, tmp_path):
    """A real gunicorn (one sync worker) serving the portal, its database reached through the proxy."""
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.web_settings",
        "DATABASE_URL": database_url().replace(
            f":{settings.DATABASES['default']['PORT'] or 5432}/", f":{proxy.port}/"
        ),
        "PYTHONPATH": str(PROJECT_DIR),
    }
    env.pop("REDIS_URL", None)  # tasks in-process: only the database is under test here
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "portal.wsgi:application",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
                "--timeout",
                "60",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.poll() is None, log_path.read_text()
        try:
            urllib.request.urlopen(f"{base}/health/", timeout=5)
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    wait_for(answers, timeout=60, interval=0.2, message=lambda: log_path.read_text()[-3000:])
    yield base, process, log_path
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url: str, *, cookie: str = "") -> tuple[int, dict, str, float]:
    """(status, headers, body, seconds) of a GET; a redirect (to the login page) is returned, not followed."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            status, headers, body = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, dict(error.headers), error.read()
    return status, headers, body.decode("utf-8", "replace"), time.monotonic() - started


def test_pages_answer_503_while_the_database_is_down_and_recover_without_a_restart(proxy, web_server):
    base, process, log_path = web_server
    user = UserFactory()
    client = Client()
    client.force_login(user)
    session = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    pages = [("/", ""), ("/", session), ("/notifications/", session)]

    for path, cookie in pages:  # up: the worker now holds a persistent connection
        status, _headers, body, _seconds = get(base + path, cookie=cookie)
        assert status == 200, (path, body[:500], log_path.read_text()[-3000:])

    proxy.cut()
    for path, cookie in pages:
        status, headers, body, seconds = get(base + path, cookie=cookie)
        print(f"database down: {path} ({'signed in' if cookie else 'anonymous'}) {status} in {seconds:.2f} s")
        assert status == 503, (path, body[:500], log_path.read_text()[-3000:])
        assert headers["Content-Type"] == "text/plain; charset=utf-8"
        assert headers["Retry-After"] == "30"
        assert body == "The portal is briefly unavailable. Please try again in a minute.\n"
        assert seconds < 5

    proxy.restore()
    for path, cookie in pages:
        # 200, not a redirect to the login page: the signed-in person still is, after the restart.
        status, _headers, body, _seconds = get(base + path, cookie=cookie)
        assert status == 200, (path, body[:500], log_path.read_text()[-3000:])
    assert process.poll() is None  # the same server process throughout
