"""Emails to moderators and to readers who asked for replies, and the comment feeds (issue 7)."""

import re
import smtplib
import time
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core import mail
from django.test import Client
from django.urls import reverse

from comments import transitions
from comments.models import Comment
from tests.helpers import ARTICLE_URL as URL
from tests.helpers import page


@pytest.fixture
def moderators(db):
    group = Group.objects.get(name=settings.COMMENTS_MODERATORS_GROUP)
    with_email = User.objects.create_user("mia", "mia@example.com", is_staff=True)
    without_email = User.objects.create_user("noemail", "", is_staff=True)
    group.user_set.add(with_email, without_email)
    User.objects.create_user("outsider", "outsider@example.com", is_staff=True)
    return with_email


def _links(message):
    return re.findall(r"https?://\S+", message.body)


# ---- moderators


def test_held_comment_emails_every_moderator_once(post_comment, article, moderators, settings, committed):
    settings.MANAGERS = [("Boss", "boss@example.com")]
    with committed():
        post_comment(
            article,
            author_name="Held Author",
            author_email="held@example.com",
            author_url="https://held.example",
            body="Please look at <b>this</b>.",
            headers={"User-Agent": "T"},
        )
    comment = Comment.objects.latest("pk")
    (message,) = mail.outbox
    assert sorted(message.to) == ["boss@example.com", "mia@example.com"]
    assert message.subject == "[skinsite] Please moderate: “Can Facial Exercises Improve Your Skin?”"
    for expected in [
        "Held Author",
        "held@example.com",
        "https://held.example",
        "127.0.0.1",
        "Please look at <b>this</b>.",
    ]:
        assert expected in message.body
    assert f"http://127.0.0.1:8000/admin/comments/comment/{comment.pk}/change/" in _links(message)
    assert "http://127.0.0.1:8000/admin/comments/comment/" in _links(message)


@pytest.mark.parametrize(
    "fields", [{"leave_empty": "bot"}, {"rendered_at": 1}, {"body": "cheap pills"}], ids=["honeypot", "fast", "word"]
)
def test_spam_sends_no_email(post_comment, article, moderators, fields, committed, settings):
    from comments.models import WordList

    WordList.objects.filter(kind="disallowed").update(words="pills")
    if "rendered_at" in fields:
        fields = {"rendered_at": time.time() - 1}  # faster than COMMENTS_MIN_SUBMIT_SECONDS
    with committed():
        post_comment(article, **fields)
    assert Comment.objects.latest("pk").status == Comment.Status.SPAM
    assert mail.outbox == []


def test_auto_approved_comment_sends_no_moderator_email(
    post_comment, article, moderators, make_comment, settings, committed
):
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    make_comment(article, author_name="Known", author_email="known@example.com")
    with committed():
        post_comment(article, author_name="Known", author_email="known@example.com")
    assert Comment.objects.latest("pk").status == "approved"
    assert mail.outbox == []


def test_header_injection_through_the_name_is_impossible(post_comment, article, moderators, committed):
    with committed():
        post_comment(
            article, author_name="Eve\r\nBcc: victim@example.com\r\nSubject: hi", author_email="eve@example.com"
        )
    (message,) = mail.outbox
    assert message.to == ["mia@example.com"] and message.bcc == []
    headers = message.message().as_string().split("\n\n", 1)[0]
    assert "victim@example.com" not in headers
    assert "Bcc" not in headers
    assert "Eve Bcc: victim@example.com Subject: hi" in message.body


def test_failing_mail_server_keeps_the_comment_and_logs_no_address(
    post_comment, article, moderators, settings, caplog, committed
):
    settings.EMAIL_BACKEND = "tests.comments.test_notifications.RefusingBackend"
    with committed():
        response = post_comment(article, author_email="private.person@example.com", body="Saved anyway")
    assert response.status_code == 302
    assert Comment.objects.filter(body="Saved anyway").exists()
    (record,) = [r for r in caplog.records if r.name == "comments.notifications"]
    assert "SMTPRecipientsRefused" in record.getMessage()
    assert "@" not in record.getMessage()


def test_failed_email_is_retried_by_the_worker(post_comment, article, moderators, settings, committed):
    from django_tasks_db.models import DBTaskResult

    from comments.notifications import send_moderation_email

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "tests.comments.test_notifications.RefusingBackend"
    with committed():
        post_comment(article)
    comment = Comment.objects.latest("pk")
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"] == [comment.pk]
    send_moderation_email.call(comment.pk)  # what the worker runs for the queued task
    retry = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert retry.args_kwargs["args"] == [comment.pk, 2]
    assert retry.run_after is not None


class RefusingBackend:
    """An SMTP server that refuses the message, quoting the recipients as real ones do."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({address: (550, b"no") for m in messages for address in m.to})


# ---- reply notifications


@pytest.fixture
def subscriber(article, make_comment):
    return make_comment(article, author_name="Sub Scriber", author_email="sub@example.com", notify_replies=True)


def _reply(article, parent, make_comment, **fields):
    fields.setdefault("author_name", "Replier Name")
    fields.setdefault("author_email", "replier@example.com")
    fields.setdefault("body", "Secret reply words")
    return make_comment(article, status="pending", parent=parent, **fields)


def test_form_offers_an_unticked_notify_checkbox(client, article):
    box = page(client.get(URL)).find(".//input[@id='id_notify_replies']")
    assert box.get("type") == "checkbox" and box.get("checked") is None
    label = page(client.get(URL)).find(".//label[@for='id_notify_replies']")
    assert "".join(label.itertext()).strip() == "Notify me of follow-up comments by email"


def test_ticking_notify_is_stored(post_comment, article):
    post_comment(article, notify_replies="on")
    assert Comment.objects.latest("pk").notify_replies


def test_approved_reply_emails_the_subscriber_without_commenter_text(article, subscriber, make_comment, committed):
    reply = _reply(article, subscriber, make_comment)
    mail.outbox.clear()
    with committed():
        transitions.approve(Comment.objects.filter(pk=reply.pk))
    (message,) = mail.outbox
    assert message.to == ["sub@example.com"]
    assert message.subject == "New reply on “Can Facial Exercises Improve Your Skin?”"
    assert f"http://127.0.0.1:8000{URL}#comment-{reply.pk}" in _links(message)
    for commenter_text in ["Secret reply words", "Replier Name", "Sub Scriber", "replier@example.com"]:
        assert commenter_text not in message.body and commenter_text not in message.subject


@pytest.mark.parametrize("transition", [transitions.unapprove, transitions.mark_spam, transitions.trash])
def test_no_reply_email_for_unpublished_replies(article, subscriber, make_comment, transition, committed):
    reply = _reply(article, subscriber, make_comment)
    mail.outbox.clear()
    with committed():
        transition(Comment.objects.filter(pk=reply.pk))
    assert mail.outbox == []


def test_no_reply_email_to_the_replys_own_author(article, subscriber, make_comment, committed):
    reply = _reply(article, subscriber, make_comment, author_email="SUB@example.com")
    mail.outbox.clear()
    with committed():
        transitions.approve(Comment.objects.filter(pk=reply.pk))
    assert mail.outbox == []


def test_no_reply_email_without_the_tick(article, make_comment, committed):
    parent = make_comment(article, author_email="quiet@example.com")
    reply = _reply(article, parent, make_comment)
    mail.outbox.clear()
    with committed():
        transitions.approve(Comment.objects.filter(pk=reply.pk))
    assert mail.outbox == []


def test_reply_emails_are_at_most_one_an_hour_per_article(article, subscriber, make_comment, committed):
    start = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        for n, (shift, expected) in enumerate([(0, 1), (60, 1), (3540, 2)]):
            clock.shift(shift)
            reply = _reply(article, subscriber, make_comment, body=f"reply {n}")
            with committed():
                transitions.approve(Comment.objects.filter(pk=reply.pk))
            assert len([m for m in mail.outbox if m.to == ["sub@example.com"]]) == expected


def _unsubscribe_url(message):
    return next(link for link in _links(message) if "/unsubscribe/" in link).replace("http://127.0.0.1:8000", "")


def test_unsubscribe_link_asks_first_and_stops_further_emails_on_post(
    client, article, subscriber, make_comment, settings, committed
):
    settings.COMMENTS_REPLY_EMAIL_INTERVAL_SECONDS = 0
    with committed():
        transitions.approve(Comment.objects.filter(pk=_reply(article, subscriber, make_comment).pk))
    url = _unsubscribe_url(mail.outbox[-1])
    # A link scanner's GET changes nothing: the page asks, with a button.
    asked = client.get(url)
    assert asked.status_code == 200
    assert page(asked).find(".//form[@method='post']//button").text == "Unsubscribe"
    assert Comment.objects.get(pk=subscriber.pk).notify_replies
    response = client.post(url)
    assert response.status_code == 200
    assert (
        "You will receive no more reply emails about “Can Facial Exercises Improve Your Skin?”."
        in response.content.decode()
    )
    mail.outbox.clear()
    with committed():
        transitions.approve(Comment.objects.filter(pk=_reply(article, subscriber, make_comment, body="again").pk))
    assert mail.outbox == []


def test_unsubscribe_link_expires_after_30_days(client, article, subscriber, make_comment, committed):
    with time_machine.travel(datetime(2026, 6, 1, tzinfo=UTC), tick=False) as clock:
        with committed():
            transitions.approve(Comment.objects.filter(pk=_reply(article, subscriber, make_comment).pk))
        url = _unsubscribe_url(mail.outbox[-1])
        clock.shift(timedelta(days=30, seconds=1))
        response = client.get(url)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert Comment.objects.get(pk=subscriber.pk).notify_replies


def test_tampered_unsubscribe_link_is_400(client, db):
    assert client.get(reverse("comments:unsubscribe", args=["forged:token"])).status_code == 400


# ---- feeds


def test_article_feed_lists_approved_comments_without_private_data(client, article, make_comment):
    make_comment(article, status="pending", body="pending words")
    make_comment(article, status="spam", body="spam words")
    visible = make_comment(
        article, author_name="Feed Author", author_email="feed@example.com", ip_address="203.0.113.5"
    )
    response = client.get(reverse("article-comments-feed", args=[article.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert feed.version == "rss20"
    assert feed.feed.title == "Comments on “Can Facial Exercises Improve Your Skin?”"
    assert len(feed.entries) == 4
    newest = feed.entries[0]
    assert newest.author == "Feed Author"
    assert newest.link == f"http://testserver{URL}#comment-{visible.pk}"
    assert visible.body in newest.summary
    text = response.content.decode()
    for private in ["feed@example.com", "203.0.113.5", "pending words", "spam words"]:
        assert private not in text


def test_site_feed_holds_the_latest_50(client, article, make_article, make_comment):
    for _ in range(52):
        make_comment(article)
    make_comment(make_article(title="Other"), body="on the other article")
    feed = feedparser.parse(client.get(reverse("comments:feed")).content)
    assert len(feed.entries) == 50
    assert feed.entries[0].title.endswith("on “Other”")  # newest first, across articles


def test_article_page_links_its_feeds(client, article):
    doc = page(client.get(URL))
    hrefs = [link.get("href") for link in doc.iterfind(".//link[@rel='alternate']")]
    assert hrefs == [f"{URL}comments/feed/", "/comments/feed/"]


def test_unknown_article_feed_is_404(client, db):
    assert client.get("/articles/nope/comments/feed/").status_code == 404


def test_approval_appears_in_the_feed(client, article, make_comment):
    pending = make_comment(article, status="pending", body="soon in the feed")
    assert b"soon in the feed" not in client.get(reverse("comments:feed")).content
    transitions.approve(Comment.objects.filter(pk=pending.pk))
    assert b"soon in the feed" in Client().get(reverse("comments:feed")).content
