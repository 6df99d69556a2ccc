"""Comments as a page of threads: one query for the page, whatever the article's size."""

from dataclasses import dataclass, field
from math import ceil

from django.conf import settings
from django.db.models import Count, Q, Subquery
from django.http import Http404

from .models import Comment


@dataclass
class ThreadPage:
    number: int
    page_count: int
    threads: list = field(default_factory=list)

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.page_count

    @property
    def previous_number(self):
        return self.number - 1

    @property
    def next_number(self):
        return self.number + 1

    @property
    def is_default(self):
        return self.number == default_page(self.page_count)


def default_page(page_count):
    """Which page the article shows without ?cpage: the newest, as WordPress does, or the oldest."""
    return page_count if settings.COMMENTS_NEWEST_PAGE_FIRST else 1


def _top_level(article, own_ids):
    return Comment.objects.for_article(article).visible_to(own_ids).filter(parent=None).order_by("submitted_at", "pk")


def thread_page(article, approved_thread_count, own_ids=(), number=None):
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


def _threads_of(thread_ids, own_ids):
    """Every visible comment of the given threads, in one query (index comment_thread_status).

    Not `pk IN … OR thread IN …`: PostgreSQL cannot use an index for that OR and
    scans the whole table.
    """
    return Comment.objects.visible_to(own_ids).filter(thread__in=thread_ids).order_by("submitted_at", "pk")


def _as_trees(comments):
    """Attach each comment to its parent; replies whose parent is not shown are left out."""
    by_id = {comment.pk: comment for comment in comments}
    roots = []
    for comment in comments:
        comment.children = []
    for comment in comments:
        if comment.parent_id is None:
            roots.append(comment)
        elif comment.parent_id in by_id:
            by_id[comment.parent_id].children.append(comment)
    return roots


def page_number_of(comment, own_ids=()):
    """The comment page on which `comment`'s thread is shown, or None for the default page (one query)."""
    root_id = comment.thread_id
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
