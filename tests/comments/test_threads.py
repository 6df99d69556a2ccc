"""Threaded replies, with and without JavaScript, and pagination by top-level thread."""

import pytest

from comments.models import Comment
from tests.helpers import ARTICLE_URL as URL
from tests.helpers import page, text_of


def test_reply_link_works_without_javascript(client, article):
    first = Comment.objects.for_article(article).first()
    doc = page(client.get(URL))
    link = doc.find(f".//li[@id='comment-{first.pk}']//a[@class='comment-reply-link']")
    assert link.get("href") == f"?replytocom={first.pk}#respond"

    doc = page(client.get(f"{URL}?replytocom={first.pk}"))
    heading = doc.find(".//*[@id='reply-title']")
    assert text_of(heading) == "Leave a Reply to Anonymous Cancel reply"
    assert heading.find(".//a[@id='cancel-comment-reply-link']").get("hidden") is None
    assert doc.find(".//input[@id='id_parent']").get("value") == str(first.pk)


@pytest.mark.parametrize("value", ["abc", "999999", "-1", "1" * 30])
def test_reply_to_unknown_comment_falls_back_to_plain_form(client, article, value):
    doc = page(client.get(f"{URL}?replytocom={value}"))
    assert text_of(doc.find(".//*[@id='reply-title']")).startswith("Leave a Reply Cancel")
    assert doc.find(".//input[@id='id_parent']").get("value") is None


def test_reply_is_stored_under_its_parent_and_nested(client, post_comment, article, make_comment):
    parent = Comment.objects.for_article(article).first()
    post_comment(article, parent=str(parent.pk), body="A reply")
    reply = Comment.objects.latest("pk")
    assert reply.parent == parent and reply.depth == 2 and reply.thread == parent
    Comment.objects.filter(pk=reply.pk).update(status="approved")
    doc = page(client.get(URL))
    nested = doc.find(f".//li[@id='comment-{parent.pk}']/ol[@class='children']/li[@id='comment-{reply.pk}']")
    assert nested is not None


def test_reply_redirect_goes_to_the_reply(post_comment, article):
    parent = Comment.objects.for_article(article).first()
    response = post_comment(article, parent=str(parent.pk))
    assert response["Location"].endswith(f"#comment-{Comment.objects.latest('pk').pk}")


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.TRASH])
def test_reply_to_unpublished_comment_is_refused(post_comment, article, make_comment, status):
    hidden = make_comment(article, status=status)
    response = post_comment(article, parent=str(hidden.pk))
    assert response.status_code == 200
    summary = text_of(page(response).find(".//*[@id='form-errors']"))
    assert "The comment you are replying to does not exist or is not published." in summary
    assert not Comment.objects.filter(parent=hidden).exists()


def test_reply_to_comment_of_another_article_is_refused(post_comment, article, make_article, make_comment):
    elsewhere = make_comment(make_article())
    response = post_comment(article, parent=str(elsewhere.pk))
    assert response.status_code == 200
    assert not Comment.objects.filter(parent=elsewhere).exists()


def _chain(article, make_comment, depth):
    comment = None
    for _ in range(depth):
        comment = make_comment(article, parent=comment)
    return comment


def test_threads_nest_to_depth_five_and_deeper_replies_attach_there(post_comment, article, make_comment):
    deepest = _chain(article, make_comment, 5)
    assert deepest.depth == 5
    post_comment(article, parent=str(deepest.pk))
    reply = Comment.objects.latest("pk")
    assert reply.depth == 5
    assert reply.parent_id == deepest.parent_id


def test_no_reply_link_at_the_deepest_level(client, article, make_comment):
    deepest = _chain(article, make_comment, 5)
    item = page(client.get(URL)).find(f".//ol[@class='children']/li[@id='comment-{deepest.pk}']")
    assert item.get("class") == "comment depth-5"
    assert item.find(".//a[@class='comment-reply-link']") is None


def test_reply_of_a_hidden_parent_is_not_shown(client, article, make_comment):
    parent = make_comment(article)
    reply = make_comment(article, parent=parent, body="orphaned reply")
    Comment.objects.filter(pk=parent.pk).update(status="spam")
    assert "orphaned reply" not in client.get(URL).content.decode()
    assert reply.thread_id == parent.pk


@pytest.fixture
def many_threads(article, make_comment, settings):
    settings.COMMENTS_PER_PAGE = 2
    return [make_comment(article) for _ in range(3)]  # 6 threads with the 3 seeded: 3 pages


def test_comments_are_paginated_by_thread_newest_page_first(client, article, many_threads):
    doc = page(client.get(URL))
    shown = [li.get("id") for li in doc.iterfind(".//ol[@class='comment-list']/li")]
    assert shown == [f"comment-{c.pk}" for c in many_threads[1:]]
    assert doc.find(".//link[@rel='prev']").get("href") == f"{URL}?cpage=2#comments"
    assert doc.find(".//link[@rel='next']") is None
    assert doc.find(".//link[@rel='canonical']").get("href") == f"http://testserver{URL}"


def test_older_comment_page_has_prev_next_and_canonical(client, article, many_threads):
    doc = page(client.get(f"{URL}?cpage=2"))
    assert doc.find(".//link[@rel='next']").get("href") == f"{URL}?cpage=3#comments"
    assert doc.find(".//link[@rel='canonical']").get("href") == f"http://testserver{URL}?cpage=2"
    assert "Page 2 of 3" in text_of(doc.find(".//nav[@class='comment-navigation']"))


def test_oldest_page_first_is_a_setting(client, article, many_threads, settings):
    settings.COMMENTS_NEWEST_PAGE_FIRST = False
    doc = page(client.get(URL))
    assert "i always thought" in text_of(doc.find(".//ol[@class='comment-list']"))


def test_reply_in_an_old_thread_redirects_to_its_page(post_comment, article, many_threads):
    first = Comment.objects.for_article(article).first()
    response = post_comment(article, parent=str(first.pk))
    assert response["Location"] == f"{URL}?cpage=1#comment-{Comment.objects.latest('pk').pk}"


def test_article_page_query_count_is_constant(client, article, make_comment, django_assert_max_num_queries):
    for _ in range(30):
        parent = make_comment(article)
        make_comment(article, parent=make_comment(article, parent=parent))
    with django_assert_max_num_queries(4):
        assert client.get(URL).status_code == 200


def test_top_level_comment_is_its_own_thread(post_comment, article):
    post_comment(article)
    comment = Comment.objects.latest("pk")
    assert comment.thread_id == comment.pk and comment.depth == 1
