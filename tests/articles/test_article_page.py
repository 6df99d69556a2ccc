import re

import pytest
from django.urls import reverse

from comments.models import Comment
from skinsite.staticfiles import FONT_FILE, FONT_PACKAGE
from tests.helpers import ARTICLE_URL as URL
from tests.helpers import approved_counts


def test_home_redirects_to_the_article(client, article):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == URL


def test_article_page_shows_title_headings_and_products(client, article):
    html = client.get(URL).content.decode()
    assert '<h1 class="entry-title">Can Facial Exercises Improve Your Skin?</h1>' in html
    for heading in [
        "Why Your Skin Sags With Age",
        "How Facial Exercises Are Supposed To Work",
        "Proven Skin Care Solutions",
    ]:
        assert f"<h2>{heading}</h2>" in html
    for product in ["Anthelios Sunscreens", "La Roche Posay Active C XL", "Neostrata Wrinkle Repair"]:
        assert f"<strong>{product}</strong>" in html


def test_article_page_shows_the_three_original_comments_oldest_first(client, article):
    html = client.get(URL).content.decode()
    assert "3 thoughts on “Can Facial Exercises Improve Your Skin?”" in html
    first = html.index("i always thought that facial exersize")
    second = html.index("I have to disagree with this article")
    third = html.index("The only criticism I’ve come across")
    assert first < second < third
    assert re.findall(r'<b class="fn"><bdi>([^<]+)</bdi></b>', html) == ["Anonymous", "Anonymous", "ann barbor"]


def test_seeded_comments_are_approved(article):
    assert list(Comment.objects.for_article(article).values_list("status", flat=True)) == ["approved"] * 3
    assert approved_counts(article)[0] == 3


def test_article_page_loads_nothing_from_other_hosts(client, article):
    html = client.get(URL).content.decode()
    for attribute in re.findall(r'(?:src|href)="([^"]+)"', html):
        # Only the canonical link is absolute, and it names this site.
        assert not attribute.startswith(("http:", "https:", "//")) or attribute.startswith("http://testserver/")
    assert "bootstrap" not in html  # the site's own small stylesheet, not Bootstrap's 233 KB
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html


def test_site_css_scripts_and_font_are_served_by_the_site(client, article):
    paths = ["/static/css/site.css", "/static/js/comments.js", "/static/js/theme.js"]
    if (FONT_PACKAGE / FONT_FILE).is_file():
        paths += [f"/static/fonts/{FONT_FILE}", "/static/fonts/source-serif-4.css"]
    for path in paths:
        assert client.get(path).status_code == 200
    # Only the latin woff2 of the npm package is served, nothing else of it.
    assert client.get("/static/fonts/source-serif-4-latin-ext-wght-normal.woff2").status_code == 404


def test_the_font_is_linked_only_when_npm_installed_it(client, article, monkeypatch):
    from skinsite import context_processors

    monkeypatch.setattr(context_processors, "font_available", lambda: False)
    html = client.get(URL).content.decode()
    assert "/static/fonts/" not in html and "/static/css/site.css" in html


def test_unknown_article_is_a_404_page(client, db):
    response = client.get("/articles/no-such-article/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_future_article_is_not_shown(client, make_article):
    from datetime import timedelta

    from django.utils import timezone

    future = make_article(published_at=timezone.now() + timedelta(days=1))
    assert client.get(future.get_absolute_url()).status_code == 404


def test_article_page_is_responsive(client, article):
    html = client.get(URL).content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


@pytest.mark.parametrize(
    "path",
    [
        f"{URL}?cpage=99",
        f"{URL}?cpage=0",
    ],
)
def test_comment_page_out_of_range_is_a_404(client, article, path):
    assert client.get(path).status_code == 404


def test_article_get_absolute_url_uses_the_canonical_route(article):
    assert article.get_absolute_url() == reverse("articles:detail", args=[article.slug]) == URL
