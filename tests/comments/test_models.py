"""A comment's derived fields come from one place, Comment.prepare(), whoever stores the comment."""

from bench.seed import seed_comments
from comments.models import Comment


def _derived(comment):
    return comment.depth, comment.thread_id, comment.fingerprint, comment.body_html


def test_bulk_seeded_comments_have_what_save_would_compute(make_article, settings, monkeypatch):
    settings.COMMENTS_MAX_DEPTH = 3  # the seeder must follow the setting, not a depth of its own
    monkeypatch.setattr("bench.seed.BATCH", 40)  # small batches, so replies nest below replies
    article = seed_comments(make_article(), 300, reply_share=0.5)
    stored = list(Comment.objects.filter(article=article).select_related("parent"))
    assert max(comment.depth for comment in stored) == 3
    for comment in stored:
        again = Comment(article=article, parent=comment.parent, author_name=comment.author_name, body=comment.body)
        again.prepare()
        again.thread_id = again.thread_id or comment.pk  # save() makes a top-level comment its own thread
        assert _derived(again) == _derived(comment)


def test_save_sanitises_only_a_body_it_has_not_seen(article, monkeypatch):
    calls = []
    monkeypatch.setattr("comments.models.sanitize_comment", lambda text: calls.append(text) or f"<p>{text}</p>")
    comment = Comment(article=article, author_name="A", author_email="a@example.org")
    comment.use_body("given", "<p>given, already safe</p>")
    comment.save()
    assert calls == [] and comment.body_html == "<p>given, already safe</p>"
    comment.body = "edited"
    comment.save()
    assert calls == ["edited"] and comment.body_html == "<p>edited</p>"
