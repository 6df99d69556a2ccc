"""The article page's shared part, the per-process copy of versions, and the middleware kept cheap (issue 13)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from csp.utils import build_policy
from django.core.cache import cache
from django.db.models import F
from django.test import Client
from django.urls import reverse

from comments import transitions
from comments.models import Comment, CommentStats
from skinsite.versioned_cache import current_version
from tests.helpers import ARTICLE_URL, form_controls

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _shared_part(response):
    """The page up to the form's tokens, which the article page appends for each request."""
    html = response.content.decode()
    return html[: html.index('<input type="hidden" name="csrfmiddlewaretoken"')]


def test_every_plain_reader_gets_the_same_shared_part_and_their_own_tokens(article):
    first, second = Client().get(ARTICLE_URL), Client().get(ARTICLE_URL)
    assert _shared_part(first) == _shared_part(second)
    assert form_controls(first)["token"] != form_controls(second)["token"]
    assert form_controls(first)["csrfmiddlewaretoken"] != form_controls(second)["csrfmiddlewaretoken"]
    # The tokens come last: nothing after them but the end of the document.
    assert first.content.decode().rstrip().endswith('form="commentform">')


def test_the_tokens_belong_to_the_form_and_a_strict_post_with_them_is_taken(article):
    from tests.helpers import comment_data

    reader = Client(enforce_csrf_checks=True)
    controls = form_controls(reader.get(ARTICLE_URL))
    data = comment_data(article) | {name: controls[name] for name in ("csrfmiddlewaretoken", "token")}
    assert reader.post(ARTICLE_URL, data).status_code == 302


def test_a_closed_article_has_no_tokens(article):
    article.comments_open = False
    article.save()
    html = Client().get(ARTICLE_URL).content.decode()
    assert "Comments are closed." in html
    assert 'name="token"' not in html and 'name="csrfmiddlewaretoken"' not in html


@pytest.mark.parametrize("query", ["?cpage=1", "?cpage=2", "?replytocom=1"])
def test_pages_that_differ_are_not_served_from_one_entry(article, settings, query):
    settings.COMMENTS_PER_PAGE = 1  # three pages of one thread
    plain = Client().get(ARTICLE_URL)
    other = Client().get(ARTICLE_URL + query)
    assert _shared_part(plain) != _shared_part(other)


def test_a_decision_in_another_process_shows_within_page_version_seconds(article, settings):
    settings.PAGE_VERSION_SECONDS = 1
    comment = Comment.objects.for_article(article).approved().first()
    with time_machine.travel(NOW, tick=False) as clock:
        assert comment.author_name in Client().get(ARTICLE_URL).content.decode()
        # Another process trashes it: the database and the shared cache change, not this process's copy.
        Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.TRASH)
        CommentStats.objects.filter(article=article).update(approved_count=F("approved_count") - 1, changed_at=NOW)
        cache.set(CommentStats._key(article.pk), CommentStats.objects.get(article=article).snapshot())
        assert f'id="comment-{comment.pk}"' in Client().get(ARTICLE_URL).content.decode()  # this process's copy
        clock.shift(timedelta(seconds=1.01))
        assert f'id="comment-{comment.pk}"' not in Client().get(ARTICLE_URL).content.decode()


def test_a_decision_in_this_process_shows_at_once(article, settings):
    settings.PAGE_VERSION_SECONDS = 60
    comment = Comment.objects.for_article(article).approved().first()
    Client().get(ARTICLE_URL)
    transitions.trash(Comment.objects.filter(pk=comment.pk))
    assert f'id="comment-{comment.pk}"' not in Client().get(ARTICLE_URL).content.decode()


def test_without_a_copy_every_request_asks_the_shared_cache(settings):
    settings.PAGE_VERSION_SECONDS = 0
    loads = []
    cache.set("v", 1)
    assert current_version("v", lambda: loads.append(1)) == 1
    cache.set("v", 2)
    assert current_version("v", lambda: loads.append(1)) == 2
    assert loads == []


def test_the_page_has_django_csps_policy(article, settings):
    assert Client().get(ARTICLE_URL)["Content-Security-Policy"] == build_policy()
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert Client().get(ARTICLE_URL)["Content-Security-Policy"] == "default-src 'none'"


def test_readers_pages_start_no_session_and_the_admin_still_signs_in(article, moderator):
    response = Client().get(ARTICLE_URL)
    assert "sessionid" not in response.cookies
    admin = Client()
    login = admin.post(reverse("admin:login"), {"username": moderator.username, "password": "mod-password"})
    assert login.status_code == 302 and "sessionid" in login.cookies
    # Signed in, the same browser is known on a reader's page too (the form does not limit moderators).
    assert admin.get(reverse("admin:comments_comment_changelist")).status_code == 200
