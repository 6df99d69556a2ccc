"""Every real WordPress export in ../shared/data imports as it should, twice (issue 16).

The files are read where they are (next to the repository), never copied into it; see
SOURCES.md there for where each comes from and what it exercises.
"""

import io
import re
from collections import Counter

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from articles.models import Article
from comments.importers.wordpress import WXRReader
from comments.models import Comment, CommentStats
from tests.helpers import shared_data

DATA = shared_data()
WORDPRESS = DATA / "wordpress-exports"
needs_data = pytest.mark.skipif(
    not WORDPRESS.is_dir(),
    reason=f"the real WordPress exports are not at {WORDPRESS} (../shared/data next to the repo)",
)

# file → what its summary must say (counts not named are 0), or the one-line error it must give.
EXPECTED = {
    "a11y-unit-test-data.xml": {
        "articles created": 47,
        "hidden articles (not public)": 3,
        "other items skipped": 107,
        "comments approved": 22,
        "pingbacks skipped": 4,
        "comments on skipped items": 3,
    },
    "crazy-cdata-escaped.xml": {"articles created": 1},
    "crazy-cdata.xml": r"line 18, column 72: the XML is malformed \(not well-formed \(invalid token\)\)",
    "invalid-version-tag.xml": r"line 33, column 2: unsupported WXR version 'abc'",
    "malformed-simple.xml": r"line 14, column 1: the XML is malformed \(no element found\)",
    "malformed.xml": r"line 90, column 3: the XML is malformed \(mismatched tag\)",
    "missing-version-tag.xml": r"line 91, column 1: <wp:wxr_version> is missing",
    "slashes.xml": {"articles created": 1, "comments approved": 1},
    "small-export.xml": {
        "articles created": 6,
        "hidden articles (not public)": 1,
        "other items skipped": 5,
        "comments approved": 1,
    },
    "test-serialized-comment-meta.xml": {
        "articles created": 1,
        "hidden articles (not public)": 1,
        "comments approved": 1,
    },
    "themeunittestdata.wordpress.xml": {
        "articles created": 60,  # 58 posts and the 2 pages with comments
        "hidden articles (not public)": 3,  # the draft, the scheduled (2030) and the password-protected post
        "other items skipped": 126,
        "comments approved": 26,
        "comments pending": 3,
        "pingbacks skipped": 2,
        "trackbacks skipped": 2,
    },
    "valid-wxr-1.0.xml": {"articles created": 3, "other items skipped": 3, "comments approved": 1},
    "valid-wxr-1.1.xml": {"articles created": 1, "other items skipped": 1, "comments approved": 1},
    # No <wp:wxr_version>: WordPress's own importer refuses it too.
    "wordpress.xml": r"line 13, column 9: <wp:wxr_version> is missing",
    "wordpressexport.xml": {
        "articles created": 9,
        "hidden articles (not public)": 4,
        "duplicate post ids skipped": 2,  # post ids 175 and 176, two posts each
        "other items skipped": 9,
        "comments approved": 3,
        "replies to missing comments made top-level": 1,
        "pingbacks skipped": 1,
    },
    "wxr-comprehensive.xml": {"articles created": 1, "other items skipped": 1, "comments approved": 1},
    "wxr-with-note-comments.xml": {"articles created": 1, "comments approved": 1, "notes skipped": 2},
    "wxr-with-sub-data.xml": {
        "articles created": 1,
        "comments pending": 1,
        "comments without a known status held": 1,
    },
}


def run(path):
    out = io.StringIO()
    call_command("import_wordpress", str(path), verbosity=0, stdout=out)
    text = out.getvalue().strip()
    return {what: int(n) for n, what in re.findall(r"(\d+) ([^,.]+)", text.split(": ", 1)[1])}


def state():
    return (
        list(Article.objects.order_by("pk").values()),
        list(Comment.objects.order_by("pk").values()),
        list(CommentStats.objects.order_by("pk").values()),
    )


def test_every_real_file_has_an_expectation():
    if WORDPRESS.is_dir():
        assert sorted(path.name for path in WORDPRESS.glob("*.xml")) == sorted(EXPECTED)


@needs_data
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_wordpress_export(db, name):
    Article.objects.all().delete()  # an empty site
    path = WORDPRESS / name
    expected = EXPECTED[name]
    if isinstance(expected, str):
        with pytest.raises(CommandError, match=expected) as raised:
            run(path)
        assert str(raised.value).startswith(f"{path}: line ") and "\n" not in str(raised.value)
        assert not Article.objects.exists()
        return
    counts = run(path)
    assert {what: n for what, n in counts.items() if n} == expected

    # The summary says what the database holds.
    assert Article.objects.count() == counts["articles created"]
    assert Article.objects.filter(is_public=False).count() == counts["hidden articles (not public)"]
    by_status = Counter(Comment.objects.values_list("status", flat=True))
    for status in Comment.Status.values:
        assert by_status[status] == counts[f"comments {status}"], status
    for stats in CommentStats.objects.all():
        comments = Comment.objects.filter(article=stats.article_id)
        assert stats.approved_count == comments.filter(status="approved").count()
        assert stats.thread_count == comments.filter(status="approved", parent=None).count()

    # Parents as in the file: the same one, or its ancestor when the reply is deeper than the site allows.
    in_file = {
        (post.post_id, c.source_id): c.parent_id for post in WXRReader(path) if post.comments for c in post.comments
    }
    for comment in Comment.objects.select_related("article", "parent"):
        assert comment.depth <= settings.COMMENTS_MAX_DEPTH
        wanted = in_file[(comment.article.wordpress_id, comment.wordpress_id)]
        if comment.parent is None:
            assert wanted == 0 or (comment.article.wordpress_id, wanted) not in in_file
        else:
            ancestor = wanted
            while ancestor != comment.parent.wordpress_id:
                ancestor = in_file[(comment.article.wordpress_id, ancestor)]
                assert ancestor, comment
            assert comment.parent.depth == comment.depth - 1

    # A second run changes nothing at all, updated_at and the counts' change time included.
    before = state()
    again = run(path)
    assert state() == before
    assert again["articles created"] == again["articles updated"] == 0
    assert again["articles unchanged"] == counts["articles created"]
    assert again["comments already imported"] == sum(counts[f"comments {s}"] for s in Comment.Status.values)


@needs_data
def test_the_ten_deep_thread_attaches_at_the_deepest_level(db):
    run(WORDPRESS / "themeunittestdata.wordpress.xml")
    thread = Comment.objects.filter(article__wordpress_id=1148)
    assert max(thread.values_list("depth", flat=True)) == settings.COMMENTS_MAX_DEPTH
    assert thread.filter(depth=settings.COMMENTS_MAX_DEPTH).count() == 10 - settings.COMMENTS_MAX_DEPTH + 1
    scheduled = Article.objects.get(title__icontains="scheduled")
    assert not scheduled.is_public and scheduled.published_at.year == 2030
