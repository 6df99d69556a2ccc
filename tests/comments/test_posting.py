"""What happens after "Post Comment": the stored row, the redirect, who sees the pending comment."""

import pytest
from django.test import Client

from comments.models import Comment
from tests.helpers import ARTICLE_URL as URL
from tests.helpers import page, text_of


def test_post_stores_a_pending_comment_with_ip_and_user_agent(post_comment, article):
    post_comment(article, body="Nice *article*", headers={"User-Agent": "TestBrowser/1.0"})
    comment = Comment.objects.latest("pk")
    assert comment.status == Comment.Status.PENDING
    assert comment.ip_address == "127.0.0.1"
    assert comment.user_agent == "TestBrowser/1.0"
    assert comment.body == "Nice *article*"
    assert comment.body_html == "<p>Nice *article*</p>"


def test_post_redirects_to_the_comment_anchor(post_comment, article):
    response = post_comment(article)
    comment = Comment.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == f"{URL}#comment-{comment.pk}"


def test_pending_comment_is_shown_to_its_author_only(client, post_comment, article):
    post_comment(article, body="Waiting for the moderator")
    comment = Comment.objects.latest("pk")

    own = page(client.get(URL)).find(f".//li[@id='comment-{comment.pk}']")
    assert "Waiting for the moderator" in text_of(own)
    assert "Your comment is awaiting moderation." in text_of(own)

    other = Client().get(URL).content.decode()
    assert "Waiting for the moderator" not in other
    assert "awaiting moderation" not in other


def test_pending_comment_does_not_change_the_count(client, post_comment, article):
    post_comment(article)
    assert "3 thoughts on" in client.get(URL).content.decode()


def test_pending_cookie_is_signed(client, post_comment, article):
    other = Comment.objects.create(article=article, author_name="X", author_email="x@example.com", body="not mine")
    client.cookies["comment_pending"] = str(other.pk)
    assert "not mine" not in client.get(URL).content.decode()


def test_remember_me_cookie_is_not_set_without_consent(post_comment, article):
    response = post_comment(article, author_name="Ann", author_email="ann@example.com")
    assert response.cookies["comment_author"].value == ""  # only ever deleted
    assert set(response.cookies) == {"comment_author", "comment_pending"}


def test_remember_me_fills_the_form_next_time(client, post_comment, article):
    response = post_comment(
        article, author_name="Ann", author_email="ann@example.com", author_url="https://ann.example", remember="on"
    )
    cookie = response.cookies["comment_author"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    doc = page(client.get(URL))
    assert doc.find(".//input[@id='id_author_name']").get("value") == "Ann"
    assert doc.find(".//input[@id='id_author_email']").get("value") == "ann@example.com"
    assert doc.find(".//input[@id='id_author_url']").get("value") == "https://ann.example"
    assert doc.find(".//input[@id='id_remember']").get("checked") is not None


def test_without_consent_nothing_is_remembered(client, post_comment, article):
    post_comment(article, author_name="Ann", author_email="ann@example.com")
    doc = page(client.get(URL))
    assert doc.find(".//input[@id='id_author_name']").get("value") is None
    assert doc.find(".//input[@id='id_remember']").get("checked") is None


def test_unticking_forgets_a_remembered_author(client, post_comment, article, settings):
    settings.COMMENTS_FLOOD_SECONDS = 0
    post_comment(article, author_name="Ann", author_email="ann@example.com", remember="on")
    response = post_comment(article, author_name="Ann", author_email="ann@example.com")
    assert response.cookies["comment_author"].value == ""
    assert page(client.get(URL)).find(".//input[@id='id_author_name']").get("value") is None


def test_approved_comment_shows_with_author_link(client, make_comment, article):
    comment = make_comment(article, author_name="Site Owner", author_url="https://owner.example")
    doc = page(client.get(URL))
    link = doc.find(f".//li[@id='comment-{comment.pk}']//b[@class='fn']/bdi/a")
    assert link.get("href") == "https://owner.example"
    assert link.get("rel") == "external nofollow ugc"
    assert text_of(link) == "Site Owner"
    assert "4 thoughts on" in text_of(doc.find(".//h2[@class='comments-title']"))


def test_comment_shows_date_and_permalink(client, make_comment, article):
    comment = make_comment(article)
    item = page(client.get(URL)).find(f".//li[@id='comment-{comment.pk}']")
    permalink = item.find(".//div[@class='comment-metadata']/a")
    assert permalink.get("href") == f"#comment-{comment.pk}"
    # Whole seconds and an offset: HTML allows at most three digits of a second.
    assert permalink.find("time").get("datetime") == comment.submitted_at.strftime("%Y-%m-%dT%H:%M:%S+0000")


def test_author_name_is_text_not_html(client, make_comment, article):
    make_comment(
        article, author_name="<b>Bold</b> <script>x()</script>", author_url='https://x.example/"onmouseover="alert(1)'
    )
    html = client.get(URL).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; &lt;script&gt;x()&lt;/script&gt;" in html
    assert '"onmouseover="' not in html


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.TRASH])
def test_unapproved_comments_are_hidden(client, make_comment, article, status):
    make_comment(article, status=status, body=f"hidden {status}")
    assert f"hidden {status}" not in client.get(URL).content.decode()


def test_one_comment_heading_is_singular(client, make_article, make_comment):
    other = make_article(title="Short")
    make_comment(other)
    assert "One thought on “Short”" in client.get(other.get_absolute_url()).content.decode()


def test_closed_article_shows_comments_are_closed(client, make_article):
    closed = make_article(comments_open=False)
    doc = page(client.get(closed.get_absolute_url()))
    assert text_of(doc.find(".//p[@class='no-comments']")) == "Comments are closed."
    assert doc.find(".//form[@id='commentform']") is None
