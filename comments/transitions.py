"""Every change of a comment's status: one function per change, used by views, admin, commands and importers.

Each runs in a transaction that also recounts the article's approved comments and
threads and publishes the new state of its comment list, so counts, moderation stamps
and cached pages are kept right in one place.
"""

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import akismet, notifications, spam
from .models import Comment, CommentStats, ModerationEvent, Rejection, Report

Status = Comment.Status
# Who made a change: a user (request.user in the admin), or None for a rule or an import.
Actor = Any


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


def record_new(comment: Comment, batch: uuid.UUID | None = None, user: Actor = None) -> None:
    """Count a comment just stored and record its first status, decided by a rule, an import or a moderator."""
    shift([(comment.article_id, None, comment.status, comment.parent_id is None)])
    ModerationEvent.objects.create(
        comment_id=comment.pk,
        article_id=comment.article_id,
        to_status=comment.status,
        rule=comment.held_for,
        user=user,
        batch=batch or uuid.uuid4(),
    )
    if comment.status == Status.APPROVED:
        notifications.comments_approved([comment.pk])


def set_status(
    comments: QuerySet[Comment],
    status: str,
    user: Actor = None,
    *,
    reason: str = "",
    note: str = "",
    rule: str = "",
    batch: uuid.UUID | None = None,
) -> int:
    """Move comments to a status, stamping who did it and recording each move; returns how many moved.

    Every move appends a ModerationEvent; the moves of one call share `batch` (given, or
    new), which undo() restores. `rule` (a Reason) names the automatic check that moved them.
    """
    return _move(comments, _always(status), user, reason=reason, note=note, rule=rule, batch=batch or uuid.uuid4())


def _always(status: str) -> Callable[[str], str]:
    return lambda _old: status


def _move(
    comments: QuerySet[Comment],
    target: Callable[[str], str | None],
    user: Actor,
    *,
    reason: str = "",
    note: str = "",
    rule: str = "",
    batch: uuid.UUID,
    undoes: uuid.UUID | None = None,
) -> int:
    """Move each comment to target(its status) (None: leave it), in one transaction.

    A decision (not a rule's move) also decides the open reports of the comments it moves.
    """
    with transaction.atomic():
        rows = comments.select_for_update().values_list("pk", "article_id", "status", "parent_id")
        moves = [
            (pk, article, old, parent, new)
            for pk, article, old, parent in rows
            if (new := target(old)) not in (None, old)
        ]
        now = timezone.now()
        for new in {move[4] for move in moves}:
            Comment.objects.filter(pk__in=[pk for pk, *_rest, to in moves if to == new]).update(
                status=new, moderated_by=user, moderated_at=now
            )
        ModerationEvent.objects.bulk_create(
            ModerationEvent(
                comment_id=pk, article_id=article, from_status=old, to_status=new, user=user,
                rule=rule, reason=reason, note=note, at=now, batch=batch, undoes=undoes,
            )
            for pk, article, old, _parent, new in moves
        )  # fmt: skip
        shift((article, old, new, parent is None) for _pk, article, old, parent, new in moves)
        if user is not None:  # a moderator's decision: an example for the spam classifier
            spam.label_moves(((pk, old, new) for pk, _article, old, _parent, new in moves), reason, undo=bool(undoes))
        approved = [pk for pk, _article, _old, _parent, new in moves if new == Status.APPROVED]
        notifications.comments_approved(approved)
        akismet.comments_moved(((pk, old, new) for pk, _article, old, _parent, new in moves), user, reason)
        if not rule:
            _decide_reports(moves, user, reason, batch)
    return len(moves)


# What a decision on a reported comment means for its reporters.
REPORT_OUTCOMES = {
    Status.APPROVED: Report.Outcome.KEPT,
    Status.PENDING: Report.Outcome.HIDDEN,
    Status.SPAM: Report.Outcome.REMOVED,
    Status.TRASH: Report.Outcome.REMOVED,
}


def _decide_reports(
    moves: Sequence[tuple[int, int, str, int | None, str]], user: Actor, reason: str, batch: uuid.UUID
) -> None:
    """Close the open reports of moved comments with the decision (undo() reopens them), and tell the reporters."""
    for new in {move[4] for move in moves}:
        pks = [pk for pk, *_rest, to in moves if to == new]
        outcome = REPORT_OUTCOMES[Status(new)]
        decided = Report.objects.open().filter(comment_id__in=pks).decide(outcome, user, reason, batch)
        notifications.reports_decided(decided)


def approve(comments: QuerySet[Comment], user: Actor = None, **options: Any) -> int:
    return set_status(comments, Status.APPROVED, user, **options)


def unapprove(comments: QuerySet[Comment], user: Actor = None, **options: Any) -> int:
    return set_status(comments, Status.PENDING, user, **options)


def mark_spam(comments: QuerySet[Comment], user: Actor = None, **options: Any) -> int:
    """Spam, with a reason (Rejection; spam unless told otherwise) and an optional note."""
    options.setdefault("reason", Rejection.SPAM)
    return set_status(comments, Status.SPAM, user, **options)


def not_spam(comments: QuerySet[Comment], user: Actor = None, **options: Any) -> int:
    """Spam back to the queue (pending): with a moderator, the classifier learns from it first of all."""
    return set_status(comments.filter(status=Status.SPAM), Status.PENDING, user, **options)


def trash(comments: QuerySet[Comment], user: Actor = None, **options: Any) -> int:
    """Trash, with a reason (Rejection; spam unless told otherwise) and an optional note."""
    options.setdefault("reason", Rejection.SPAM)
    return set_status(comments, Status.TRASH, user, **options)


def restore(comments: QuerySet[Comment], user: Actor = None, **options: Any) -> int:
    """Take trashed comments out of the trash, back to the status they had before it (pending if unknown)."""
    comments = comments.filter(status=Status.TRASH)
    before: dict[int, str] = {}
    for event in ModerationEvent.objects.filter(comment_id__in=comments.values("pk"), to_status=Status.TRASH):
        before.setdefault(event.comment_id, event.from_status)  # newest first: the last move into the trash
    targets = {pk: before.get(pk) or Status.PENDING for pk in comments.values_list("pk", flat=True)}
    return _move_each(comments, targets, user, batch=options.get("batch") or uuid.uuid4())


def _move_each(
    comments: QuerySet[Comment],
    targets: dict[int, str],
    user: Actor,
    *,
    batch: uuid.UUID,
    undoes: uuid.UUID | None = None,
) -> int:
    """Move each comment to its own target status, as one recorded action."""
    moved = 0
    for status in set(targets.values()):
        chosen = comments.filter(pk__in=[pk for pk, target in targets.items() if target == status])
        moved += _move(chosen, _always(status), user, batch=batch, undoes=undoes)
    return moved


class UndoRefused(Exception):
    """An undo that cannot be done as asked; the message says why."""


def undo(batch: uuid.UUID, user: Actor = None) -> int:
    """Put every comment of one action back where it was, in one transaction; returns how many moved.

    Refused when the action is too old (COMMENTS_UNDO_SECONDS), was already undone, or a
    comment has changed since (undoing would lose that later decision).
    """
    with transaction.atomic():
        events = list(ModerationEvent.objects.select_for_update().filter(batch=batch))
        if not events:
            raise UndoRefused(_("There is no such action to undo."))
        if timezone.now() - events[0].at > timedelta(seconds=settings.COMMENTS_UNDO_SECONDS):
            raise UndoRefused(_("This action is too old to undo."))
        if ModerationEvent.objects.filter(undoes=batch).exists():
            raise UndoRefused(_("This action has already been undone."))
        current = dict(Comment.objects.filter(pk__in=[e.comment_id for e in events]).values_list("pk", "status"))
        if any(current.get(event.comment_id) != event.to_status for event in events):
            raise UndoRefused(_("A comment of this action has changed since; nothing was undone."))
        targets = {event.comment_id: event.from_status for event in events}
        moved = _move_each(Comment.objects.filter(pk__in=targets), targets, user, batch=uuid.uuid4(), undoes=batch)
        Report.objects.reopen_undone(batch)  # the decision is gone: its reports wait for another
        return moved


def delete(comments: QuerySet[Comment]) -> int:
    """Delete comments (and, by cascade, their replies) for good; returns how many went."""
    with transaction.atomic():
        article_ids = list(comments.values_list("article_id", flat=True).distinct())
        taught = comments.exclude(spam_label="").exists()
        deleted, _per_model = comments.delete()
        recount(article_ids)
        if taught:  # the spam classifier learnt from some of them: it learns again without them
            spam.request_training()
    return deleted
