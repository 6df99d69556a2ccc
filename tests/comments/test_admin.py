"""The moderation queue in the Django admin: who may use it and what it does."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from tests.helpers import approved_counts, page, text_of

QUEUE = reverse("admin:comments_comment_changelist")


def _rows(response):
    table = page(response).find(".//table[@id='result_list']")
    return [] if table is None else [text_of(row) for row in table.iterfind("./tbody/tr")]


def test_anonymous_user_is_sent_to_the_admin_login(client, db):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_outside_the_group_cannot_see_comments(client, db):
    client.force_login(User.objects.create_user("staff", is_staff=True))
    assert client.get(QUEUE).status_code == 403
    assert b"Comments" not in client.get("/admin/").content


def test_moderator_is_not_a_superuser_but_sees_the_queue(moderator_client, moderator):
    assert not moderator.is_superuser
    assert moderator_client.get(QUEUE).status_code == 200


def test_queue_opens_on_pending_newest_first(moderator_client, article, make_comment):
    older = make_comment(article, status="pending", body="older pending")
    newer = make_comment(article, status="pending", body="newer pending")
    make_comment(article, status="spam", body="some spam")
    rows = _rows(moderator_client.get(QUEUE))
    assert len(rows) == 2
    assert "newer pending" in rows[0] and "older pending" in rows[1]
    assert older.pk < newer.pk


def test_queue_shows_counts_per_status(moderator_client, article, make_comment):
    make_comment(article, status="pending")
    make_comment(article, status="spam")
    make_comment(article, status="spam")
    filters = text_of(page(moderator_client.get(QUEUE)).find(".//*[@id='changelist-filter']"))
    assert "Pending (1)" in filters
    assert "Approved (3)" in filters
    assert "Spam (2)" in filters
    assert "Trash (0)" in filters


def test_queue_all_statuses_is_one_click_away(moderator_client, article):
    assert len(_rows(moderator_client.get(QUEUE, {"status": "all"}))) == 3


def test_queue_row_shows_what_a_moderator_needs(moderator_client, article, make_comment):
    parent = Comment.objects.for_article(article).first()
    make_comment(
        article,
        status="pending",
        parent=parent,
        author_name="Row Author",
        author_email="row@example.com",
        author_url="https://row.example",
        ip_address="203.0.113.9",
        body="<b>bold</b> <script>alert(1)</script>",
    )
    response = moderator_client.get(QUEUE)
    (row,) = _rows(response)
    for expected in [
        "Row Author",
        "row@example.com",
        "https://row.example",
        "203.0.113.9",
        "Can Facial Exercises",
        "Anonymous",
    ]:
        assert expected in row
    html = response.content.decode()
    assert "<b>bold</b>" in html  # the sanitised body, rendered
    assert "<script>alert(1)</script>" not in html


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("findme@example.com", 1),
        ("198.51.100.7", 1),
        ("needle text", 1),
        ("Searchable Name", 1),
        ("nothing-like-this", 0),
    ],
)
def test_queue_search_by_name_email_text_and_ip(moderator_client, article, make_comment, term, found):
    make_comment(
        article,
        status="pending",
        author_name="Searchable Name",
        author_email="findme@example.com",
        ip_address="198.51.100.7",
        body="a needle text here",
    )
    make_comment(article, status="pending")
    assert len(_rows(moderator_client.get(QUEUE, {"q": term}, follow=True))) == found


def test_queue_filters_by_article(moderator_client, article, make_article, make_comment):
    other = make_article()
    make_comment(other, status="pending")
    make_comment(article, status="pending")
    assert len(_rows(moderator_client.get(QUEUE, {"article": other.pk}))) == 1


def _act(client, action, comments):
    return client.post(
        f"{QUEUE}?status=all", {"action": action, "_selected_action": [c.pk for c in comments]}, follow=True
    )


def test_approve_action_publishes_and_records_the_moderator(moderator_client, moderator, article, make_comment):
    comment = make_comment(article, status="pending", body="approve me")
    before = approved_counts(article)[0]
    response = _act(moderator_client, "approve", [comment])
    assert "1 comment approved." in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert comment.moderated_by == moderator and comment.moderated_at is not None
    assert approved_counts(article)[0] == before + 1
    assert "approve me" in Client().get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("unapprove", "pending", "2 comments unapproved."),
        ("mark_spam", "spam", "2 comments marked as spam."),
        ("trash", "trash", "2 comments moved to trash."),
    ],
)
def test_bulk_actions_move_comments_and_keep_counts(moderator_client, article, action, status, message):
    two = list(Comment.objects.for_article(article)[:2])
    before = approved_counts(article)[0]
    response = _act(moderator_client, action, two)
    assert message in response.content.decode()
    assert set(Comment.objects.filter(pk__in=[c.pk for c in two]).values_list("status", flat=True)) == {status}
    assert approved_counts(article)[0] == before - 2
    assert "One thought on" in Client().get(article.get_absolute_url()).content.decode()


def test_delete_permanently_asks_first_then_removes_rows_and_keeps_counts(moderator_client, article):
    first = Comment.objects.for_article(article).first()
    before = approved_counts(article)[0]
    asked = _act(moderator_client, "delete_selected", [first])
    assert "Are you sure you want to delete the selected comment?" in asked.content.decode()  # Django's own page
    assert Comment.objects.filter(pk=first.pk).exists()
    data = {"action": "delete_selected", "_selected_action": [first.pk], "post": "yes"}
    response = moderator_client.post(f"{QUEUE}?status=all", data, follow=True)
    assert "Successfully deleted 1 comment." in response.content.decode()
    assert not Comment.objects.filter(pk=first.pk).exists()
    assert approved_counts(article)[0] == before - 1


def test_delete_is_not_offered_in_the_pending_view(moderator_client, article, make_comment):
    make_comment(article, status="pending")
    actions = page(moderator_client.get(QUEUE)).findall(".//select[@name='action']/option")
    assert "delete_selected" not in [option.get("value") for option in actions]
    actions = page(moderator_client.get(QUEUE, {"status": "trash"})).findall(".//select[@name='action']/option")
    assert {"delete_selected", "restore"} <= {option.get("value") for option in actions}


def test_moderator_changes_status_on_the_comment_page(moderator_client, moderator, article, make_comment):
    comment = make_comment(article, status="pending", author_email="page@example.com")
    before = approved_counts(article)[0]
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    response = moderator_client.get(url)
    assert response.status_code == 200
    assert "page@example.com" in response.content.decode()
    # The status is read-only on the form; the page's buttons run the same transitions as the actions.
    assert page(response).find(".//button[@name='_transition'][@value='approve']") is not None
    response = moderator_client.post(
        url,
        {
            "_transition": "approve",
            "status": "spam",  # ignored: read-only
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": "",
            "body": comment.body,
        },
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == "approved" and comment.moderated_by == moderator
    assert approved_counts(article)[0] == before + 1


def test_view_on_site_link_only_once_approved(moderator_client, article, make_comment):
    make_comment(article, status="pending")
    html = moderator_client.get(QUEUE, {"status": "all"}).content.decode()
    approved = Comment.objects.approved().first()
    assert f'href="{approved.get_absolute_url()}"' in html
    pending = Comment.objects.pending().first()
    assert f'href="{pending.get_absolute_url()}"' not in html


def test_staff_without_the_group_cannot_run_actions(client, article):
    client.force_login(User.objects.create_user("staff2", is_staff=True))
    first = Comment.objects.for_article(article).first()
    assert _act(client, "trash", [first]).status_code == 403
    first.refresh_from_db()
    assert first.status == "approved"


def test_moderators_group_cannot_add_comments_or_manage_users(moderator_client):
    assert moderator_client.get(reverse("admin:comments_comment_add")).status_code == 403
    assert moderator_client.get(reverse("admin:auth_user_changelist")).status_code == 403
