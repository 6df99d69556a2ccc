"""Importing a WordPress export (issue 8)."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article
from comments.models import Comment
from tests.helpers import approved_counts

HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Old blog</title><wp:wxr_version>1.2</wp:wxr_version>
"""
FOOTER = "</channel></rss>\n"


def comment(
    cid, body, *, parent=0, approved="1", author="Reader", email="r@example.com", kind="comment", ip="192.0.2.1"
):
    return f"""<wp:comment>
  <wp:comment_id>{cid}</wp:comment_id><wp:comment_author><![CDATA[{author}]]></wp:comment_author>
  <wp:comment_author_email><![CDATA[{email}]]></wp:comment_author_email>
  <wp:comment_author_url>https://{author.lower().replace(" ", "")}.example</wp:comment_author_url>
  <wp:comment_author_IP><![CDATA[{ip}]]></wp:comment_author_IP>
  <wp:comment_date><![CDATA[2015-01-0{cid % 9 + 1} 10:00:00]]></wp:comment_date>
  <wp:comment_date_gmt><![CDATA[2015-01-0{cid % 9 + 1} 09:00:00]]></wp:comment_date_gmt>
  <wp:comment_content><![CDATA[{body}]]></wp:comment_content>
  <wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>
  <wp:comment_type><![CDATA[{kind}]]></wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent>
</wp:comment>"""


def post(pid, title, comments="", *, slug=None, status="open", post_type="post"):
    return f"""<item><title>{title}</title>
  <content:encoded><![CDATA[<p>Body of {title}.</p>]]></content:encoded>
  <wp:post_id>{pid}</wp:post_id><wp:post_date_gmt><![CDATA[2014-12-24 08:00:00]]></wp:post_date_gmt>
  <wp:comment_status><![CDATA[{status}]]></wp:comment_status>
  <wp:post_name><![CDATA[{slug or f"post-{pid}"}]]></wp:post_name>
  <wp:status><![CDATA[publish]]></wp:status><wp:post_type><![CDATA[{post_type}]]></wp:post_type>
  {comments}
</item>"""


def export(tmp_path, *items, name="export.xml"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(items) + FOOTER, encoding="utf-8")
    return str(path)


def run(path, verbosity=0):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_wordpress", path, verbosity=verbosity, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def blog(tmp_path, db):
    comments = "".join(
        [
            comment(10, "Top level"),
            comment(11, "A reply", parent=10, author="Second"),
            comment(12, "A reply to the reply", parent=11, author="Third"),
            comment(13, "Waiting", approved="0", author="Pending Person"),
            comment(14, "Buy pills", approved="spam", author="Spammer"),
            comment(15, "Binned", approved="trash", author="Trashed"),
            comment(16, "Linked to you", kind="pingback", author="Some Blog"),
            comment(
                17, "<script>alert(1)</script>Ünïcödé — “quotes” 日本語", author="Zoë Ärger", email="zoe@example.com"
            ),
        ]
    )
    return export(
        tmp_path,
        post(101, "Imported post", comments, slug="imported-post"),
        post(102, "Closed post", status="closed"),
        post(103, "A page", post_type="page"),
    )


def test_import_creates_articles_and_comments(blog):
    out, _ = run(blog)
    article = Article.objects.get(wordpress_id=101)
    assert (article.title, article.slug, article.body) == (
        "Imported post",
        "imported-post",
        "<p>Body of Imported post.</p>",
    )
    assert article.published_at.isoformat() == "2014-12-24T08:00:00+00:00" and article.comments_open
    assert not Article.objects.get(wordpress_id=102).comments_open
    assert not Article.objects.filter(title="A page").exists()
    statuses = dict(Comment.objects.filter(article=article).values_list("wordpress_id", "status"))
    assert statuses == {
        10: "approved",
        11: "approved",
        12: "approved",
        13: "pending",
        14: "spam",
        15: "trash",
        17: "approved",
    }
    assert "2 articles created" in out and "4 comments approved" in out and "1 pingbacks skipped" in out
    assert "1 comments pending" in out and "1 comments spam" in out and "1 comments trash" in out


def test_import_keeps_threads_authors_and_sanitises(blog):
    run(blog)
    top, reply, deeper = (Comment.objects.get(wordpress_id=n) for n in (10, 11, 12))
    assert (reply.parent, deeper.parent, deeper.depth, deeper.thread) == (top, reply, 3, top)
    assert (reply.author_name, reply.author_email, reply.author_url) == (
        "Second",
        "r@example.com",
        "https://second.example",
    )
    assert str(reply.ip_address) == "192.0.2.1"
    assert reply.submitted_at.isoformat() == "2015-01-03T09:00:00+00:00"
    unicode = Comment.objects.get(wordpress_id=17)
    assert unicode.author_name == "Zoë Ärger"
    assert "<script>" not in unicode.body_html and "Ünïcödé — “quotes” 日本語" in unicode.body_html


def test_import_keeps_counts_exact(blog):
    run(blog)
    article = Article.objects.get(wordpress_id=101)
    assert approved_counts(article) == (4, 2)


def test_import_twice_changes_nothing(blog):
    run(blog)
    before = list(Comment.objects.order_by("pk").values())
    articles = list(Article.objects.order_by("pk").values())
    out, _ = run(blog)
    assert list(Comment.objects.order_by("pk").values()) == before
    assert list(Article.objects.order_by("pk").values()) == articles
    assert "2 articles unchanged" in out and "7 comments already imported" in out
    assert "0 articles created" in out and "0 articles updated" in out and "0 comments approved" in out


def test_import_again_adds_only_new_comments_and_updates_posts(tmp_path, db):
    run(export(tmp_path, post(201, "Growing", comment(1, "first"))))
    out, _ = run(
        export(tmp_path, post(201, "Grown", comment(1, "first") + comment(2, "second", parent=1)), name="v2.xml")
    )
    assert "1 articles updated" in out and "1 comments approved" in out
    article = Article.objects.get(wordpress_id=201)
    assert article.title == "Grown"
    assert Comment.objects.get(wordpress_id=2).parent == Comment.objects.get(wordpress_id=1)


def test_import_attaches_deep_replies_at_depth_five(tmp_path, db):
    chain = "".join(comment(n, f"level {n}", parent=n - 1 if n > 1 else 0) for n in range(1, 8))
    run(export(tmp_path, post(301, "Deep", chain)))
    assert max(Comment.objects.values_list("depth", flat=True)) == 5
    assert Comment.objects.get(wordpress_id=7).depth == 5


def test_import_xml_bomb_is_refused(tmp_path, db):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
        "<rss><channel><title>&lol2;</title></channel></rss>"
    )
    with pytest.raises(CommandError, match="refused unsafe XML"):
        run(str(bomb))
    assert not Article.objects.filter(wordpress_id__isnull=False).exists()


def test_import_external_entity_is_refused(tmp_path, db):
    evil = tmp_path / "xxe.xml"
    evil.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>&x;</rss>')
    with pytest.raises(CommandError, match="refused unsafe XML"):
        run(str(evil))


def test_import_malformed_xml_names_the_line(tmp_path, db):
    broken = tmp_path / "broken.xml"
    broken.write_text(HEADER + "<item><title>Oops</title>\n<wp:post_id>1</wp:post_idd>\n</item>" + FOOTER)
    with pytest.raises(CommandError, match=r"broken.xml: line 7, column \d+: the XML is malformed \(mismatched tag\)"):
        run(str(broken))


def test_import_non_wordpress_file_is_explained(tmp_path, db):
    other = tmp_path / "feed.xml"
    other.write_text('<?xml version="1.0"?><rss><channel><title>x</title></channel></rss>')
    with pytest.raises(CommandError, match="not a WordPress export"):
        run(str(other))


def test_import_bad_number_is_explained(tmp_path, db):
    with pytest.raises(CommandError, match="post “Bad”: <wp:post_id> should be a number, not 'abc'"):
        run(export(tmp_path, post("abc", "Bad")))


def test_import_missing_file_is_explained(db):
    with pytest.raises(CommandError, match="cannot read the file"):
        run("/nonexistent/export.xml")


def test_a_bad_file_is_refused_before_anything_is_written(tmp_path, db):
    path = export(tmp_path, post(401, "Good", comment(1, "fine")), post(402, "Bad", comment(2, "broken", parent="x")))
    with pytest.raises(CommandError, match=r"line \d+, column \d+: a comment on “Bad”: <wp:comment_parent> should be"):
        run(path)
    assert not Article.objects.filter(wordpress_id__in=[401, 402]).exists()


def test_import_is_transactional_per_post(tmp_path, db, monkeypatch):
    from comments.importers.common import CommentWriter

    write = CommentWriter.write

    def fail_on_second_post(self, article, records, sanitized=None):
        if article.wordpress_id == 402:
            raise RuntimeError("disk full")
        return write(self, article, records, sanitized)

    monkeypatch.setattr(CommentWriter, "write", fail_on_second_post)
    path = export(tmp_path, post(401, "Good", comment(1, "fine")), post(402, "Bad", comment(2, "lost")))
    with pytest.raises(RuntimeError):
        run(path)
    assert Article.objects.filter(wordpress_id=401).exists() and Comment.objects.filter(wordpress_id=1).exists()
    assert not Article.objects.filter(wordpress_id=402).exists()


def test_import_shows_progress_at_verbosity_one(blog):
    _, err = run(blog, verbosity=1)
    assert "Importing posts [" in err and "2/2" in err


def test_invalid_author_urls_and_emails_are_dropped_and_counted(tmp_path, db):
    """Imported values pass the same validation as posted ones (hardening, issue 12)."""
    bad_url = comment(1, "Bad link", author="x").replace("https://x.example", "javascript:alert(1)")
    bad_email = comment(2, "Bad address", email="not an email <x>")
    good = comment(3, "Fine", author="Good Person", email="good@example.org")
    out, _err = run(export(tmp_path, post(1, "Imported", bad_url + bad_email + good)), verbosity=1)
    by_body = {c.body: c for c in Comment.objects.filter(article__wordpress_id=1)}
    assert by_body["Bad link"].author_url == ""
    assert by_body["Bad address"].author_email == ""
    assert (by_body["Fine"].author_url, by_body["Fine"].author_email) == (
        "https://goodperson.example",
        "good@example.org",
    )
    assert "1 invalid author URLs dropped, 1 invalid author emails dropped" in out


# ---- issue 16: a faithful import


def replace_in(path, old, new):
    file = Path(path)
    file.write_text(file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def item(pid, title, comments="", *, status="publish", post_type="post", password="", date=True):
    """A post with a given WordPress status, type and password (and optionally no date at all)."""
    text = post(pid, title, comments, post_type=post_type).replace("[publish]", f"[{status}]")
    text = text.replace("<wp:post_type>", f"<wp:post_password><![CDATA[{password}]]></wp:post_password><wp:post_type>")
    if not date:
        text = text.replace("<wp:post_date_gmt><![CDATA[2014-12-24 08:00:00]]></wp:post_date_gmt>", "")
    return text


@pytest.mark.parametrize(
    ("status", "password"),
    [("draft", ""), ("pending", ""), ("private", ""), ("future", ""), ("publish", "secret")],
)
def test_hidden_posts_become_articles_nobody_sees(tmp_path, db, client, status, password):
    out, _ = run(export(tmp_path, item(501, "Hidden", comment(1, "Kept but unseen"), status=status, password=password)))
    article = Article.objects.get(wordpress_id=501)
    assert not article.is_public and "1 hidden articles (not public)" in out
    assert Comment.objects.get(wordpress_id=1).article == article
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert Article.objects.published_by_slug(article.slug) is None
    assert client.get(article.get_absolute_url()).status_code == 404
    assert b"Kept but unseen" not in client.get("/comments/feed/").content


def test_a_scheduled_post_stays_unpublished_after_its_date(tmp_path, db):
    run(export(tmp_path, item(502, "Scheduled", status="future")))
    article = Article.objects.get(wordpress_id=502)
    assert article.published_at.year == 2014  # its date has passed, and still
    assert not article.is_published()


def test_site_feed_lists_only_comments_of_public_articles(tmp_path, db, client):
    run(
        export(
            tmp_path,
            item(503, "Public", comment(1, "Shown in the feed")),
            item(504, "Draft", comment(2, "Not shown"), status="draft"),
        )
    )
    feed = client.get("/comments/feed/").content.decode()
    assert "Shown in the feed" in feed and "Not shown" not in feed


def test_pages_with_comments_become_articles_and_pages_without_do_not(tmp_path, db):
    out, _ = run(
        export(
            tmp_path,
            item(601, "About", comment(1, "On a page"), post_type="page"),
            item(602, "Contact", post_type="page"),
            item(603, "Logo", post_type="attachment"),
        )
    )
    assert Article.objects.get(wordpress_id=601).comments.get().body == "On a page"
    assert not Article.objects.filter(wordpress_id__in=[602, 603]).exists()
    assert "2 other items skipped" in out


def test_parents_are_found_whatever_the_order_and_an_empty_parent_is_none(tmp_path, db):
    comments = comment(3, "grandchild", parent=2) + comment(2, "child", parent=1) + comment(1, "root")
    comments += comment(4, "no parent").replace(
        "<wp:comment_parent>0</wp:comment_parent>", "<wp:comment_parent></wp:comment_parent>"
    )
    comments += comment(5, "orphan", parent=99)
    out, _ = run(export(tmp_path, post(701, "Order", comments)))
    got = {
        c.wordpress_id: (c.parent.wordpress_id if c.parent else None, c.depth)
        for c in Comment.objects.filter(article__wordpress_id=701)
    }
    assert got == {1: (None, 1), 2: (1, 2), 3: (2, 3), 4: (None, 1), 5: (None, 1)}
    assert "1 replies to missing comments made top-level" in out


def test_replies_in_a_loop_are_cut_not_lost(tmp_path, db):
    out, _ = run(
        export(
            tmp_path,
            post(702, "Loop", comment(1, "a", parent=2) + comment(2, "b", parent=1) + comment(3, "c", parent=1)),
        )
    )
    got = {c.wordpress_id: c.parent.wordpress_id if c.parent else None for c in Comment.objects.all() if c.wordpress_id}
    assert got == {1: None, 2: 1, 3: 1} and "1 replies in a loop made top-level" in out


def test_notes_pingbacks_and_trackbacks_are_skipped_and_counted_separately(tmp_path, db):
    kinds = comment(1, "n", kind="note") + comment(2, "p", kind="pingback") + comment(3, "t", kind="trackback")
    out, _ = run(export(tmp_path, post(801, "Kinds", kinds + comment(4, "real"))))
    assert "1 notes skipped, 1 pingbacks skipped, 1 trackbacks skipped" in out
    assert list(Comment.objects.filter(article__wordpress_id=801).values_list("body", flat=True)) == ["real"]


def test_a_post_id_twice_is_one_post_and_stays_unchanged(tmp_path, db):
    path = export(tmp_path, post(901, "First", comment(1, "one")), post(901, "Second", comment(2, "two")))
    out, _ = run(path)
    article = Article.objects.get(wordpress_id=901)
    assert article.title == "First" and article.comments.count() == 2 and "1 duplicate post ids skipped" in out
    before = list(Article.objects.values())
    out, _ = run(path)
    assert list(Article.objects.values()) == before and "1 articles unchanged" in out and "0 articles updated" in out


def test_a_post_without_a_date_keeps_its_first_date(tmp_path, db):
    path = export(tmp_path, item(902, "Undated", comment(1, "x"), date=False))
    run(path)
    before = list(Article.objects.filter(wordpress_id=902).values())
    out, _ = run(path)
    assert list(Article.objects.filter(wordpress_id=902).values()) == before and "1 articles unchanged" in out


def test_a_second_run_changes_nothing_updated_at_and_counts_included(blog):
    from comments.models import CommentStats

    run(blog)
    state = (list(Article.objects.values()), list(Comment.objects.values()), list(CommentStats.objects.values()))
    run(blog)
    assert (
        list(Article.objects.values()),
        list(Comment.objects.values()),
        list(CommentStats.objects.values()),
    ) == state


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_known_wxr_versions_are_accepted(tmp_path, db, version):
    path = export(tmp_path, post(1001, "Versioned"))
    replace_in(path, "<wp:wxr_version>1.2<", f"<wp:wxr_version>{version}<")
    run(path)
    assert Article.objects.filter(wordpress_id=1001).exists()


@pytest.mark.parametrize(
    ("version", "error"),
    [
        ("<wp:wxr_version>1.3</wp:wxr_version>", r"line 5, column \d+: unsupported WXR version '1.3'"),
        ("", r"line \d+, column \d+: <wp:wxr_version> is missing"),
    ],
)
def test_missing_or_unknown_wxr_version_is_refused(tmp_path, db, version, error):
    path = export(tmp_path, post(1002, "Versioned"))
    replace_in(path, "<wp:wxr_version>1.2</wp:wxr_version>", version)
    with pytest.raises(CommandError, match=error) as raised:
        run(path)
    assert "\n" not in str(raised.value) and not Article.objects.filter(wordpress_id=1002).exists()


def test_a_duplicate_comment_is_skipped_and_its_replies_attach_to_the_first(tmp_path, db):
    comments = (
        comment(1, "Same words", author="Ann") + comment(2, "Same words", author="Ann") + comment(3, "reply", parent=2)
    )
    out, _ = run(export(tmp_path, post(1101, "Dupes", comments)))
    assert "1 duplicate comments skipped" in out
    assert Comment.objects.get(wordpress_id=3).parent == Comment.objects.get(wordpress_id=1)


def test_big_imports_sanitise_in_worker_processes_with_the_same_result(tmp_path, db, monkeypatch):
    from comments.importers.common import Sanitizer

    comments = comment(1, "<script>x</script><b>bold</b> https://example.com") + comment(2, "plain", parent=1)
    path = export(tmp_path, post(1201, "Pooled", comments))
    monkeypatch.setattr(Sanitizer, "MIN_COMMENTS", 1)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    run(path)
    pooled = list(Comment.objects.filter(article__wordpress_id=1201).order_by("wordpress_id").values("body_html"))
    Article.objects.filter(wordpress_id=1201).delete()
    monkeypatch.setattr(Sanitizer, "MIN_COMMENTS", 10**9)
    run(path)
    serial = list(Comment.objects.filter(article__wordpress_id=1201).order_by("wordpress_id").values("body_html"))
    assert pooled == serial and "<script>" not in pooled[0]["body_html"]


def test_replies_import_when_the_site_allows_no_nesting(tmp_path, db, settings):
    settings.COMMENTS_MAX_DEPTH = 1  # was a KeyError: the reply attaches to its thread, as the form does
    run(
        export(
            tmp_path,
            post(5, "Flat", comment(1, "Top") + comment(2, "Reply", parent=1) + comment(3, "Deeper", parent=2)),
        )
    )
    top = Comment.objects.get(body="Top")
    assert {c.body: c.parent_id for c in Comment.objects.filter(thread=top.pk)} == {
        "Top": None,
        "Reply": top.pk,
        "Deeper": top.pk,
    }
