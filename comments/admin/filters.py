"""The queue's filters, and the counts per status that the status filter shows."""

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import build_q_object_from_lookup_parameters
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from articles.models import Article

from ..models import Comment, CommentStats, Reason

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices
    from django.contrib.admin.views.main import ChangeList
    from django_stubs_ext import StrOrPromise


def once(request: HttpRequest) -> dict[str, Any]:
    """What one request of the queue reads once and uses twice: the changelist, then its filters and panel."""
    memo: dict[str, Any] = request.__dict__.setdefault("_comments_queue", {})
    return memo


def named_comment(request: HttpRequest, pk: str) -> Comment | None:
    """The comment that "same author as comment N" names (the filter and the author panel both read it)."""
    comments = once(request).setdefault("named", {})
    if pk not in comments:
        comments[pk] = Comment.objects.filter(pk=pk).first()
    found: Comment | None = comments[pk]
    return found


class StatusFilter(admin.SimpleListFilter):
    """Opens on the queue (pending); every other status, and all, one click away, each with its count.

    The counts follow the search and the other filters, so a search shows where its hits
    are; they come from one GROUP BY query (Django's own facets run a query per filter).
    """

    title = _("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]") -> list[tuple[str, "StrOrPromise"]]:
        self.request, self.model_admin = request, model_admin
        return [(self.ALL, _("All")), *Comment.Status.choices]

    def value(self) -> str | None:
        # Opens on the pending comments; a search looks through every status.
        value = super().value() or (self.ALL if self.request.GET.get(SEARCH_VAR) else Comment.Status.PENDING)
        return None if value == self.ALL else value

    def queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        return queryset.filter(status=self.value()) if self.value() else queryset

    def choices(self, changelist: "ChangeList") -> Iterator["_ListFilterChoices"]:
        counts = self.counts(changelist)
        selected = self.value() or self.ALL
        for lookup, title in self.lookup_choices:
            count = sum(counts.values()) if lookup == self.ALL else counts.get(lookup, 0)
            yield {
                "selected": selected == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": f"{title} ({count})",
            }

    def counts(self, changelist: "ChangeList") -> dict[str, int]:
        """Comments per status among those the search and the other filters select (read once a request).

        Without a search or another filter than the article, the counts kept in
        CommentStats answer; otherwise one GROUP BY over the (few) selected comments.
        """
        memo = once(self.request)
        if "counts" not in memo:
            memo["counts"] = self._counts(changelist)
        counts: dict[str, int] = memo["counts"]
        return counts

    def selected_count(self, changelist: "ChangeList") -> int:
        """How many comments the page's status, search and filters select: the paginator's count."""
        counts = self.counts(changelist)
        return sum(counts.values()) if self.value() is None else counts.get(self.value() or "", 0)

    def _counts(self, changelist: "ChangeList") -> dict[str, int]:
        if counted := kept_counts(self.request):
            return counted
        queryset, _duplicates = self.model_admin.get_search_results(
            self.request, self.model_admin.get_queryset(self.request), changelist.query
        )
        for spec in changelist.filter_specs:
            if spec is not self:
                # Django lets queryset() return None ("no filtering"): ours never do, but this loop would break.
                queryset = spec.queryset(self.request, queryset)  # type: ignore[assignment]
        # Field lookups in the URL besides the filters (QueueChangeList), which may join rows more than once.
        if lookups := getattr(changelist, "other_lookups", {}):
            queryset = queryset.filter(build_q_object_from_lookup_parameters(lookups))
        return dict(queryset.order_by().values_list("status").annotate(count=Count("pk", distinct=bool(lookups))))


def kept_counts(request: HttpRequest) -> dict[str, int] | None:
    """Comments per status from CommentStats, when nothing but the status and article filters is in use."""
    if set(request.GET) - {StatusFilter.parameter_name, ArticleFilter.parameter_name, PAGE_VAR}:
        return None
    article = request.GET.get(ArticleFilter.parameter_name, "")
    if article and not (article.isascii() and article.isdigit()):
        return None
    return CommentStats.totals(int(article) if article else None)


class ArticleFilter(admin.SimpleListFilter):
    title = _("article")
    parameter_name = "article"

    def lookups(self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]") -> list[tuple[str, "StrOrPromise"]]:
        return [(str(pk), title) for pk, title in Article.objects.values_list("pk", "title")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        value = self.value()
        # A string of digits is a valid id; django-stubs' lookup check wants an int.
        return queryset.filter(article=value) if value and value.isascii() and value.isdigit() else queryset  # type: ignore[misc]


class SameAuthorFilter(admin.SimpleListFilter):
    """Comments sharing an email or an IP address with one comment, named by that comment's id.

    The links on a comment's page use it, so no URL (and no access log) ever holds an email.
    """

    title = _("same author")
    parameter_name = "same_author_as"
    FIELDS = {"email": "author_email_key", "ip": "ip_address", "network": "ip_network"}

    def lookups(self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]") -> list[tuple[str, "StrOrPromise"]]:
        # Reached by the links on a comment's page; shown in the sidebar only while in use, to moderators.
        value = request.GET.get(self.parameter_name, "")
        if not request.user.has_perm("comments.moderate_comment"):
            return []
        kind, _colon, comment_id = value.partition(":")
        labels = {
            "email": _("Same email as comment %s"),
            "ip": _("Same IP address as comment %s"),
            "network": _("Same IP network as comment %s"),
        }
        return [(value, labels[kind] % comment_id)] if kind in labels else []

    def queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        kind, _colon, comment_id = (self.value() or "").partition(":")
        if not request.user.has_perm("comments.moderate_comment"):
            return queryset  # an author's record is for moderators only
        if kind not in self.FIELDS or not comment_id.isascii() or not comment_id.isdigit():
            return queryset
        comment = named_comment(request, comment_id)
        value = getattr(comment, self.FIELDS[kind]) if comment else None
        return queryset.filter(**{self.FIELDS[kind]: value}) if value else queryset.none()


class ReasonFilter(admin.SimpleListFilter):
    """The rule that decided a comment's first status (comments.models.Reason)."""

    title = _("decided by")
    parameter_name = "held_for"

    def lookups(self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]") -> list[tuple[str, "StrOrPromise"]]:
        return list(Reason.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        value = self.value()
        return queryset.filter(held_for=value) if value in Reason.values else queryset
