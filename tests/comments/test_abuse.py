"""Spam and abuse defences (issue 3): each rule in order, each threshold at its edge."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from comments import transitions
from comments.clientip import client_ip
from comments.models import Comment, WordList
from comments.rules import comments_open
from tests.helpers import ARTICLE_SLUG, approved_counts, comment_data, page, posted_comments, text_of
from tests.helpers import ARTICLE_URL as URL

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _latest():
    return Comment.objects.latest("pk")


def _summary(response):
    return text_of(page(response).find(".//*[@id='form-errors']"))


def _set_words(kind, words):
    WordList.objects.filter(kind=kind).update(words="\n".join(words))


# ---- rule 1: closed


def test_rule1_closed_article_refuses_posts_with_403(post_comment, make_article):
    closed = make_article(comments_open=False)
    response = post_comment(closed)
    assert response.status_code == 403
    assert "Comments are closed." in response.content.decode()
    assert not Comment.objects.filter(article=closed).exists()


@pytest.mark.parametrize(
    ("age", "accepts"), [(timedelta(days=30) - timedelta(seconds=1), True), (timedelta(days=30), False)]
)
def test_rule1_close_after_days_at_its_edge(client, make_article, settings, clock, age, accepts):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    old = make_article(published_at=NOW - age)
    assert comments_open(old) is accepts
    html = client.get(old.get_absolute_url()).content.decode()
    assert ("Comments are closed." in html) is not accepts


def test_rule1_close_after_days_zero_never_closes(make_article, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    assert comments_open(make_article(published_at=datetime(2001, 1, 1, tzinfo=UTC)))


# ---- rule 2: forged or stale form


@pytest.mark.parametrize("token", ["", "garbage", "WzEsMTc5NTU2ODM3My4xXQ:1xW1MD:forged-signature"])
def test_rule2_tampered_token_is_400(client, article, token):
    response = client.post(reverse("comments:post", args=[article.pk]), comment_data(article) | {"token": token})
    assert response.status_code == 400
    assert b"Bad request" in response.content
    assert not posted_comments().exists()


def test_rule2_token_for_another_article_is_400(client, article, make_article):
    """A genuine token, validly signed, but for another article: refused, not accepted on this one."""
    other = make_article()
    response = client.post(reverse("comments:post", args=[article.pk]), comment_data(other))
    assert response.status_code == 400
    assert not posted_comments().exists()


@pytest.mark.parametrize(("age", "expired"), [(7200, False), (7201, True)])
def test_rule2_form_age_at_its_edge(post_comment, article, clock, age, expired):
    response = post_comment(article, rendered_at=time.time() - age, body="Typed before lunch")
    if expired:
        assert response.status_code == 200
        assert "This form has expired; please post again." in _summary(response)
        assert page(response).find(".//textarea[@id='id_body']").text.strip() == "Typed before lunch"
        assert not posted_comments().exists()
    else:
        assert response.status_code == 302


def test_rule2_expired_form_is_redisplayed_with_a_fresh_token(client, post_comment, article, clock):
    response = post_comment(article, rendered_at=time.time() - 7201)
    fresh = page(response).find(".//input[@name='token']").get("value")
    clock.shift(10)
    assert (
        client.post(reverse("comments:post", args=[article.pk]), comment_data(article) | {"token": fresh}).status_code
        == 302
    )


# ---- rule 3: bots


def test_rule3_filled_honeypot_is_stored_as_spam(post_comment, article):
    post_comment(article, leave_empty="http://spam.example")
    assert _latest().status == "spam"


@pytest.mark.parametrize(("elapsed", "status"), [(2.999, "spam"), (3, "pending")])
def test_rule3_minimum_time_at_its_edge(post_comment, article, clock, elapsed, status):
    post_comment(article, rendered_at=time.time() - elapsed)
    assert _latest().status == status


def _response_shape(response):
    cookies = sorted((name, morsel["max-age"], morsel["httponly"]) for name, morsel in response.cookies.items())
    return response.status_code, response["Location"].split("#")[0], sorted(response.headers.keys()), cookies


def test_rule3_bot_response_is_indistinguishable(article):
    person, bot = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")
    url = reverse("comments:post", args=[article.pk])
    human_response = person.post(url, comment_data(article, body="I am a person"))
    bot_response = bot.post(url, comment_data(article, body="Buy now", leave_empty="x"))
    assert Comment.objects.get(body="Buy now").status == "spam"
    assert _response_shape(human_response) == _response_shape(bot_response)
    # Following the redirect, each sees its own comment "awaiting moderation".
    for client, body in [(person, "I am a person"), (bot, "Buy now")]:
        html = client.get(URL).content.decode()
        assert body in html and "Your comment is awaiting moderation." in html
    assert "Buy now" not in Client().get(URL).content.decode()


# ---- rule 4: disallowed words


@pytest.mark.parametrize(
    "fields",
    [
        {"author_name": "Cheap VIAGRA Shop"},
        {"author_email": "seller@viagra.example"},
        {"author_url": "https://viagra.example"},
        {"body": "Get viagra here"},
        {"body": "visit <b>via</b>gra now"},
    ],
)
def test_rule4_disallowed_word_in_any_field_is_spam(post_comment, article, fields):
    _set_words(WordList.Kind.DISALLOWED, ["viagra"])
    post_comment(article, **fields)
    assert _latest().status == "spam"


def test_rule4_tags_are_stripped_before_matching(post_comment, article):
    _set_words(WordList.Kind.DISALLOWED, ["halfway"])
    post_comment(article, body="<b>half</b>way there")
    assert _latest().status == "spam"


def test_rule4_ip_and_user_agent_are_matched(post_comment, article):
    _set_words(WordList.Kind.DISALLOWED, ["203.0.113.", "evilbot"])
    post_comment(article, via=Client(REMOTE_ADDR="203.0.113.50"))
    assert _latest().status == "spam"
    post_comment(article, via=Client(REMOTE_ADDR="198.51.100.1"), headers={"User-Agent": "EvilBot/2.0"})
    assert _latest().status == "spam"


def test_rule4_non_latin_words_match_case_insensitively(post_comment, article):
    _set_words(WordList.Kind.DISALLOWED, ["установка"])
    post_comment(article, body="Быстрая Установка окон")
    assert _latest().status == "spam"


def test_rule4_word_list_edits_apply_to_the_next_post(moderator_client, post_comment, article):
    url = reverse("admin:comments_wordlist_change", args=[WordList.objects.get(kind="disallowed").pk])
    assert moderator_client.post(url, {"words": "casino\n  lottery  \n"}).status_code == 302
    post_comment(article, body="Win the LOTTERY", via=Client(REMOTE_ADDR="192.0.2.9"))
    assert _latest().status == "spam"


def test_rule4_clean_comment_is_not_spam(post_comment, article):
    _set_words(WordList.Kind.DISALLOWED, ["viagra"])
    post_comment(article, body="My skin improved with sunscreen")
    assert _latest().status == "pending"


# ---- rules 5 and 6: held for moderation, known authors


@pytest.fixture
def known_author(article, make_comment, settings):
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    make_comment(article, author_name="Regular", author_email="Regular@Example.com")
    return {"author_name": "Regular", "author_email": "regular@example.com"}


def test_rule6_known_author_is_approved(post_comment, article, known_author):
    post_comment(article, **known_author)
    assert _latest().status == "approved"
    article.refresh_from_db()
    assert approved_counts(article)[0] == 5


def test_rule6_is_off_by_default(post_comment, article, make_comment):
    make_comment(article, author_name="Regular", author_email="regular@example.com")
    post_comment(article, author_name="Regular", author_email="regular@example.com")
    assert _latest().status == "pending"


def test_rule6_needs_both_name_and_email(post_comment, article, known_author):
    post_comment(article, author_name="Someone Else", author_email=known_author["author_email"])
    assert _latest().status == "pending"


def test_rule5_moderation_word_holds_a_known_author(post_comment, article, known_author):
    _set_words(WordList.Kind.MODERATION, ["discount"])
    post_comment(article, body="Ask me for a DISCOUNT", **known_author)
    assert _latest().status == "pending"


@pytest.mark.parametrize(("links", "status"), [(2, "approved"), (3, "pending")])
def test_rule5_link_count_at_its_edge(post_comment, article, known_author, settings, links, status):
    settings.COMMENTS_FLOOD_SECONDS = 0
    body = " ".join(f"https://site{n}.com/page" for n in range(links))
    post_comment(article, body=body, **known_author)
    assert _latest().status == status


def test_rule7_otherwise_pending(post_comment, article):
    post_comment(article)
    assert _latest().status == "pending"


# ---- flood


def test_flood_second_comment_from_same_ip_is_429(post_comment, article, clock):
    assert post_comment(article).status_code == 302
    clock.shift(14)
    response = post_comment(article, body="Second thought, kept")
    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    assert "You are posting comments too quickly. Please wait 1 second and post again." in _summary(response)
    assert page(response).find(".//textarea[@id='id_body']").text.strip() == "Second thought, kept"
    assert posted_comments().count() == 1


def test_flood_limit_ends_exactly_at_15_seconds(post_comment, article, clock):
    post_comment(article)
    clock.shift(15)
    assert post_comment(article).status_code == 302


def test_flood_same_mailbox_from_another_ip_is_quietly_spam(post_comment, article, clock):
    """Not 429: that answer would tell anyone that an address had just been used."""
    post_comment(article, author_email="same@example.com", via=Client(REMOTE_ADDR="192.0.2.1"))
    response = post_comment(article, author_email="SAME@example.com", via=Client(REMOTE_ADDR="192.0.2.2"))
    assert response.status_code == 302
    latest = Comment.objects.latest("pk")
    assert (latest.status, latest.held_for) == ("spam", "flood")


def test_flood_moderators_are_exempt(moderator_client, post_comment, article):
    post_comment(article, via=moderator_client)
    assert post_comment(article, via=moderator_client).status_code == 302


def test_flood_spoofed_forwarded_for_does_not_reset_the_limit(post_comment, article):
    first = post_comment(article, via=Client(REMOTE_ADDR="192.0.2.7"), headers={"X-Forwarded-For": "10.0.0.1"})
    second = post_comment(article, via=Client(REMOTE_ADDR="192.0.2.7"), headers={"X-Forwarded-For": "10.0.0.2"})
    assert (first.status_code, second.status_code) == (302, 429)


def test_flood_behind_a_proxy_uses_the_hop_it_appended(post_comment, article, settings):
    settings.COMMENTS_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.254"}
    first = post_comment(article, via=Client(**proxy), headers={"X-Forwarded-For": "1.1.1.1, 198.51.100.20"})
    second = post_comment(article, via=Client(**proxy), headers={"X-Forwarded-For": "2.2.2.2, 198.51.100.20"})
    other = post_comment(article, via=Client(**proxy), headers={"X-Forwarded-For": "198.51.100.21"})
    assert (first.status_code, second.status_code, other.status_code) == (302, 429, 302)
    assert Comment.objects.filter(ip_address="198.51.100.20").count() == 1


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.1", "192.0.2.1"),
        (1, "203.0.113.1", "203.0.113.1"),
        (2, "203.0.113.1, 10.0.0.2", "203.0.113.1"),
        (2, "spoofed, 203.0.113.1, 10.0.0.2", "203.0.113.1"),
        (2, "10.0.0.2", "192.0.2.1"),
        (1, "not-an-ip", "192.0.2.1"),  # garbage from the proxy counts as the proxy: no escape from limits
        (1, "::ffff:203.0.113.9", "203.0.113.9"),  # an IPv4-mapped address is that IPv4 address
    ],
)
def test_client_ip_counts_trusted_hops_from_the_right(rf, settings, proxies, forwarded, expected):
    settings.COMMENTS_TRUSTED_PROXY_COUNT = proxies
    request = rf.post("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# ---- duplicates


def test_duplicate_comment_is_409_and_not_stored(post_comment, article, settings):
    settings.COMMENTS_FLOOD_SECONDS = 0
    fields = {"author_name": "Dup", "author_email": "dup@example.com", "body": "Same words"}
    assert post_comment(article, **fields).status_code == 302
    response = post_comment(article, **fields)
    assert response.status_code == 409
    assert "Duplicate comment detected; it looks as though you’ve already said that!" in _summary(response)
    assert Comment.objects.filter(body="Same words").count() == 1


def test_duplicate_of_a_trashed_comment_is_allowed(post_comment, article, settings):
    settings.COMMENTS_FLOOD_SECONDS = 0
    fields = {"author_name": "Dup", "author_email": "dup@example.com", "body": "Try again"}
    post_comment(article, **fields)
    transitions.trash(Comment.objects.filter(body="Try again"))
    assert post_comment(article, **fields).status_code == 302


def test_same_text_as_a_reply_elsewhere_is_not_a_duplicate(post_comment, article, settings):
    settings.COMMENTS_FLOOD_SECONDS = 0
    fields = {"author_name": "Dup", "author_email": "dup@example.com", "body": "Agreed!"}
    post_comment(article, **fields)
    assert post_comment(article, parent=str(Comment.objects.approved().first().pk), **fields).status_code == 302


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_identical_posts_store_exactly_one(settings):
    from articles.models import Article

    settings.COMMENTS_FLOOD_SECONDS = 0  # only the database stands between the two posts
    article = Article.objects.get(slug=ARTICLE_SLUG)
    data = comment_data(article, body="Double click", author_name="Twice", author_email="twice@example.com")
    url = reverse("comments:post", args=[article.pk])
    barrier = threading.Barrier(2)
    statuses = []

    def submit(address):
        barrier.wait()
        try:
            statuses.append(Client(REMOTE_ADDR=address).post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(f"192.0.2.{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [302, 409]
    assert Comment.objects.filter(body="Double click").count() == 1
