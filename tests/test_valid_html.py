"""Valid HTML on every reader page (issue 21), as the W3C Nu HTML Checker (vnu) sees it.

Each test renders its pages with the test client under the settings the suite runs
with (DEBUG off, as in production), writes them to files and runs vnu once over all
of them: a JVM start costs a second. vnu comes from package.json (`make test` runs
`npm ci`) and runs on Debian's Java; without either the tests skip, and with
SKINSITE_REQUIRE_VNU=1 (as CI sets) they fail instead.

The admin pages are mostly Django's markup: there only errors in the project's own
markup (its templates, and the HTML that comments/admin/queue.py puts in cells) fail the
test; errors in Django's are reported as a warning.
"""

import functools
import json
import os
import re
import shutil
import subprocess
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from django.template.loaders import filesystem
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.safestring import SafeData, mark_safe
from django.views.defaults import server_error

from comments import notifications, reports
from comments.admin.queue import CommentAdmin
from comments.models import Comment

pytestmark = pytest.mark.vnu

VNU_JAR = Path(django_settings.BASE_DIR, "node_modules", "vnu-jar", "build", "dist", "vnu.jar")


def vnu_command():
    """How to run vnu; without Java or the jar a skip, or a failure when SKINSITE_REQUIRE_VNU=1.

    Called in the tests' bodies, so that pytest sums their skips up in a single line.
    """
    java = shutil.which("java")
    missing = [
        *([] if java else ["Java (apt-get install default-jre-headless)"]),
        *([] if VNU_JAR.is_file() else [f"{VNU_JAR.relative_to(django_settings.BASE_DIR)} (npm ci)"]),
    ]
    if missing:
        reason = "the Nu HTML Checker needs " + " and ".join(missing)
        if os.environ.get("SKINSITE_REQUIRE_VNU") == "1":
            pytest.fail(reason + " (SKINSITE_REQUIRE_VNU=1: a skip would hide it)")
        pytest.skip(reason)
    return [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]


def vnu(command, pages, directory):
    """vnu's version and its errors in {name: HTML}, from one run over all the pages written to `directory`."""
    files = []
    for name, content in pages.items():
        files.append(directory / f"{name}.html")
        files[-1].write_bytes(content)
    result = subprocess.run([*command, *map(str, files)], capture_output=True, text=True, timeout=600, check=False)
    try:
        report = json.loads(result.stderr)
    except ValueError:
        pytest.fail(f"vnu exited with {result.returncode} and no JSON report:\n{result.stdout}\n{result.stderr}")
    for message in report["messages"]:
        message["file"] = Path(unquote(urlsplit(message.get("url", "")).path))
    return report["version"], report["messages"]


def listing(version, errors, what):
    """A heading, then one entry per error: file:line:column, vnu's message and the markup it points at."""
    lines = [f"vnu {version} found {len(errors)} errors in {what}:"]
    for error in errors:
        where = f"{error['file'].name}:{error.get('lastLine', '?')}:{error.get('firstColumn', '?')}"
        extract = " ".join(error.get("extract", "").split())
        lines.append(f"  {where}: {error['message']}" + (f"\n      {extract}" if extract else ""))
    return "\n".join(lines)


def html(response, *statuses):
    """A response's bytes, once its status is one of `statuses`."""
    assert response.status_code in statuses, f"{response.status_code} for {getattr(response, 'request', {})}"
    return response.content


# ---- reader pages

# Every tag and attribute a reader may type (comments.sanitize), including WordPress's obsolete
# acronym and strike, a date HTML does not allow and a link with a space in it.
TYPED_MARKUP = (
    '<acronym title="Old">OLD</acronym>, <strike>struck</strike>, <del datetime="2020">when?</del>, '
    '<a href="https://example.org/a b">spaced link</a>.\n\n'
    "Plain words, <b>bold</b>, <strong>strong</strong>, <i>italic</i>, <em>em</em>, <code>x = 1</code>,\n"
    '<a href="https://example.org/a?b=1&c=2" title="A link">a link</a>, https://example.org/bare, '
    '<abbr title="HyperText Markup Language">HTML</abbr>, <q cite="https://example.org/">a quote</q>, '
    '<cite>a title</cite>, <del datetime="2026-01-02T03:04:05Z">gone</del>, <s>wrong</s>.\n\n'
    '<blockquote cite="https://example.org/">A quoted paragraph.</blockquote>\n\n'
    "A last paragraph & a < sign, \u201ccurly\u201d quotes and an emoji \U0001f600."
)


def _thread(article, make_comment, depth, **fields):
    """A thread nested `depth` comments deep, top first."""
    comments = [make_comment(article, **fields)]
    while len(comments) < depth:
        comments.append(make_comment(article, parent=comments[-1], **fields))
    return comments


def _database_down(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


def test_reader_pages_are_valid_html(client, article, make_article, make_comment, post_comment, settings, tmp_path):
    command = vnu_command()
    assert not settings.DEBUG
    url = article.get_absolute_url()
    pages = {"article": html(client.get(url), 200)}

    # Three pages of threads (newest, a middle one, the oldest), with replies down to the deepest level.
    settings.COMMENTS_PER_PAGE = 3
    deepest = _thread(article, make_comment, settings.COMMENTS_MAX_DEPTH, body=TYPED_MARKUP)
    assert deepest[-1].depth == settings.COMMENTS_MAX_DEPTH
    _thread(article, make_comment, 2, author_url="https://example.org/~reader?a=1&b=2")
    for _ in range(4):
        make_comment(article)
    pages["comments-newest-page"] = html(client.get(url), 200)
    pages["comments-middle-page"] = html(client.get(url, {"cpage": 2}), 200)
    pages["comments-oldest-page"] = html(client.get(url, {"cpage": 1}), 200)
    pages["reply-form"] = html(client.get(url, {"cpage": 1, "replytocom": deepest[-2].pk}), 200)

    # The form again with what went wrong: in every field; and a refusal of the whole post.
    invalid = {"body": "", "author_name": "", "author_email": "not an address", "author_url": "ftp://x"}
    pages["form-errors"] = html(post_comment(article, **invalid), 200, 400)
    reader = Client()
    posted = post_comment(article, via=reader, remember="on", body="Held <em>for</em> moderation.")
    assert posted.status_code == 302
    pages["form-refused"] = html(post_comment(article, via=reader), 429)  # too soon after the last one

    # The reader back on the page: their comment and reply held for moderation, their details remembered.
    settings.COMMENTS_FLOOD_SECONDS = 0
    reply = post_comment(article, via=reader, remember="on", parent=deepest[-2].pk, body="A held reply.")
    assert reply.status_code == 302
    pages["own-pending-comment"] = html(reader.get(posted["Location"]), 200)
    pages["own-pending-reply"] = html(reader.get(reply["Location"]), 200)

    closed = make_article(comments_open=False)
    pages["article-comments-closed"] = html(client.get(closed.get_absolute_url()), 200)
    pages["post-comments-closed"] = html(post_comment(closed), 403)

    subscriber = make_comment(article, notify_replies=True)
    token = notifications.unsubscribe_token(subscriber)
    pages["unsubscribe-asks"] = html(client.get(reverse("comments:unsubscribe", args=[token])), 200)
    pages["unsubscribed"] = html(client.post(reverse("comments:unsubscribe", args=[token])), 200)
    with time_machine.travel(datetime.now(UTC) - timedelta(days=settings.COMMENTS_UNSUBSCRIBE_MAX_AGE_DAYS + 1)):
        token = notifications.unsubscribe_token(subscriber)
    pages["unsubscribe-expired"] = html(client.get(reverse("comments:unsubscribe", args=[token])), 410)
    pages["400-unsubscribe-forged"] = html(client.get(reverse("comments:unsubscribe", args=["forged:token"])), 400)

    # Reporting a comment: the form, its errors (illegal content without what a notice needs), the
    # thanks, and a report refused by the limit with the reader's input kept.
    reported = make_comment(article, body=TYPED_MARKUP)
    report_url = reverse("comments:report", args=[reported.pk])
    pages["report-form"] = html(client.get(report_url), 200)
    bad = {"kind": "illegal", "explanation": "", "reporter_email": "not an address"}
    pages["report-errors"] = html(Client().post(report_url, bad), 200)
    settings.COMMENTS_REPORT_CLIENT_SECONDS = 60
    reporter = Client()
    assert reporter.post(report_url, {"kind": "spam"}).status_code == 302
    pages["report-thanks"] = html(reporter.get(report_url), 200)
    pages["report-refused"] = html(
        Client().post(reverse("comments:report", args=[deepest[0].pk]), {"kind": "spam"}), 429
    )

    pages["403-csrf"] = html(Client(enforce_csrf_checks=True).post(reverse("comments:post", args=[article.pk])), 403)
    pages["404"] = html(client.get("/no/such/page/"), 404)
    pages["500"] = html(server_error(RequestFactory().get(url)), 500)
    with connection.execute_wrapper(_database_down):
        pages["503"] = html(client.get(url, {"cpage": 1}), 503)

    version, errors = vnu(command, pages, tmp_path)
    if errors:
        pytest.fail(listing(version, errors, f"the reader pages (in {tmp_path})"), pytrace=False)


# ---- the admin pages the project renders


BEGIN, END = "<!--skinsite:own-markup-->", "<!--/skinsite:own-markup-->"


class OwnMarkupLoader(filesystem.Loader):
    """The project's templates (TEMPLATES DIRS) with their markup between two HTML comments.

    A template that extends another has the contents of each block marked, one that
    does not is marked whole. (A block inside an attribute value or <title> would
    show the comments: the project's admin templates have none.)
    """

    def get_contents(self, origin):
        source = super().get_contents(origin)
        if not re.search(r"{%\s*extends\b", source):
            return BEGIN + source + END
        source = re.sub(r"({%\s*block\b.*?%})", rf"\1{BEGIN}", source)
        return re.sub(r"({%\s*endblock\b.*?%})", rf"{END}\1", source)


def _marked(method):
    """A ModelAdmin display method whose HTML is marked as the project's own."""

    @functools.wraps(method)
    def display(self, obj):
        value = method(self, obj)
        return mark_safe(BEGIN + value + END) if isinstance(value, SafeData) else value

    return display


def _own_spans(text):
    """(start, end) offsets of the marked stretches of `text`, outermost ones only."""
    spans, depth, start = [], 0, 0
    for marker in re.finditer(f"{re.escape(BEGIN)}|{re.escape(END)}", text):
        if marker.group() == BEGIN:
            depth, start = depth + 1, marker.start() if depth == 0 else start
        else:
            depth -= 1
            if depth == 0:
                spans.append((start, marker.end()))
    return spans


def _offset(lines, line, column):
    """A character offset from vnu's 1-based line and column (which counts UTF-16 code units)."""
    line = min(max(line, 1), len(lines))
    text = lines[line - 1]
    within = len(text.encode("utf-16-le")[: 2 * (column - 1)].decode("utf-16-le", errors="ignore"))
    return sum(len(previous) for previous in lines[: line - 1]) + within


def is_own(error, pages):
    """Whether the markup vnu points at is (partly) the project's own, as marked."""
    text = pages[error["file"].stem].decode()
    lines = text.splitlines(keepends=True)
    last = error.get("lastLine", 1)
    start = _offset(lines, error.get("firstLine", last), error.get("firstColumn", 1))
    end = _offset(lines, last, error.get("lastColumn", 1))
    return any(start <= span_end and span_start <= end for span_start, span_end in _own_spans(text))


def test_admin_pages_have_no_errors_in_the_projects_own_markup(
    moderator_client, article, make_comment, settings, monkeypatch, tmp_path
):
    command = vnu_command()
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [
        {
            **engine,
            "APP_DIRS": False,
            "OPTIONS": {
                **engine["OPTIONS"],
                "loaders": [f"{__name__}.OwnMarkupLoader", "django.template.loaders.app_directories.Loader"],
            },
        }
    ]
    for name in {*CommentAdmin.list_display, *CommentAdmin.readonly_fields} & vars(CommentAdmin).keys():
        monkeypatch.setattr(CommentAdmin, name, _marked(getattr(CommentAdmin, name)))

    queue, change = reverse("admin:comments_comment_changelist"), "admin:comments_comment_change"
    pending = make_comment(article, status="pending", author_url="https://example.org/?a=1&b=2", body=TYPED_MARKUP)
    reply = make_comment(article, parent=pending, ip_address="192.0.2.1", author_email=pending.author_email)
    # The spam classifier's badge and reasons (features of typed text, so markup-like too).
    Comment.objects.filter(pk=pending.pk).update(spam_score=0.97, spam_why=[["…<b>…", 0.8], ["check out", -0.1]])
    erase = {"action": "erase_personal_data", "_selected_action": [pending.pk, reply.pk]}
    reported = make_comment(article, body=TYPED_MARKUP)
    for n, kind in enumerate(["spam", "illegal"]):
        fields = {"kind": kind, "explanation": "It breaks a <law> & more.", "reporter_email": "r@example.org"}
        reports.file_report(reported, f"192.0.2.{n}", **fields)
    pages = {
        "admin-reported": html(moderator_client.get(reverse("admin:comments_reportedcomment_changelist")), 200),
        "admin-moderation-queue": html(moderator_client.get(queue), 200),
        "admin-all-comments": html(moderator_client.get(queue, {"status": "all"}), 200),
        "admin-comment-change": html(moderator_client.get(reverse(change, args=[reply.pk])), 200),
        "admin-erase-personal-data": html(moderator_client.post(queue, erase), 200),
    }
    assert BEGIN.encode() in pages["admin-erase-personal-data"] and b"Yes, erase" in pages["admin-erase-personal-data"]
    assert BEGIN.encode() in pages["admin-moderation-queue"] and BEGIN.encode() in pages["admin-comment-change"]
    assert BEGIN.encode() in pages["admin-reported"] and b"2 reports" in pages["admin-reported"]
    assert "spam 97.0%" in pages["admin-moderation-queue"].decode()

    version, errors = vnu(command, pages, tmp_path)
    own = [error for error in errors if is_own(error, pages)]
    djangos = [error for error in errors if error not in own]
    if djangos:
        report = listing(version, djangos, f"Django admin's own markup (in {tmp_path}), not failing the test")
        print(report)
        warnings.warn(report, stacklevel=1)
    if own:
        pytest.fail(listing(version, own, f"the project's own markup in admin pages (in {tmp_path})"), pytrace=False)
