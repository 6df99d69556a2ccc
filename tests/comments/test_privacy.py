"""The commenter's email address never reaches anyone but moderators."""

import hashlib

from django.test import Client

from comments import transitions
from comments.models import Comment
from tests.helpers import ARTICLE_URL as URL

MARKER = "Marker.Person+Private@Example.org"


def _forms_of(address):
    lowered = address.lower()
    local = lowered.split("@")[0]
    forms = {address, lowered, local, "marker.person"}
    for value in (address, lowered, address.strip().lower()):
        forms |= {hashlib.md5(value.encode()).hexdigest(), hashlib.sha256(value.encode()).hexdigest()}  # noqa: S324
    return forms


def _assert_private(text):
    lowered = text.lower()
    for form in _forms_of(MARKER):
        assert form.lower() not in lowered, form


def test_email_never_appears_in_public_responses(client, post_comment, article):
    response = post_comment(article, author_email=MARKER, author_name="Marker", body="Private marker comment")
    _assert_private(response["Location"])
    for name, morsel in response.cookies.items():
        if name != "comment_author":  # the consented "remember me" cookie is the reader's own
            _assert_private(morsel.value)

    comment = Comment.objects.get(author_email=MARKER)
    _assert_private(client.get(URL).content.decode())  # the author's own view of the pending comment
    transitions.approve(Comment.objects.filter(pk=comment.pk))

    visitor = Client()
    public_paths = [
        "/",
        URL,
        f"{URL}?cpage=1",
        f"{URL}?replytocom={comment.pk}",
        "/articles/no-such-page/",
        "/comments/post/99999/",
    ]
    for path in public_paths:
        response = visitor.get(path, follow=True)
        assert response.status_code in {200, 404, 405}
        _assert_private(response.content.decode())
        _assert_private(str(response.headers))
    page_html = visitor.get(URL).content.decode()
    assert "Private marker comment" in page_html  # the page really shows the comment


def test_email_is_not_in_a_reply_form_error_seen_by_another_reader(post_comment, article, make_comment):
    parent = make_comment(article, author_email=MARKER)
    response = post_comment(article, parent=str(parent.pk), body="")
    _assert_private(response.content.decode())


def test_remember_cookie_is_the_only_cookie_holding_the_address(post_comment, article):
    response = post_comment(article, author_email=MARKER, remember="on")
    holders = [name for name, morsel in response.cookies.items() if "marker.person" in morsel.value.lower()]
    assert holders == ["comment_author"]
