"""The "Leave a Reply" form as a reader sees it, and what the server accepts from it."""

import pytest
from django.urls import reverse

from comments.models import Comment
from tests.helpers import ARTICLE_URL as URL
from tests.helpers import comment_data, page, posted_comments, text_of


@pytest.fixture
def form(client, article):
    return page(client.get(URL)).find(".//form[@id='commentform']")


def _label(form, field_id):
    return text_of(form.find(f".//label[@for='{field_id}']"))


def test_form_has_real_labels_marking_required_fields(form):
    assert _label(form, "id_body") == "Comment*"
    assert _label(form, "id_author_name") == "Name*"
    assert _label(form, "id_author_email") == "Email*"
    assert _label(form, "id_author_url") == "Website"
    assert (
        _label(form, "id_remember") == "Save my name, email, and website in this browser for the next time I comment."
    )


def test_form_required_fields_have_the_required_attribute(form):
    for field_id in ["id_body", "id_author_name", "id_author_email"]:
        assert form.find(f".//*[@id='{field_id}']").get("required") is not None
    assert form.find(".//*[@id='id_author_url']").get("required") is None


def test_form_email_points_to_the_privacy_note(form):
    note = form.find(".//*[@id='email-notes']")
    assert text_of(note) == "Your email address will not be published. Required fields are marked *"
    assert form.find(".//*[@id='id_author_email']").get("aria-describedby") == "email-notes"


def test_form_email_with_an_error_is_described_by_note_and_error(post_comment, article):
    email = page(post_comment(article, author_email="nope")).find(".//*[@id='id_author_email']")
    assert email.get("aria-describedby") == "email-notes id_author_email_error"
    assert email.get("aria-invalid") == "true"


def test_form_has_autocomplete_tokens(form):
    tokens = {
        field_id: form.find(f".//*[@id='{field_id}']").get("autocomplete")
        for field_id in ["id_author_name", "id_author_email", "id_author_url"]
    }
    assert tokens == {"id_author_name": "name", "id_author_email": "email", "id_author_url": "url"}


def test_form_has_the_post_comment_button(form):
    assert form.find(".//input[@type='submit']").get("value") == "Post Comment"


def test_form_heading_reads_leave_a_reply(client, article):
    heading = page(client.get(URL)).find(".//*[@id='reply-title']")
    assert text_of(heading).startswith("Leave a Reply")
    assert heading.find(".//a[@id='cancel-comment-reply-link']").get("hidden") is not None


def test_form_honeypot_is_hidden_from_everyone(form):
    wrapper = form.find(".//*[@id='id_leave_empty']/../..")
    assert "d-none" in wrapper.get("class")
    assert wrapper.get("aria-hidden") == "true"
    assert _label(form, "id_leave_empty") == "Leave this field empty"


# ---- validation: each error next to its field, a summary, and everything kept


def _errors_next_to(doc, field_id):
    field_wrapper = doc.find(f".//*[@id='div_{field_id}']")
    feedback = field_wrapper.find(".//div[@class='invalid-feedback']")
    return [] if feedback is None else [text_of(error) for error in feedback]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("body", "Please type your comment."),
        ("author_name", "Please enter your name."),
        ("author_email", "Please enter your email address."),
    ],
)
@pytest.mark.parametrize("blank", ["", "   \n\t "])
def test_post_missing_required_field_is_shown_next_to_it(post_comment, article, field, message, blank):
    response = post_comment(article, **{field: blank})
    assert response.status_code == 200
    doc = page(response)
    assert _errors_next_to(doc, f"id_{field}") == [message]
    assert message in text_of(doc.find(".//*[@id='form-errors']"))
    assert not posted_comments().exists()


def test_post_with_errors_keeps_everything_typed(post_comment, article):
    response = post_comment(
        article,
        author_name="",
        body="My long comment\nwith two lines",
        author_email="kept@example.com",
        author_url="https://kept.example",
    )
    doc = page(response)
    assert text_of(doc.find(".//textarea[@id='id_body']")) == "My long comment with two lines"
    assert doc.find(".//textarea[@id='id_body']").text.strip() == "My long comment\nwith two lines"
    assert doc.find(".//input[@id='id_author_email']").get("value") == "kept@example.com"
    assert doc.find(".//input[@id='id_author_url']").get("value") == "https://kept.example"


def test_post_error_summary_links_to_each_field(post_comment, article):
    doc = page(post_comment(article, body="", author_name=""))
    links = [a.get("href") for a in doc.find(".//*[@id='form-errors']").iterfind(".//a")]
    assert links == ["#id_body", "#id_author_name"]


def test_post_body_that_sanitises_to_nothing_is_empty(post_comment, article):
    doc = page(post_comment(article, body="<script></script><!-- nothing -->"))
    assert _errors_next_to(doc, "id_body") == ["Please type your comment."]
    assert not posted_comments().exists()


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "two@@example.com", "x@example.com\nBcc: y@example.com"])
def test_post_invalid_email_is_refused(post_comment, article, email):
    doc = page(post_comment(article, author_email=email))
    assert _errors_next_to(doc, "id_author_email") == ["Please enter a valid email address."]


def test_post_bare_website_becomes_https(post_comment, article):
    post_comment(article, author_url="example.org")
    assert Comment.objects.latest("pk").author_url == "https://example.org"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.org", "data:text/html,hi", "mailto:x@example.org"]
)
def test_post_website_with_another_scheme_is_refused(post_comment, article, url):
    response = post_comment(article, author_url=url)
    assert response.status_code == 200
    assert _errors_next_to(page(response), "id_author_url")
    assert not posted_comments().exists()


@pytest.mark.parametrize(("field", "limit"), [("author_name", 245), ("body", 65525)])
def test_post_text_at_and_past_the_limit(post_comment, article, field, limit, settings):
    settings.COMMENTS_FLOOD_SECONDS = 0  # two posts in a row; the flood limit has tests of its own
    assert post_comment(article, **{field: "x" * limit}).status_code == 302
    response = post_comment(article, **{field: "y" * (limit + 1)})
    assert response.status_code == 200
    assert _errors_next_to(page(response), f"id_{field}") == [
        f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    ]


def test_post_email_past_100_characters_is_refused(post_comment, article, settings):
    settings.COMMENTS_FLOOD_SECONDS = 0  # two posts in a row; the flood limit has tests of its own
    assert post_comment(article, author_email="a" * 88 + "@example.com").status_code == 302  # exactly 100
    response = post_comment(article, author_email="a" * 89 + "@example.com")
    assert response.status_code == 200
    assert Comment.objects.filter(author_email__startswith="a" * 89).count() == 0


def test_post_website_past_200_characters_is_refused(post_comment, article):
    response = post_comment(article, author_url="https://example.org/" + "p" * 181)
    assert response.status_code == 200
    assert _errors_next_to(page(response), "id_author_url")


def test_post_nul_character_is_an_error(post_comment, article):
    response = post_comment(article, body="hello\x00world")
    assert response.status_code == 200
    assert _errors_next_to(page(response), "id_body") == ["Null characters are not allowed."]


def test_post_control_characters_are_removed(post_comment, article):
    post_comment(article, author_name="Ann\x07 \x1bBarbor\r\nBcc: x", body="bell\x07 and\x0b tab\tkept")
    comment = Comment.objects.latest("pk")
    assert comment.author_name == "Ann Barbor Bcc: x"
    assert comment.body == "bell and tab\tkept"


# ---- the post URL itself


def test_post_url_answers_405_to_get(client, article):
    assert client.get(reverse("comments:post", args=[article.pk])).status_code == 405


def test_post_without_csrf_token_is_403(article):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("comments:post", args=[article.pk]), comment_data(article))
    assert response.status_code == 403
    assert b"Your form could not be checked" in response.content
    assert not posted_comments().exists()


def test_post_to_unknown_article_is_404(client, article):
    response = client.post(reverse("comments:post", args=[99999]), comment_data(article))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/comments/post/abc/", "/comments/post/-1/", "/comments/post/1.5/", "/comments/post/99999999999999999999999/"],
)
def test_post_to_malformed_article_id_is_404(client, article, path):
    assert client.post(path, comment_data(article)).status_code == 404


@pytest.mark.parametrize("parent", ["abc", "-3", "1e3", "99999999999999999999999", "0"])
def test_post_with_malformed_parent_is_refused_with_a_message(post_comment, article, parent):
    response = post_comment(article, parent=parent)
    assert response.status_code == 200
    assert page(response).find(".//*[@id='form-errors']") is not None
    assert not posted_comments().exists()


def test_post_cannot_target_another_article_through_the_token(client, article, make_article):
    other = make_article()
    response = client.post(reverse("comments:post", args=[other.pk]), comment_data(article))
    assert response.status_code == 400
    assert not Comment.objects.filter(article=other).exists()


def test_post_ignores_an_article_field_in_the_form(post_comment, article, make_article):
    other = make_article()
    post_comment(article, article=str(other.pk))
    assert Comment.objects.latest("pk").article == article


def test_a_post_with_errors_is_shown_at_the_articles_own_address(client, article):
    """Reloading that page asks to post again, instead of a 405 from an address that only takes posts."""
    page_html = client.get(article.get_absolute_url()).content.decode()
    assert f'action="{article.get_absolute_url()}"' in page_html
    response = client.post(article.get_absolute_url(), comment_data(article, author_email="nope"))
    assert response.status_code == 200
    assert "Please enter a valid email address." in response.content.decode()
    posted = client.post(article.get_absolute_url(), comment_data(article))
    assert posted.status_code == 302 and posted["Location"].startswith(article.get_absolute_url())
