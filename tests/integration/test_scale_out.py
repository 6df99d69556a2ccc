"""Two gunicorn servers on loopback sharing one PostgreSQL and one Redis, driven over real HTTP.

The servers use the test database that pytest-django created, so the test reads
their writes through the ORM. Each simulated client sends its own address in
X-Forwarded-For, as the load balancer in front would (COMMENTS_TRUSTED_PROXY_COUNT=1).
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group, User

from comments.models import Comment
from tests.helpers import ARTICLE_URL as ARTICLE
from tests.helpers import free_port, require_services, subprocess_environment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 30
REQUEST_SECONDS = 15


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A minimal browser: cookies, CSRF, the comment form, no redirects followed."""

    def __init__(self, ip):
        self.ip = ip
        self.cookies = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(
            url, data=body, headers={"X-Forwarded-For": self.ip, "User-Agent": "scale-out-test"}
        )
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=REQUEST_SECONDS)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.read().decode(), response.headers

    def form_fields(self, server, path=ARTICLE):
        status, html, _ = self.request(server + path)
        assert status == 200
        return {name: value for name, value in re.findall(r'name="(token|csrfmiddlewaretoken)" value="([^"]+)"', html)}

    def post_comment(self, server, **fields):
        data = self.form_fields(server) | {"author_url": "", "parent": "", "leave_empty": ""} | fields
        status, _, headers = self.request(f"{server}/comments/post/1/", data)
        return status, headers.get("Location", "")


def _start_server(redis=True):
    port = free_port()
    env = subprocess_environment(
        COMMENTS_MIN_SUBMIT_SECONDS="0",  # the clients post as soon as they load the form
        COMMENTS_TRUSTED_PROXY_COUNT="1",
        # No per-process copy of versions: what one server changes, the other shows at its next request.
        DJANGO_PAGE_VERSION_SECONDS="0",
    )
    if not redis:
        env.pop("REDIS_URL", None)  # production's own fallback: the cache table in the database
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "skinsite.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:  # readiness polling, not timing: the server answers when it is up
        try:
            if urllib.request.urlopen(f"{url}/healthz", timeout=2).status == 200:
                return process, url
        except OSError:
            time.sleep(0.2)
    _stop(process)
    raise RuntimeError(f"gunicorn on port {port} did not start within {STARTUP_SECONDS} s")


def _stop(process, sig=signal.SIGTERM):
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(timeout=20)


@pytest.fixture
def servers():
    require_services(postgres=True, redis=True)
    started = []
    try:
        for _ in range(2):
            started.append(_start_server())
        yield started
    finally:
        for process, _url in started:
            _stop(process)


def test_post_on_a_approve_on_b_shows_on_both(servers):
    (_, a), (_, b) = servers
    status, location = Browser("198.51.100.1").post_comment(
        a, author_name="Across", author_email="across@example.com", body="Posted through server A"
    )
    assert status == 302
    comment = Comment.objects.get(body="Posted through server A")
    assert location.endswith(f"#comment-{comment.pk}")

    # The servers run the production hashers, not the suite's fast one.
    password = PBKDF2PasswordHasher().encode("scale-mod-password", "scale-out-salt", iterations=1000)
    moderator = User.objects.create(username="scale-mod", password=password, is_staff=True)
    moderator.groups.add(Group.objects.get(name=settings.COMMENTS_MODERATORS_GROUP))
    admin = Browser("198.51.100.2")
    login = admin.form_fields(b, "/admin/login/")
    status, _, _ = admin.request(
        f"{b}/admin/login/", login | {"username": "scale-mod", "password": "scale-mod-password", "next": "/admin/"}
    )
    assert status == 302
    queue = f"{b}/admin/comments/comment/?status=all"
    csrf = admin.form_fields(b, "/admin/comments/comment/")["csrfmiddlewaretoken"]
    status, _, _ = admin.request(
        queue, {"csrfmiddlewaretoken": csrf, "action": "approve", "_selected_action": comment.pk, "index": 0}
    )
    assert status == 302

    for server in (a, b):
        _, html, _ = Browser("198.51.100.3").request(server + ARTICLE)
        assert "Posted through server A" in html
        assert "4 thoughts on" in html


def test_flood_limit_holds_across_servers(servers):
    (_, a), (_, b) = servers
    first = Browser("198.51.100.10").post_comment(a, author_name="Fast", author_email="fast@example.com", body="one")
    second = Browser("198.51.100.11").post_comment(b, author_name="Fast", author_email="fast@example.com", body="two")
    third = Browser("198.51.100.10").post_comment(b, author_name="Fast", author_email="other@example.com", body="three")
    # The same mailbox from another client is filed as spam (a 429 would confirm the address);
    # the same client again is refused.
    assert [first[0], second[0], third[0]] == [302, 302, 429]
    stored = dict(Comment.objects.filter(author_name="Fast").values_list("body", "status"))
    assert stored == {"one": "pending", "two": "spam"}


def test_flood_limit_holds_across_workers_without_redis(transactional_db):
    """Production without REDIS_URL: two gunicorn workers share the limit through the database cache."""
    process, url = _start_server(redis=False)
    try:
        browsers = [Browser("198.51.100.20") for _ in range(10)]
        forms = [browser.form_fields(url) for browser in browsers]  # each reader loads the page first
        results = []

        def post(n):
            data = forms[n] | {"author_url": "", "parent": "", "leave_empty": ""}
            data |= {"author_name": f"Rapid {n}", "author_email": f"rapid{n}@example.com", "body": f"rapid {n}"}
            results.append(browsers[n].request(f"{url}/comments/post/1/", data)[0])

        threads = [threading.Thread(target=post, args=(n,)) for n in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        _stop(process)
    assert sorted(results) == [302] + [429] * 9
    assert Comment.objects.filter(author_name__startswith="Rapid").count() == 1


def _post_many(servers, clients, per_client, results, stop_after=None):
    def run(client_number):
        for n in range(per_client):
            server = servers[(client_number + n) % len(servers)]
            body = f"load comment {client_number}-{n}"
            browser = Browser(f"10.{client_number}.{n // 250}.{n % 250 + 1}")
            try:
                status, _ = browser.post_comment(
                    server,
                    author_name=f"Load {client_number}",
                    author_email=f"load{client_number}-{n}@example.com",
                    body=body,
                )
            except (OSError, AssertionError):
                status = None  # refused or dropped connection: never accepted
            results.append((body, status))
            if stop_after is not None:
                stop_after()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert not any(thread.is_alive() for thread in threads)


def test_concurrent_clients_lose_and_duplicate_nothing(servers):
    urls = [url for _, url in servers]
    results = []
    _post_many(urls, clients=8, per_client=25, results=results)
    statuses = [status for _, status in results]
    print(f"\nscale-out load: {len(results)} posts, statuses {sorted(set(statuses))}")
    assert len(results) == 200
    assert statuses.count(302) == 200
    stored = list(Comment.objects.filter(body__startswith="load comment").values_list("body", flat=True))
    assert len(stored) == 200 and len(set(stored)) == 200


def test_killing_one_server_loses_no_accepted_comment(servers):
    (process_a, a), (_, b) = servers
    results = []
    killed = threading.Event()

    def kill_a_midway():
        if len(results) >= 40 and not killed.is_set():
            killed.set()
            _stop(process_a, signal.SIGKILL)

    _post_many([a, b], clients=4, per_client=30, results=results, stop_after=kill_a_midway)
    assert killed.is_set()
    accepted = {body for body, status in results if status == 302}
    refused = [body for body, status in results if status != 302]
    print(f"\nkill test: {len(results)} posts, {len(accepted)} accepted, {len(refused)} refused after A died")
    assert not [status for _, status in results if status and status >= 500]
    stored = set(Comment.objects.filter(body__startswith="load comment").values_list("body", flat=True))
    assert accepted <= stored  # nothing accepted was lost
    # A post that A committed just before it died never got its answer: at most one in flight per client.
    in_flight = stored - accepted
    assert in_flight <= {body for body, status in results if status is None}
    assert len(in_flight) <= 4
    assert urllib.request.urlopen(f"{b}/healthz", timeout=5).status == 200
    assert (
        Browser("192.0.2.200").post_comment(
            b, author_name="After", author_email="after@example.com", body="after the kill"
        )[0]
        == 302
    )
