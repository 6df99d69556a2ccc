"""Deterministic proxies for speed: SQL query counts and the comment list cache (issue 5).

Timings live in the benchmark (`make bench`), never in tests.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.seed import seed_comments
from comments import transitions
from comments.models import AuthorRule, Comment
from tests.helpers import approved_counts, clear_caches, comment_data

QUEUE = reverse("admin:comments_comment_changelist")


def _remembered(client, article):
    """A reader whose browser keeps their details (they ticked "Save my name…")."""
    client.post(reverse("comments:post", args=[article.pk]), comment_data(article, remember="on"))
    client.cookies.pop("comment_pending")


def _holding_a_comment(client, article):
    client.post(reverse("comments:post", args=[article.pk]), comment_data(article))


def _replying(client, article):
    parent = Comment.objects.for_article(article).approved().first()
    return f"?replytocom={parent.pk}" if parent else ""


# Queries of one request, once another reader has warmed the shared cache: a plain reader
# costs none; a reader with something of their own costs only what is theirs.
READERS = {
    "plain": (None, 0),
    "remembered details": (_remembered, 0),
    "replying": (_replying, 1),  # the comment replied to
    "holding a comment": (_holding_a_comment, 2),  # their own list: its thread count, then the page
}


@pytest.mark.parametrize("count", [0, 10, 1000])
@pytest.mark.parametrize("reader", READERS)
def test_article_page_queries_per_kind_of_reader(client, make_article, count, reader, django_assert_num_queries):
    article = seed_comments(make_article(), count)
    Client().get(article.get_absolute_url())  # another reader warms the shared cache
    prepare, queries = READERS[reader]
    query = (prepare(client, article) if prepare else None) or ""
    if reader == "replying" and not count:
        queries = 0  # nothing to reply to
    with django_assert_num_queries(queries):
        response = client.get(article.get_absolute_url() + query)
    assert response.status_code == 200


@pytest.mark.parametrize("count", [0, 10, 1000])
def test_cold_article_page_is_at_most_four_queries(client, make_article, count, django_assert_max_num_queries):
    article = seed_comments(make_article(), count)
    clear_caches()
    with django_assert_max_num_queries(4):  # article version and row, comment state, the page's threads
        response = client.get(article.get_absolute_url() + "?cpage=1")
    assert response.status_code == 200


def test_article_page_queries_with_deep_threads(client, article, make_comment, django_assert_max_num_queries):
    for _ in range(20):
        parent = None
        for _depth in range(5):
            parent = make_comment(article, parent=parent)
    clear_caches()
    with django_assert_max_num_queries(4):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_failed_post_queries(client, make_article, django_assert_max_num_queries):
    article = seed_comments(make_article(), 1000)
    Client().get(article.get_absolute_url())
    data = comment_data(article, author_email="not an email")
    with django_assert_max_num_queries(1):  # the article posted to; the list comes from the shared cache
        response = client.post(reverse("comments:post", args=[article.pk]), data)
    assert response.status_code == 200
    assert "Please enter a valid email address." in response.content.decode()


@pytest.mark.parametrize("reply", [False, True])
def test_posting_a_comment_runs_at_most_twelve_queries(
    client, make_article, settings, django_assert_max_num_queries, django_capture_on_commit_callbacks, reply
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # production: email is queued
    article = seed_comments(make_article(), 1000)
    parent = Comment.objects.for_article(article).approved().filter(parent=None).first() if reply else None
    data = comment_data(article, parent=str(parent.pk) if parent else "")
    AuthorRule.in_force()  # the moderators' rules on authors: from the shared cache, loaded once, not per post
    # The article, the parent, the word lists, the author's record, the insert in its savepoint,
    # the counts, the history row, the reply's page and the queued email; and the spam model's
    # version, read from the database when the shared cache has none (as here, after a clear).
    with django_assert_max_num_queries(12), django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("comments:post", args=[article.pk]), data)
    assert response.status_code == 302
    assert len(callbacks) == 1  # the moderators' email, queued


def test_moderation_queue_runs_at_most_twelve_queries(moderator_client, make_article, django_assert_max_num_queries):
    seed_comments(make_article(), 1000)
    moderator_client.get(QUEUE)
    with django_assert_max_num_queries(12):
        assert moderator_client.get(QUEUE).status_code == 200


def test_one_page_of_threads_is_one_query(make_article, settings):
    from comments.threads import thread_page

    article = seed_comments(make_article(), 1000)
    thread_count = approved_counts(article)[1]
    with CaptureQueriesContext(connection) as queries:
        page = thread_page(article, thread_count, (), None)
    assert len(queries) == 1
    assert 1 <= len(page.threads) <= settings.COMMENTS_PER_PAGE


def test_every_page_of_threads_is_complete_and_disjoint(make_article, settings):
    from comments.threads import thread_page

    article = seed_comments(make_article(), 500)
    first = thread_page(article, approved_counts(article)[1], (), 1)
    seen = []
    for number in range(1, first.page_count + 1):
        seen.extend(c.pk for c in thread_page(article, approved_counts(article)[1], (), number).threads)
    expected = list(Comment.objects.for_article(article).approved().filter(parent=None).values_list("pk", flat=True))
    assert seen == expected


def test_approval_shows_on_the_next_request_despite_the_cache(article, make_comment):
    pending = make_comment(article, status="pending", body="approved while cached")
    reader = Client()
    assert "approved while cached" not in reader.get(article.get_absolute_url()).content.decode()
    transitions.approve(Comment.objects.filter(pk=pending.pk))
    assert "approved while cached" in reader.get(article.get_absolute_url()).content.decode()


def test_spam_disappears_on_the_next_request_despite_the_cache(article):
    first = Comment.objects.for_article(article).first()
    reader = Client()
    reader.get(article.get_absolute_url())
    transitions.mark_spam(Comment.objects.filter(pk=first.pk))
    html = reader.get(article.get_absolute_url()).content.decode()
    assert first.body[:40] not in html
    assert "2 thoughts on" in html


def test_admin_edit_shows_on_the_next_request(moderator_client, article):
    first = Comment.objects.for_article(article).first()
    Client().get(article.get_absolute_url())
    url = reverse("admin:comments_comment_change", args=[first.pk])
    data = {
        "status": "approved",
        "author_name": "Edited Name",
        "author_email": "",
        "author_url": "",
        "body": first.body,
    }
    moderator_client.post(url, data)
    assert "Edited Name" in Client().get(article.get_absolute_url()).content.decode()


def test_cached_list_never_contains_a_readers_pending_comment(client, post_comment, article):
    post_comment(article, body="mine alone")
    assert "mine alone" in client.get(article.get_absolute_url()).content.decode()
    assert "mine alone" not in Client().get(article.get_absolute_url()).content.decode()


def test_csrf_token_in_the_page_stays_per_reader_with_the_cache(article):
    from tests.helpers import form_controls

    def form_csrf(reader):
        return form_controls(reader.get(article.get_absolute_url()))["csrfmiddlewaretoken"]

    first, second = Client(), Client()
    assert form_csrf(first) != form_csrf(second)  # the second page comes from the warm cache


def test_counts_stay_exact_through_every_transition(article, make_comment):
    comment = make_comment(article, status="pending")
    reply = make_comment(article, parent=Comment.objects.approved().first())
    for transition, expected in [
        (transitions.approve, (5, 4)),
        (transitions.mark_spam, (4, 3)),
        (transitions.approve, (5, 4)),
        (transitions.trash, (4, 3)),
    ]:
        transition(Comment.objects.filter(pk=comment.pk))
        article.refresh_from_db()
        assert approved_counts(article) == expected
    transitions.delete(Comment.objects.filter(pk=reply.parent_id))
    article.refresh_from_db()
    assert approved_counts(article) == (2, 2)


def test_cached_page_gets_a_fresh_form_token_per_request(article):
    import time_machine

    from comments.forms import read_form_token
    from tests.helpers import page

    reader = Client()
    with time_machine.travel(1_800_000_000, tick=False):
        first = page(reader.get(article.get_absolute_url())).find(".//input[@name='token']").get("value")
    with time_machine.travel(1_800_000_100, tick=False):
        second = page(reader.get(article.get_absolute_url())).find(".//input[@name='token']").get("value")
    assert read_form_token(first, article).rendered_at == 1_800_000_000
    assert read_form_token(second, article).rendered_at == 1_800_000_100


def test_cached_page_csrf_token_is_accepted_by_a_strict_post(article):
    from tests.helpers import page

    Client().get(article.get_absolute_url())  # fill the cache
    reader = Client(enforce_csrf_checks=True)
    doc = page(reader.get(article.get_absolute_url()))
    data = comment_data(article) | {
        "csrfmiddlewaretoken": doc.find(".//input[@name='csrfmiddlewaretoken']").get("value")
    }
    assert reader.post(reverse("comments:post", args=[article.pk]), data).status_code == 302


def test_article_edit_shows_on_the_next_request(article):
    reader = Client()
    reader.get(article.get_absolute_url())
    article.title = "A new title"
    article.save()
    assert "A new title" in reader.get(article.get_absolute_url()).content.decode()
