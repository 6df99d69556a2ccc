"""Comments as a page of threads: one query for the page, whatever the article's size."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from math import ceil
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Subquery
from django.http import Http404

from .models import Comment, CommentQuerySet

if TYPE_CHECKING:
    from articles.models import Article


@dataclass
class ThreadPage:
    number: int
    page_count: int
    threads: list = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.page_count

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def is_default(self) -> bool:
        return self.number == default_page(self.page_count)


def default_page(page_count: int) -> int:
    """Which page the article shows without ?cpage: the newest, as WordPress does, or the oldest."""
    return page_count if settings.COMMENTS_NEWEST_PAGE_FIRST else 1


def _top_level(article: "Article", own_ids: Sequence[int]) -> CommentQuerySet:
    return Comment.objects.for_article(article).visible_to(own_ids).filter(parent=None).order_by("submitted_at", "pk")


def thread_page(
    article: "Article", approved_thread_count: int, own_ids: Sequence[int] = (), number: int | None = None
) -> ThreadPage:
    """The page of top-level threads numbered `number` (None: the default page), fully loaded.

    Anonymous readers cost one query: the thread count is kept in CommentStats, and a
    page near the end (the default one) is read backwards so no large OFFSET is scanned.
    """
    top_level = _top_level(article, own_ids)
    thread_count = top_level.count() if own_ids else approved_thread_count
    per_page = settings.COMMENTS_PER_PAGE
    page_count = max(1, ceil(thread_count / per_page))
    if number is None:
        number = default_page(page_count)
    elif not 1 <= number <= page_count:
        raise Http404("No such comment page.")
    start, end = (number - 1) * per_page, min(number * per_page, thread_count)
    if start <= thread_count - end:
        thread_ids = top_level.values("pk")[start:end]
    else:
        thread_ids = top_level.reverse().values("pk")[thread_count - end : thread_count - start]
    comments = list(_threads_of(thread_ids, own_ids))
    return ThreadPage(number=number, page_count=page_count, threads=_as_trees(comments))


def _threads_of(thread_ids: QuerySet[Comment, Any], own_ids: Sequence[int]) -> CommentQuerySet:
    """Every visible comment of the given threads, in one query (index comment_thread_status).

    Not `pk IN … OR thread IN …`: PostgreSQL cannot use an index for that OR and
    scans the whole table.
    """
    return Comment.objects.visible_to(own_ids).filter(thread__in=thread_ids).order_by("submitted_at", "pk")


def _as_trees(comments: list[Comment]) -> list[Comment]:
    """Attach each comment to its parent; replies whose parent is not shown are left out."""
    by_id = {comment.pk: comment for comment in comments}
    roots = []
    for comment in comments:
        comment.children = []  # type: ignore[attr-defined]  # read by the templates
    for comment in comments:
        if comment.parent_id is None:
            roots.append(comment)
        elif comment.parent_id in by_id:
            by_id[comment.parent_id].children.append(comment)  # type: ignore[attr-defined]
    return roots


def page_number_of(comment: Comment, own_ids: Sequence[int] = ()) -> int | None:
    """The comment page on which `comment`'s thread is shown, or None for the default page (one query)."""
    root_id = cast(int, comment.thread_id)  # set by the comment's first save
    root_time = Subquery(Comment.objects.filter(pk=root_id).values("submitted_at"))
    counts = _top_level(comment.article, own_ids).aggregate(
        listed=Count("pk", filter=Q(pk=root_id)),
        before=Count("pk", filter=Q(submitted_at__lt=root_time) | Q(submitted_at=root_time, pk__lt=root_id)),
        total=Count("pk"),
    )
    if not counts["listed"]:
        return None
    per_page = settings.COMMENTS_PER_PAGE
    number = counts["before"] // per_page + 1
    return None if number == default_page(max(1, ceil(counts["total"] / per_page))) else number
