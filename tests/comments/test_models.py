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


def _stats(article):
    from comments.models import CommentStats

    stats = CommentStats.objects.get(article=article)
    return {
        field: getattr(stats, field)
        for field in ("approved_count", "thread_count", "pending_count", "spam_count", "trash_count")
    }


def test_counts_per_status_stay_exact_through_posts_transitions_and_deletes(
    client, article, make_comment, post_comment
):
    from comments import transitions
    from comments.models import Comment

    made = [make_comment(article, status=status) for status in ("pending", "approved", "spam", "trash")]
    reply = make_comment(article, parent=made[1])
    post_comment(article)  # through the posting rules
    steps = [
        (transitions.approve, [made[0], made[2]]),
        (transitions.mark_spam, [made[1]]),  # a thread with its reply
        (transitions.trash, [reply]),
        (transitions.unapprove, [made[0]]),
    ]
    for transition, comments in steps:
        transition(Comment.objects.filter(pk__in=[c.pk for c in comments]))
        shifted = _stats(article)
        transitions.recount([article.pk])
        assert shifted == _stats(article)
    transitions.delete(Comment.objects.filter(pk=made[1].pk))  # and its reply, by cascade
    assert not Comment.objects.filter(pk=reply.pk).exists()
    counted = _stats(article)
    assert (
        sum(counted[f"{status}_count"] for status in ("approved", "pending", "spam", "trash"))
        == Comment.objects.filter(article=article).count()
    )
