"""The moderation workbench (issue 14): why each comment was held, its history, reasons, undo, decisions per row."""

import json
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import transitions
from comments.models import Comment, ModerationEvent, WordList
from tests.helpers import approved_counts, comment_data, page, text_of

QUEUE = reverse("admin:comments_comment_changelist")
HISTORY = reverse("admin:comments_moderationevent_changelist")


def _post(article, ip="192.0.2.10", **fields):
    return Client(REMOTE_ADDR=ip).post(reverse("comments:post", args=[article.pk]), comment_data(article, **fields))


def _latest():
    return Comment.objects.latest("pk")


# ---- why held: one test per rule


@pytest.mark.parametrize(
    ("setup", "fields", "status", "reason"),
    [
        (None, {"leave_empty": "bot"}, "spam", {"code": "honeypot"}),
        (None, {"rendered_at": "fast"}, "spam", {"code": "too_fast"}),
        ("disallowed", {"body": "Cheap pills here"}, "spam", {"code": "disallowed_word", "entry": "pills"}),
        ("moderation", {"body": "About botox"}, "pending", {"code": "moderation_word", "entry": "botox"}),
        (
            None,
            {"body": "https://a.example.com https://b.example.com https://c.example.com"},
            "pending",
            {"code": "links"},
        ),
        (None, {}, "pending", {"code": "first_comment"}),
    ],
    ids=["honeypot", "too fast", "disallowed word", "moderation word", "links", "first comment"],
)
def test_each_rule_records_why(article, setup, fields, status, reason):
    WordList.objects.filter(kind="disallowed").update(words="pills" if setup == "disallowed" else "")
    WordList.objects.filter(kind="moderation").update(words="botox" if setup == "moderation" else "")
    if fields.get("rendered_at") == "fast":
        fields = {"rendered_at": time.time() - 1}
    assert _post(article, **fields).status_code == 302
    comment = _latest()
    assert comment.status == status
    assert comment.held_for == reason["code"]
    assert {key: comment.reasons[0][key] for key in reason} == reason
    if reason["code"] == "links":
        assert comment.reasons[0] | {} == {"code": "links", "count": 3, "max": 2}
    event = ModerationEvent.objects.get(comment_id=comment.pk)
    assert (event.from_status, event.to_status, event.rule, event.user) == ("", status, reason["code"], None)


def test_a_known_author_is_held_for_review_or_approved(article, make_comment, settings):
    settings.COMMENTS_FLOOD_SECONDS = 0  # the same author twice in a row
    make_comment(article, author_name="Known", author_email="known@example.org")
    _post(article, author_name="Known", author_email="known@example.org", body="Again, with feeling.")
    assert (_latest().status, _latest().held_for) == ("pending", "held")
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    _post(article, ip="192.0.2.11", author_name="Known", author_email="known@example.org", body="Once more.")
    assert (_latest().status, _latest().held_for) == ("approved", "known_author")


def test_a_replayed_form_and_a_flooding_mailbox_are_recorded(article, settings):
    data = comment_data(article)
    url = reverse("comments:post", args=[article.pk])
    Client(REMOTE_ADDR="192.0.2.1").post(url, data)
    settings.COMMENTS_FLOOD_SECONDS = 0
    Client(REMOTE_ADDR="192.0.2.2").post(url, data | {"body": "replayed"})
    assert _latest().held_for == "replayed"
    settings.COMMENTS_FLOOD_SECONDS = 15
    _post(article, ip="192.0.2.3", author_email="flood@example.org")
    _post(article, ip="192.0.2.4", author_email="flood@example.org", body="seconds later")
    assert (_latest().status, _latest().held_for) == ("spam", "flood")


def test_the_queue_shows_reasons_as_badges_and_filters_by_them(moderator_client, article):
    _post(article, body="https://a.example.com https://b.example.com https://c.example.com")
    _post(article, ip="192.0.2.11")
    doc = page(moderator_client.get(QUEUE))
    badges = [text_of(badge) for badge in doc.iterfind(".//li[@class='reason-badge reason-links']")]
    assert badges == ["too many links"]
    filtered = page(moderator_client.get(QUEUE, {"held_for": "links"}))
    assert len(filtered.findall(".//table[@id='result_list']/tbody/tr")) == 1
    change = moderator_client.get(reverse("admin:comments_comment_change", args=[_latest().pk - 1]))
    assert "too many links: 3 of at most 2" in change.content.decode()


# ---- history, reasons on rejection


def test_every_decision_appends_history_with_who_and_why(moderator_client, moderator, article, make_comment):
    one, two = make_comment(article, status="pending"), make_comment(article, status="pending")
    data = {"action": "mark_spam", "_selected_action": [one.pk, two.pk], "reason": "advertising", "note": "SEO"}
    moderator_client.post(f"{QUEUE}?status=pending", data, follow=True)
    events = ModerationEvent.objects.filter(comment_id__in=[one.pk, two.pk], user=moderator)
    assert {(e.from_status, e.to_status, e.reason, e.note) for e in events} == {
        ("pending", "spam", "advertising", "SEO")
    }
    assert len({event.batch for event in events}) == 1  # one action
    history = page(moderator_client.get(reverse("admin:comments_comment_change", args=[one.pk])))
    assert "Advertising" in text_of(history.find(".//table[@class='queue-history']"))


def test_history_outlives_a_deleted_comment(article, make_comment):
    comment = make_comment(article, status="pending")
    transitions.trash(Comment.objects.filter(pk=comment.pk))
    transitions.delete(Comment.objects.filter(pk=comment.pk))
    assert ModerationEvent.objects.filter(comment_id=comment.pk).count() == 2  # posted, trashed


def test_history_cannot_be_changed_through_the_admin_even_by_a_superuser(client, article, make_comment):
    comment = make_comment(article, status="pending")
    transitions.approve(Comment.objects.filter(pk=comment.pk))
    event = ModerationEvent.objects.filter(comment_id=comment.pk).first()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    before = list(ModerationEvent.objects.values())
    assert client.get(HISTORY).status_code == 200
    assert client.get(reverse("admin:comments_moderationevent_add")).status_code == 403
    change = reverse("admin:comments_moderationevent_change", args=[event.pk])
    assert client.get(change).status_code == 200  # a read-only view
    client.post(change, {"to_status": "spam", "note": "rewritten"})
    assert client.post(reverse("admin:comments_moderationevent_delete", args=[event.pk])).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    client.post(HISTORY, bulk)
    assert list(ModerationEvent.objects.values()) == before


def test_recently_moderated_by_me_or_everyone(moderator_client, moderator, article, make_comment):
    mine, theirs = make_comment(article, status="pending"), make_comment(article, status="pending")
    transitions.approve(Comment.objects.filter(pk=mine.pk), moderator)
    transitions.approve(Comment.objects.filter(pk=theirs.pk), User.objects.create_user("other", is_staff=True))
    rows = page(moderator_client.get(HISTORY, {"by": "me"})).findall(".//table[@id='result_list']/tbody/tr")
    assert len(rows) == 1 and f"#{mine.pk}" in text_of(rows[0])
    everyone = page(moderator_client.get(HISTORY, {"by": "moderators"})).findall(".//table[@id='result_list']/tbody/tr")
    assert len(everyone) == 2


# ---- undo


def test_undo_restores_statuses_counts_history_and_the_page(moderator_client, article, make_comment):
    pending = make_comment(article, status="pending", body="Wait for me")
    approved = Comment.objects.approved().first()
    before = approved_counts(article)
    response = moderator_client.post(
        f"{QUEUE}?status=all", {"action": "approve", "_selected_action": [pending.pk]}, follow=True
    )
    assert "Wait for me" in Client().get(article.get_absolute_url()).content.decode()
    undo = page(response).find(".//form[@class='undo-form']")
    moderator_client.post(undo.get("action"), {}, follow=True)
    assert Comment.objects.get(pk=pending.pk).status == "pending"
    assert approved_counts(article) == before
    assert "Wait for me" not in Client().get(article.get_absolute_url()).content.decode()
    undo_event = ModerationEvent.objects.filter(comment_id=pending.pk).first()
    assert (undo_event.from_status, undo_event.to_status, undo_event.undoes is not None) == (
        "approved",
        "pending",
        True,
    )
    assert approved.status == Comment.objects.get(pk=approved.pk).status


def test_undo_of_a_bulk_action_restores_each_previous_status(article, make_comment):
    spam, pending = make_comment(article, status="spam"), make_comment(article, status="pending")
    transitions.trash(Comment.objects.filter(pk__in=[spam.pk, pending.pk]), batch=(batch := __import__("uuid").uuid4()))
    assert transitions.undo(batch) == 2
    assert dict(Comment.objects.filter(pk__in=[spam.pk, pending.pk]).values_list("pk", "status")) == {
        spam.pk: "spam",
        pending.pk: "pending",
    }


def test_undo_is_refused_after_a_later_change_or_ten_minutes(article, make_comment):
    import uuid

    comment = make_comment(article, status="pending")
    first, later = uuid.uuid4(), uuid.uuid4()
    transitions.approve(Comment.objects.filter(pk=comment.pk), batch=first)
    transitions.mark_spam(Comment.objects.filter(pk=comment.pk), batch=later)
    with pytest.raises(transitions.UndoRefused, match="changed since"):
        transitions.undo(first)
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)),
        pytest.raises(transitions.UndoRefused, match="too old"),
    ):
        transitions.undo(later)
    transitions.undo(later)
    with pytest.raises(transitions.UndoRefused, match="already been undone"):
        transitions.undo(later)


# ---- one decision per request, from the keyboard


def test_decide_endpoint_moves_one_row_and_returns_the_counts(moderator_client, article, make_comment):
    comment = make_comment(article, status="pending")
    url = reverse("admin:comments_comment_decide", args=[comment.pk])
    response = moderator_client.post(url, {"decision": "trash", "reason": "off_topic"})
    data = json.loads(response.content)
    assert (response.status_code, data["status"]) == (200, "trash")
    assert data["counts"]["trash"] == 1
    assert ModerationEvent.objects.filter(comment_id=comment.pk).first().reason == "off_topic"
    undone = moderator_client.post(data["undo_url"], headers={"Accept": "application/json"})
    assert undone.status_code == 200
    assert Comment.objects.get(pk=comment.pk).status == "pending"


def test_decide_endpoint_needs_csrf_and_the_moderator_permission(moderator, article, make_comment):
    comment = make_comment(article, status="pending")
    url = reverse("admin:comments_comment_decide", args=[comment.pk])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(moderator)
    assert strict.post(url, {"decision": "approve"}).status_code == 403
    outsider = Client()
    outsider.force_login(User.objects.create_user("staff", is_staff=True))
    assert outsider.post(url, {"decision": "approve"}).status_code == 403
    assert Comment.objects.get(pk=comment.pk).status == "pending"


# ---- context, safety, the home page


def test_restore_puts_trashed_comments_back_where_they_were(moderator_client, article, make_comment):
    was_approved = Comment.objects.approved().first()
    was_pending = make_comment(article, status="pending")
    transitions.trash(Comment.objects.filter(pk__in=[was_approved.pk, was_pending.pk]))
    data = {"action": "restore", "_selected_action": [was_approved.pk, was_pending.pk]}
    moderator_client.post(f"{QUEUE}?status=trash", data, follow=True)
    assert Comment.objects.get(pk=was_approved.pk).status == "approved"
    assert Comment.objects.get(pk=was_pending.pk).status == "pending"


def test_change_page_shows_the_thread_and_previews_a_hidden_comment(moderator_client, article, make_comment):
    parent = Comment.objects.approved().first()
    reply = make_comment(article, status="pending", parent=parent, body="A held reply")
    child = make_comment(article, status="spam", parent=reply, body="A reply to the reply")
    html = moderator_client.get(reverse("admin:comments_comment_change", args=[reply.pk])).content.decode()
    assert parent.author_name in html and "A reply to the reply" in html and article.title in html
    preview = moderator_client.get(reverse("admin:comments_comment_preview", args=[reply.pk]))
    assert "Not public: this comment is Pending." in text_of(page(preview).find(".//p[@class='queue-not-public']"))
    assert child.pk


def test_admin_home_shows_the_pending_count(moderator_client, article, make_comment):
    make_comment(article, status="pending")
    make_comment(article, status="pending")
    assert "2 comments are waiting for moderation." in moderator_client.get("/admin/").content.decode()


def test_imported_comments_say_so_and_start_their_history(tmp_path, db):
    from tests.comments.test_wordpress_import import comment, export, post, run

    run(export(tmp_path, post(7, "Imported", comment(1, "From the old blog"))))
    imported = Comment.objects.get(body="From the old blog")
    assert (imported.held_for, imported.reasons) == ("imported", [{"code": "imported"}])
    event = ModerationEvent.objects.get(comment_id=imported.pk)
    assert (event.rule, event.to_status, event.user) == ("imported", "approved", None)


def test_reply_as_the_site_publishes_the_reply_and_the_comment(moderator_client, moderator, article, make_comment):
    held = make_comment(article, status="pending", body="Does it work on jowls?")
    url = reverse("admin:comments_comment_reply", args=[held.pk])
    response = moderator_client.post(url, {"body": "It does not, sadly: see the article."})
    assert response.status_code == 200
    reply = Comment.objects.get(parent=held)
    assert (reply.status, reply.author_name, reply.held_for) == ("approved", "skinsite", "moderator")
    assert Comment.objects.get(pk=held.pk).status == "approved"
    assert ModerationEvent.objects.get(comment_id=reply.pk).user == moderator
    page_html = Client().get(article.get_absolute_url()).content.decode()
    assert "It does not, sadly" in page_html and "Does it work on jowls?" in page_html
    assert moderator_client.post(url, {"body": "   "}).status_code == 400
