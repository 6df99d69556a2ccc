"""On PostgreSQL with 100,000 comments, the two hot reads use their indexes (issue 5)."""

import pytest
from django.db import connection

from bench.seed import seed_comments
from comments.models import Comment
from comments.threads import _threads_of
from tests.helpers import require_services

pytestmark = pytest.mark.postgres


@pytest.fixture
def big_article(make_article):
    require_services(postgres=True)
    article = seed_comments(make_article(), 100_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")
    return article


def _assert_uses_an_index(queryset):
    plan = queryset.explain()
    print(plan)
    assert "Index" in plan
    assert "Seq Scan on comments_comment" not in plan


def test_article_page_reads_use_indexes_at_100000_comments(big_article, settings):
    per_page = settings.COMMENTS_PER_PAGE
    top_level = Comment.objects.for_article(big_article).approved().filter(parent=None).order_by("submitted_at", "pk")
    newest_page = top_level.reverse().values("pk")[:per_page]
    oldest_page = top_level.values("pk")[:per_page]
    _assert_uses_an_index(newest_page)
    _assert_uses_an_index(oldest_page)
    _assert_uses_an_index(_threads_of(newest_page, ()))  # the page query of thread_page


def test_moderation_queue_uses_its_index_at_100000_comments(big_article):
    queue = Comment.objects.pending().select_related("article", "parent").order_by("-submitted_at", "-pk")[:50]
    _assert_uses_an_index(queue)
    spam = Comment.objects.filter(status=Comment.Status.SPAM).order_by("-submitted_at", "-pk")[:50]
    _assert_uses_an_index(spam)
