"""The reader's page (issue 18): byline and reading time, sharing tags, JSON-LD, avatars, feedback."""

import gzip
import json
import re

from django.template import Context, Template
from django.test import RequestFactory

from articles.templatetags.articles import article_json_ld, reading_minutes, summary
from comments import transitions
from comments.models import Comment
from comments.templatetags.comments import AVATAR_COLOURS, avatar_colour, initials
from tests.helpers import ARTICLE_URL as URL
from tests.helpers import comment_data, page, text_of


def json_ld(html):
    (payload,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    return json.loads(payload)


def test_byline_date_reading_time_and_comment_count(client, article):
    entry_meta = text_of(page(client.get(URL)).find(".//p[@class='entry-meta']"))
    assert entry_meta == "By the skinsite editors · March 10, 2014 · 3 min read · 3 comments"


def test_reading_minutes():
    assert reading_minutes("<p>" + "word " * 230 + "</p>") == 1
    assert reading_minutes("<p>" + "word " * 231 + "</p>") == 2
    assert reading_minutes("") == 1


def test_description_and_sharing_tags(client, article):
    html = client.get(URL).content.decode()
    description = summary(article.body)
    assert len(description) <= 160 and description.startswith("Growing older means")
    assert f'<meta name="description" content="{description}">' in html
    assert '<meta property="og:title" content="Can Facial Exercises Improve Your Skin?">' in html
    assert f'<meta property="og:url" content="http://testserver{URL}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_json_ld_article(client, article):
    data = json_ld(client.get(URL).content.decode())
    assert data["@type"] == "Article"
    assert data["headline"] == "Can Facial Exercises Improve Your Skin?"
    assert data["datePublished"] == "2014-03-10T09:00:00+00:00"  # whole seconds, with the offset
    assert data["author"] == data["publisher"] == {"@type": "Organization", "name": "skinsite"}
    assert data["commentCount"] == 3


def test_json_ld_comment_count_follows_approvals(client, article, make_comment):
    comment = make_comment(article, status=Comment.Status.PENDING)
    assert json_ld(client.get(URL).content.decode())["commentCount"] == 3  # pending: not counted
    transitions.approve(Comment.objects.filter(pk=comment.pk))
    assert json_ld(client.get(URL).content.decode())["commentCount"] == 4


def test_json_ld_cannot_close_its_script(article):
    article.title = "</script><script>alert(1)</script> & <!--"
    article.published_at = article.published_at.replace(microsecond=123456)
    html = str(article_json_ld(Context({"request": RequestFactory().get(URL)}), article, 3))
    body = html.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in body and ">" not in body and "&" not in body
    data = json.loads(body)
    assert data["headline"] == article.title
    assert data["datePublished"].endswith(":00+00:00")  # no microseconds


def test_the_page_links_both_feeds_visibly(client, article):
    html = client.get(URL).content.decode()
    feed = f"{URL}comments/feed/"
    assert f'<a href="{feed}" type="application/rss+xml">Follow the comments on this article (RSS feed)</a>' in html
    nav = page(client.get(URL)).find(".//nav[@class='site-nav']")
    assert [a.get("href") for a in nav.iter("a")] == ["/", feed, "/comments/feed/"]


def test_theme_toggle_needs_no_inline_code(client, article):
    html = client.get(URL).content.decode()
    assert '<button type="button" class="theme-toggle" id="theme-toggle" hidden aria-pressed="false">' in html
    assert '<script src="/static/js/theme.js"></script>' in html  # in <head>, before the page paints
    assert " style=" not in html


def test_avatars_are_initials_on_a_colour_keyed_on_the_name(client, article, settings):
    assert initials("ann barbor") == "AB"
    assert initials("Anonymous") == "A"
    assert initials("Mary Ann van der Berg") == "MB"
    assert initials("<i>Mallory</i>") == "I"  # the first letter or digit of each word
    assert initials("  ") == "?"
    colour = avatar_colour("ann barbor")
    assert 0 <= colour < AVATAR_COLOURS and avatar_colour("ann barbor") == colour
    colours = [avatar_colour(f"Reader {n}") for n in range(200)]
    assert set(colours) == set(range(AVATAR_COLOURS))
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789abcdef"
    assert [avatar_colour(f"Reader {n}") for n in range(200)] != colours  # keyed: not a plain hash of the name
    settings.SECRET_KEY = "tests-only-secret-key-not-for-any-real-site-0123456789"
    html = client.get(URL).content.decode()
    assert re.findall(r'<span class="avatar avatar-\d+" aria-hidden="true">([^<]+)</span>', html) == ["A", "A", "AB"]


def test_avatar_colour_never_uses_the_email(client, article, make_comment):
    make_comment(article, author_name="Same Name", author_email="one@example.com")
    make_comment(article, author_name="Same Name", author_email="two@example.com")
    html = client.get(URL).content.decode()
    classes = re.findall(r'<span class="(avatar avatar-\d+)" aria-hidden="true">SN</span>', html)
    assert len(classes) == 2 and classes[0] == classes[1]


def test_own_held_comment_stands_out_and_says_what_happens_next(client, article):
    response = client.post(f"/comments/post/{article.pk}/", comment_data(article, body="Held for now."), follow=True)
    own = page(response).find(".//li[@class='comment depth-1 comment-pending']")
    assert own is not None
    notice = text_of(own.find(".//p[@class='comment-awaiting-moderation']"))
    assert notice == (
        "Your comment is awaiting moderation. A moderator will review it; it usually appears within a day. "
        "Until then only you can see it, in this browser."
    )


def test_public_page_is_compressed_a_readers_own_page_is_not(client, article):
    response = client.get(URL, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
    assert b"3 thoughts on" in gzip.decompress(response.content)
    client.post(f"/comments/post/{article.pk}/", comment_data(article, body="Mine."))
    own = client.get(URL, headers={"accept-encoding": "gzip"})
    assert "private" in own["Cache-Control"] and not own.has_header("Content-Encoding")
    reply = client.get(f"{URL}?replytocom=1", headers={"accept-encoding": "gzip"})
    assert not reply.has_header("Content-Encoding")
    posted = client.post(
        f"/comments/post/{article.pk}/", comment_data(article, body=""), headers={"accept-encoding": "gzip"}
    )
    assert not posted.has_header("Content-Encoding")


def test_articles_template_library_works_alone(article):
    html = Template("{% load articles %}{{ body|reading_minutes }}").render(Context({"body": article.body}))
    assert html == "3"
