"""Every change of a comment's status: one function per change, used by views, admin, commands and importers.

Each runs in a transaction that also recounts the article's approved comments and
threads and publishes the new state of its comment list, so counts, moderation stamps
and cached pages are kept right in one place.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.utils import timezone

from . import notifications
from .models import Comment, CommentStats

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

Status = Comment.Status


def _publish(article_ids: Iterable[int]) -> None:
    """Stamp and publish the new state of these articles' comment lists (what readers see changed)."""
    CommentStats.objects.filter(article_id__in=article_ids).update(changed_at=timezone.now())
    for stats in CommentStats.objects.filter(article_id__in=article_ids):
        stats.publish()


def recount(article_ids: Iterable[int]) -> None:
    """Count every status and the approved threads again, in the caller's transaction.

    For changes whose effect is not known row by row (deletions with their replies,
    imports, bulk seeding); a status change adjusts the counts with shift() instead.
    """
    article_ids = sorted(set(article_ids))
    for article_id in article_ids:
        comments = Comment.objects.filter(article_id=article_id).order_by()
        counts = dict(comments.values_list("status").annotate(n=Count("pk")))
        threads = comments.approved().filter(parent=None).count()
        CommentStats.objects.update_or_create(
            article_id=article_id,
            defaults={CommentStats.count_field(status): counts.get(status, 0) for status in Status.values}
            | {"thread_count": threads},
        )
    _publish(article_ids)


def touch(article_ids: Iterable[int]) -> None:
    """What readers see changed without any status changing (an edited name or text)."""
    _publish(sorted(set(article_ids)))


def shift(moves: Iterable[tuple[int, str | None, str, bool]]) -> None:
    """Adjust the counts for comments that moved between statuses, in the caller's transaction.

    `moves` holds (article id, old status or None for a new comment, new status, is top level).
    """
    deltas: defaultdict[int, Counter[str]] = defaultdict(Counter)
    public: set[int] = set()
    for article_id, old, new, top_level in moves:
        if Status.APPROVED in (old, new):
            public.add(article_id)  # readers see approved comments only
        for status, step in ((old, -1), (new, +1)):
            if status is not None:
                deltas[article_id][CommentStats.count_field(status)] += step
                if status == Status.APPROVED and top_level:
                    deltas[article_id]["thread_count"] += step
    for article_id, delta in deltas.items():
        changes = {field: F(field) + step for field, step in delta.items() if step}
        if changes and not CommentStats.objects.filter(article_id=article_id).update(**changes):
            recount([article_id])  # the article's first comment: no counts to adjust yet
    _publish(sorted(public))


def set_status(comments: QuerySet[Comment], status: str, user: "AbstractBaseUser | None" = None) -> int:
    """Move comments to a status, stamping who did it; returns how many changed."""
    with transaction.atomic():
        changing = list(comments.exclude(status=status).values_list("pk", "article_id", "status", "parent_id"))
        changed = Comment.objects.filter(pk__in=[pk for pk, *_rest in changing]).update(
            status=status, moderated_by=user, moderated_at=timezone.now()
        )
        shift((article_id, old, status, parent_id is None) for _pk, article_id, old, parent_id in changing)
        if status == Status.APPROVED:
            notifications.comments_approved([pk for pk, *_rest in changing])
    return changed


def approve(comments: QuerySet[Comment], user: "AbstractBaseUser | None" = None) -> int:
    return set_status(comments, Status.APPROVED, user)


def unapprove(comments: QuerySet[Comment], user: "AbstractBaseUser | None" = None) -> int:
    return set_status(comments, Status.PENDING, user)


def mark_spam(comments: QuerySet[Comment], user: "AbstractBaseUser | None" = None) -> int:
    return set_status(comments, Status.SPAM, user)


def trash(comments: QuerySet[Comment], user: "AbstractBaseUser | None" = None) -> int:
    return set_status(comments, Status.TRASH, user)


def delete(comments: QuerySet[Comment]) -> int:
    """Delete comments (and, by cascade, their replies) for good; returns how many went."""
    with transaction.atomic():
        article_ids = list(comments.values_list("article_id", flat=True).distinct())
        deleted, _per_model = comments.delete()
        recount(article_ids)
    return deleted
