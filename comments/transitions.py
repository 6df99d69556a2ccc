"""Every change of a comment's status: one function per change, used by views, admin, commands and importers.

Each runs in a transaction that also recounts the article's approved comments and
threads and publishes the new state of its comment list, so counts, moderation stamps
and cached pages are kept right in one place.
"""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from . import notifications
from .models import Comment, CommentStats

Status = Comment.Status


def refresh_stats(article_ids):
    """Recount approved comments and threads and stamp the change, in the caller's transaction.

    The stamp is the version cached comment lists are keyed on, so every app server sees
    a change on its next request without invalidation calls.
    """
    now = timezone.now()
    for article_id in sorted(set(article_ids)):
        counts = (
            Comment.objects.filter(article_id=article_id)
            .approved()
            .aggregate(comments=Count("pk"), threads=Count("pk", filter=Q(parent=None)))
        )
        stats, _created = CommentStats.objects.update_or_create(
            article_id=article_id,
            defaults={"approved_count": counts["comments"], "thread_count": counts["threads"], "changed_at": now},
        )
        stats.publish()


def set_status(comments, status, user=None):
    """Move comments to a status, stamping who did it; returns how many changed."""
    with transaction.atomic():
        changing = list(comments.exclude(status=status).values_list("pk", "article_id"))
        changed = Comment.objects.filter(pk__in=[pk for pk, _article in changing]).update(
            status=status, moderated_by=user, moderated_at=timezone.now()
        )
        refresh_stats(article_id for _pk, article_id in changing)
        if status == Status.APPROVED:
            notifications.comments_approved([pk for pk, _article in changing])
    return changed


def approve(comments, user=None):
    return set_status(comments, Status.APPROVED, user)


def unapprove(comments, user=None):
    return set_status(comments, Status.PENDING, user)


def mark_spam(comments, user=None):
    return set_status(comments, Status.SPAM, user)


def trash(comments, user=None):
    return set_status(comments, Status.TRASH, user)


def delete(comments):
    """Delete comments (and, by cascade, their replies) for good; returns how many went."""
    with transaction.atomic():
        article_ids = list(comments.values_list("article_id", flat=True).distinct())
        deleted, _per_model = comments.delete()
        refresh_stats(article_ids)
    return deleted
