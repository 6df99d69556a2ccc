"""Importing a Disqus export (issue 16): threads to articles by link, statuses, parents, idempotent."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article
from comments.models import Comment, CommentStats
from tests.helpers import shared_data

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "disqus-sample.xml"
ISSO = shared_data() / "disqus-exports" / "isso-disqus.xml"
OLD_LINK = "http://old-blog.example.com/2018/sunscreen.html"


def run(path, *maps):
    out = io.StringIO()
    args = ["--map", *maps] if maps else []
    call_command("import_disqus", str(path), *args, verbosity=0, stdout=out)
    return out.getvalue()


@pytest.fixture
def articles(make_article):
    return make_article(slug="sample-exercises"), make_article(slug="sunscreen")


def test_disqus_threads_go_to_articles_by_path_or_map(db, articles):
    exercises, sunscreen = articles
    out = run(SAMPLE, f"{OLD_LINK}=sunscreen")
    by_id = {c.disqus_id: c for c in Comment.objects.exclude(disqus_id=None)}
    assert {c.disqus_id for c in exercises.comments.all()} == {3001, 3002, 3003, 3004, 3005}
    assert {c.disqus_id for c in sunscreen.comments.all()} == {3006, 3007}
    assert {i: c.status for i, c in by_id.items()} == {
        3001: "approved",
        3002: "approved",
        3003: "approved",
        3004: "spam",
        3005: "trash",
        3006: "approved",
        3007: "approved",
    }
    # The reply came before its parent in the file.
    assert (by_id[3002].parent, by_id[3003].parent, by_id[3003].depth) == (by_id[3001], by_id[3002], 3)
    assert by_id[3002].author_name == "Béa Ñúñez" and str(by_id[3002].ip_address) == "2001:db8::1"
    assert by_id[3001].submitted_at.isoformat() == "2019-03-02T09:00:00+00:00"
    assert by_id[3001].author_email == "ann@example.org"
    assert "日本語のコメント" in by_id[3003].body_html and "🙂" in by_id[3003].body_html
    assert by_id[3004].author_email == ""  # not an address: dropped and counted
    assert "<b>even in winter</b>" in by_id[3006].body_html
    for fact in (
        "2 threads imported",
        "1 threads without an article",
        "5 comments approved",
        "1 comments spam",
        "1 comments trash",
        "1 comments on threads without an article",
        "1 comments on unknown threads",
        "1 invalid author emails dropped",
    ):
        assert fact in out
    stats = CommentStats.objects.get(article=exercises)
    assert (stats.approved_count, stats.thread_count, stats.spam_count, stats.trash_count) == (3, 1, 1, 1)


def test_disqus_import_twice_changes_nothing(db, articles):
    run(SAMPLE, f"{OLD_LINK}=sunscreen")
    state = (list(Comment.objects.values()), list(CommentStats.objects.values()), list(Article.objects.values()))
    out = run(SAMPLE, f"{OLD_LINK}=sunscreen")
    assert (
        list(Comment.objects.values()),
        list(CommentStats.objects.values()),
        list(Article.objects.values()),
    ) == state
    assert "7 comments already imported" in out and "0 comments approved" in out


def test_disqus_ids_are_global_so_another_map_does_not_copy_comments(db, articles):
    run(SAMPLE, f"{OLD_LINK}=sunscreen")
    out = run(SAMPLE, f"{OLD_LINK}=sample-exercises")
    assert Comment.objects.exclude(disqus_id=None).count() == 7 and "7 comments already imported" in out


@pytest.mark.skipif(
    not ISSO.is_file(), reason=f"the real Disqus export is not at {ISSO} (../shared/data next to the repo)"
)
def test_isso_disqus_export(db, make_article):
    article = make_article(slug="hello-world")
    out = run(ISSO, "http://example.org/=hello-world")
    comments = list(article.comments.order_by("disqus_id"))
    assert [(c.disqus_id, c.author_name, c.status) for c in comments] == [
        (4, "peter", "approved"),
        (5, "user", "approved"),
    ]
    assert comments[1].parent == comments[0] and "<p>Hello, World.</p>" in comments[1].body_html
    assert "1 threads without an article" in out and "1 comments on unknown threads" in out


def test_an_unknown_slug_in_map_is_explained(db):
    with pytest.raises(CommandError, match="--map x=nope: there is no article with the slug 'nope'"):
        run(SAMPLE, "x=nope")


def test_a_map_without_equals_is_refused(db):
    with pytest.raises(CommandError):
        run(SAMPLE, "no-equals-sign")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<disqus xmlns='http://disqus.com'><post>\n<message>x</mess>", r"line 2, column \d+: the XML is malformed"),
        ("<rss><channel/></rss>", "this is not a Disqus export"),
        (
            "<disqus xmlns='http://disqus.com' xmlns:dsq='http://disqus.com/disqus-internals'>\n"
            "<post dsq:id='abc'><thread dsq:id='1'/></post></disqus>",
            r"line 2, column 1: post: <dsq:id> should be a number, not 'abc'",
        ),
    ],
)
def test_bad_disqus_files_give_one_line_with_line_and_column(db, tmp_path, text, error):
    path = tmp_path / "bad.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=error) as raised:
        run(path)
    assert "\n" not in str(raised.value)
    assert not Comment.objects.exclude(disqus_id=None).exists()
