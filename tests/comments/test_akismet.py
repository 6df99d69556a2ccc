"""Akismet, when AKISMET_API_KEY is set (issue 19, part 4), against a local server that speaks Akismet's API.

The library runs unchanged, over real HTTP: only the connection it opens to rest.akismet.com
goes to a server on a loopback port instead (the library has no base-URL option, so the
httpx client it accepts gets a transport that connects elsewhere; the Host header stays
rest.akismet.com, which the server checks).
"""

import functools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx
import pytest
from django.urls import reverse

from comments import akismet, transitions
from comments.models import Comment, ModerationEvent
from tests.helpers import ARTICLE_URL

KEY = "0123456789ab"
BLOG = "https://skin.example.org"
THANKS = "Thanks for making the web a better place."


class AkismetServer(ThreadingHTTPServer):
    """Akismet's API 1.1 as akismet.com/developers documents it: its bodies and headers, and every request kept."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), AkismetHandler)
        self.requests: list[dict] = []  # {"path", "host", "user_agent", "data"} per request, in order
        self.check_answer = "false"  # comment-check's body: "true" (spam) or "false" (ham)
        self.discard = False  # with "true": the X-akismet-pro-tip header of blatant spam
        self.debug_help = ""  # comment-check's X-akismet-debug-help, sent with an answer that is neither
        self.error_status = 0  # answer every call with this HTTP status instead
        self.hang = threading.Event()  # set: hold every answer until released (a timeout)
        self.released = threading.Event()

    @property
    def paths(self) -> list[str]:
        return [request["path"] for request in self.requests]

    def received(self, path: str) -> dict:
        (data,) = [request["data"] for request in self.requests if request["path"] == path]
        return data


class AkismetHandler(BaseHTTPRequestHandler):
    server: AkismetServer

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        data = {name: values[0] for name, values in parse_qs(self.rfile.read(length).decode()).items()}
        self.server.requests.append(
            {"path": self.path, "host": self.headers["Host"], "user_agent": self.headers["User-Agent"], "data": data}
        )
        if self.server.hang.is_set():
            self.server.released.wait(10)
        if self.server.error_status:
            return self._answer("Service unavailable", status=self.server.error_status)
        key = data.get("key" if self.path == "/1.1/verify-key" else "api_key")
        if key != KEY:
            return self._answer("invalid", {"X-akismet-debug-help": "We were unable to parse your API key."})
        if self.path == "/1.1/verify-key":
            return self._answer("valid")
        if self.path == "/1.1/comment-check":
            headers = {"X-akismet-guid": "4f0b6d8b0b8fe6e5d7a8e0c4b2e2f3a1"}
            if self.server.check_answer == "true" and self.server.discard:
                headers["X-akismet-pro-tip"] = "discard"
            if self.server.debug_help:
                headers["X-akismet-debug-help"] = self.server.debug_help
            return self._answer(self.server.check_answer, headers)
        if self.path in ("/1.1/submit-spam", "/1.1/submit-ham"):
            return self._answer(THANKS)
        return self._answer("Not found", status=404)

    def _answer(self, body: str, headers: dict[str, str] | None = None, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body.encode())))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the test output quiet


class ToLocalServer(httpx.HTTPTransport):
    """Connects to the local server whatever host the library addresses; the request is otherwise untouched."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return super().handle_request(request)


@pytest.fixture
def server(settings, monkeypatch):
    """A running Akismet server, with the site's key set for it."""
    akismet_server = AkismetServer()
    thread = threading.Thread(target=akismet_server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.AKISMET_API_KEY = KEY
    settings.AKISMET_BLOG_URL = BLOG
    port = akismet_server.server_address[1]
    monkeypatch.setattr(akismet, "http_client", functools.partial(akismet.http_client, transport=ToLocalServer(port)))
    yield akismet_server
    akismet_server.released.set()
    akismet_server.shutdown()
    akismet_server.server_close()


@pytest.fixture
def queued(settings):
    """Tasks go to the database queue, as in production, and run when the test says so."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects


def _post(post_comment, article, committed, **fields):
    fields.setdefault("author_name", "Ada Reader")
    fields.setdefault("author_email", "ada@example.com")
    fields.setdefault("author_url", "https://ada.example")
    fields.setdefault("body", "Does this work for wrinkles?")
    with committed():
        response = post_comment(article, headers={"User-Agent": "Mozilla/5.0 (Test)"}, **fields)
    assert response.status_code == 302  # the reader's post never depends on Akismet
    return response, Comment.objects.latest("pk")


def _records(caplog):
    return [record.getMessage() for record in caplog.records if record.name == "comments.akismet"]


# ---- checking new comments


def test_no_key_no_request(post_comment, article, server, settings, committed, moderator):
    settings.AKISMET_API_KEY = ""
    _response, comment = _post(post_comment, article, committed)
    with committed():
        transitions.mark_spam(Comment.objects.filter(pk=comment.pk), moderator)
    assert server.requests == []
    assert Comment.objects.get(pk=comment.pk).akismet == ""


def test_no_key_queues_no_task(post_comment, article, settings, committed, queued):
    settings.AKISMET_API_KEY = ""
    _post(post_comment, article, committed)
    assert queued.exists()  # the moderators' email
    assert not queued.filter(task_path__startswith="comments.akismet").exists()


def test_new_comment_is_checked_with_what_akismet_asks_for(post_comment, article, server, committed):
    _response, comment = _post(post_comment, article, committed)
    assert server.paths == ["/1.1/verify-key", "/1.1/comment-check"]
    assert server.received("/1.1/verify-key") == {"key": KEY, "blog": BLOG}
    assert server.received("/1.1/comment-check") == {
        "api_key": KEY,
        "blog": BLOG,
        "user_ip": "127.0.0.1",
        "user_agent": "Mozilla/5.0 (Test)",
        "comment_author": "Ada Reader",
        "comment_author_email": "ada@example.com",
        "comment_author_url": "https://ada.example",
        "comment_content": "Does this work for wrinkles?",
        "comment_type": "reply",
        "comment_date_gmt": comment.submitted_at.isoformat(),
        "permalink": f"http://127.0.0.1:8000{ARTICLE_URL}",
        "blog_lang": "en",
        "blog_charset": "UTF-8",
    }
    assert {request["host"] for request in server.requests} == {"rest.akismet.com"}
    assert all(request["user_agent"].startswith("akismet.py/25.10.1") for request in server.requests)


def test_ham_changes_nothing_but_the_verdict(post_comment, article, server, committed):
    _response, comment = _post(post_comment, article, committed)
    comment.refresh_from_db()
    assert (comment.status, comment.akismet) == ("pending", "ham")
    assert [event.to_status for event in ModerationEvent.objects.filter(comment_id=comment.pk)] == ["pending"]


def test_spam_files_a_pending_comment_as_spam_with_the_reason(post_comment, article, server, committed):
    server.check_answer = "true"
    _response, comment = _post(post_comment, article, committed)
    comment.refresh_from_db()
    assert (comment.status, comment.akismet, comment.moderated_by) == ("spam", "spam", None)
    event = ModerationEvent.objects.filter(comment_id=comment.pk).first()  # newest first
    assert (event.from_status, event.to_status, event.rule, event.reason) == ("pending", "spam", "akismet", "spam")
    assert event.actor == "Akismet"


def test_discard_is_kept_as_blatant_spam(post_comment, article, server, committed):
    server.check_answer, server.discard = "true", True
    _response, comment = _post(post_comment, article, committed)
    comment.refresh_from_db()
    assert (comment.status, comment.akismet) == ("spam", "discard")


def test_spam_holds_a_comment_a_rule_approved(post_comment, article, server, settings, make_comment, committed, client):
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    make_comment(article, author_name="Ada Reader", author_email="ada@example.com")
    server.check_answer = "true"
    _response, comment = _post(post_comment, article, committed, body="Known author, odd links")
    comment.refresh_from_db()
    assert (comment.status, comment.akismet) == ("pending", "spam")
    event = ModerationEvent.objects.filter(comment_id=comment.pk).first()
    assert (event.from_status, event.to_status, event.rule) == ("approved", "pending", "akismet")
    from django.test import Client

    assert "Known author, odd links" not in Client().get(ARTICLE_URL).content.decode()


def test_spam_never_overrules_a_moderator_who_decided_first(
    post_comment, article, server, committed, queued, moderator
):
    server.check_answer = "true"
    _response, comment = _post(post_comment, article, committed)
    assert server.requests == []  # queued, not yet run
    transitions.approve(Comment.objects.filter(pk=comment.pk), moderator)
    akismet.check_comment.call(comment.pk)  # what the worker runs for the queued task
    comment.refresh_from_db()
    assert (comment.status, comment.akismet) == ("approved", "spam")


def test_spam_filed_by_the_rules_is_not_sent(post_comment, article, server, committed):
    _response, comment = _post(post_comment, article, committed, leave_empty="bot")  # the honeypot
    assert comment.status == "spam"
    assert server.requests == []


# ---- failures


def test_server_error_leaves_the_comment_as_it_was(post_comment, article, server, committed, caplog):
    server.error_status = 503
    _response, comment = _post(post_comment, article, committed)
    comment.refresh_from_db()
    assert (comment.status, comment.akismet) == ("pending", "")
    (message,) = _records(caplog)
    assert "verify-key" not in message and "comment-check" in message and "503" in message
    assert "ada@example.com" not in message and "127.0.0.1" not in message and KEY not in message


def test_unexpected_answer_is_logged_with_akismets_debug_help(post_comment, article, server, committed, caplog):
    server.check_answer, server.debug_help = "", "Empty 'comment_content' value"  # what Akismet says to a bad call
    _response, comment = _post(post_comment, article, committed)
    comment.refresh_from_db()
    assert (comment.status, comment.akismet) == ("pending", "")
    (message,) = _records(caplog)
    assert "ProtocolError" in message and "Empty 'comment_content' value" in message


def test_timeout_leaves_the_comment_as_it_was(post_comment, article, server, settings, committed, caplog):
    settings.AKISMET_TIMEOUT_SECONDS = 0.2
    server.hang.set()
    _response, comment = _post(post_comment, article, committed)
    comment.refresh_from_db()
    assert (comment.status, comment.akismet) == ("pending", "")
    (message,) = _records(caplog)
    assert "timed out" in message


def test_failed_check_is_retried_a_bounded_number_of_times(post_comment, article, server, settings, committed, queued):
    settings.AKISMET_ATTEMPTS = 2
    server.error_status = 503
    _response, comment = _post(post_comment, article, committed)
    checks = queued.filter(task_path="comments.akismet.check_comment")
    (first,) = checks.all()
    assert first.args_kwargs["args"] == [comment.pk]
    akismet.check_comment.call(comment.pk)
    retry = checks.exclude(pk=first.pk).get()
    assert retry.args_kwargs["args"] == [comment.pk, 2] and retry.run_after is not None
    akismet.check_comment.call(comment.pk, 2)  # the last attempt
    assert checks.all().count() == 2
    assert Comment.objects.get(pk=comment.pk).status == "pending"


def test_refused_key_is_logged_and_changes_nothing(post_comment, article, server, settings, committed, queued, caplog):
    settings.AKISMET_API_KEY = "not-the-key"
    _response, comment = _post(post_comment, article, committed)
    akismet.check_comment.call(comment.pk)
    assert server.paths == ["/1.1/verify-key"]
    comment.refresh_from_db()
    assert (comment.status, comment.akismet) == ("pending", "")
    (message,) = _records(caplog)
    assert "refused AKISMET_API_KEY" in message and BLOG in message and "not-the-key" not in message
    assert queued.filter(task_path="comments.akismet.check_comment").count() == 1  # no retry


# ---- moderators' decisions reported back


@pytest.fixture
def ham_comment(post_comment, article, server, committed):
    """A pending comment that Akismet called ham; the server then forgets the check."""
    _response, comment = _post(post_comment, article, committed)
    server.requests.clear()
    return comment


@pytest.fixture
def akismet_spam(post_comment, article, server, committed, settings):
    """A comment that Akismet filed as spam."""
    settings.COMMENTS_FLOOD_SECONDS = 0  # beside ham_comment, from the same address
    server.check_answer = "true"
    _response, comment = _post(post_comment, article, committed, author_name="Spam Bot", body="Cheap pills")
    server.check_answer = "false"
    server.requests.clear()
    return comment


def test_moderator_spam_is_submitted_with_the_comments_data(ham_comment, server, moderator, committed):
    with committed():
        transitions.mark_spam(Comment.objects.filter(pk=ham_comment.pk), moderator)
    assert server.paths == ["/1.1/verify-key", "/1.1/submit-spam"]
    sent = server.received("/1.1/submit-spam")
    assert sent["user_ip"] == "127.0.0.1" and sent["user_agent"] == "Mozilla/5.0 (Test)"
    assert sent["comment_author_email"] == "ada@example.com"
    assert sent["comment_content"] == "Does this work for wrinkles?"
    assert sent["comment_date_gmt"] == ham_comment.submitted_at.isoformat()


@pytest.mark.parametrize(("reason", "submitted"), [("spam", True), ("off_topic", False)])
def test_moderator_trash_is_submitted_only_as_spam(ham_comment, server, moderator, committed, reason, submitted):
    with committed():
        transitions.trash(Comment.objects.filter(pk=ham_comment.pk), moderator, reason=reason)
    assert ("/1.1/submit-spam" in server.paths) is submitted


def test_the_queues_spam_key_submits_spam(ham_comment, server, moderator_client, committed):
    url = reverse("admin:comments_comment_decide", args=[ham_comment.pk])
    with committed():
        response = moderator_client.post(url, {"decision": "mark_spam"})
    assert response.status_code == 200
    assert "/1.1/submit-spam" in server.paths


@pytest.mark.parametrize("move", [transitions.unapprove, transitions.approve], ids=["not spam", "approve"])
def test_moderator_not_spam_on_akismet_spam_is_submitted_as_ham(akismet_spam, server, moderator, committed, move):
    with committed():
        move(Comment.objects.filter(pk=akismet_spam.pk), moderator)
    assert server.paths == ["/1.1/verify-key", "/1.1/submit-ham"]
    assert server.received("/1.1/submit-ham")["comment_author"] == "Spam Bot"


def test_confirming_akismet_spam_submits_nothing(akismet_spam, server, moderator, committed):
    with committed():
        transitions.trash(Comment.objects.filter(pk=akismet_spam.pk), moderator)
    assert server.requests == []


def test_not_spam_on_the_rules_spam_submits_nothing(post_comment, article, server, moderator, committed):
    _response, comment = _post(post_comment, article, committed, leave_empty="bot")  # never sent to Akismet
    with committed():
        transitions.unapprove(Comment.objects.filter(pk=comment.pk), moderator)
    assert server.requests == []


def test_decision_undone_before_the_worker_runs_is_not_submitted(ham_comment, server, moderator, queued, committed):
    with committed():
        transitions.mark_spam(Comment.objects.filter(pk=ham_comment.pk), moderator)
    (report,) = queued.filter(task_path__endswith="report_decision")
    transitions.undo(ModerationEvent.objects.filter(comment_id=ham_comment.pk).first().batch, moderator)
    akismet.report_decision.call(*report.args_kwargs["args"])
    assert server.requests == []


def test_failed_submission_is_logged_and_changes_nothing(ham_comment, server, moderator, committed, caplog):
    server.error_status = 500
    with committed():
        transitions.mark_spam(Comment.objects.filter(pk=ham_comment.pk), moderator)
    assert Comment.objects.get(pk=ham_comment.pk).status == "spam"
    (message,) = _records(caplog)
    assert "submit-spam" in message and "500" in message


# ---- the queue


def test_queue_shows_akismets_verdict_among_the_reasons(akismet_spam, ham_comment, moderator_client):
    html = moderator_client.get(reverse("admin:comments_comment_changelist"), {"status": "all"}).content.decode()
    assert html.count("Akismet: spam") == 1 and html.count("Akismet: not spam") == 1
