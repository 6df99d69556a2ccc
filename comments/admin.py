from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from articles.models import Article

from . import privacy, search, transitions
from .models import Comment, CommentStats, WordList

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices
    from django.contrib.admin.views.main import ChangeList
    from django_stubs_ext import StrOrPromise


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
        counts = self._counts(changelist)
        selected = self.value() or self.ALL
        for lookup, title in self.lookup_choices:
            count = sum(counts.values()) if lookup == self.ALL else counts.get(lookup, 0)
            yield {
                "selected": selected == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": f"{title} ({count})",
            }

    def _counts(self, changelist: "ChangeList") -> dict[str, int]:
        """Comments per status among those the search and the other filters select.

        Without a search or another filter than the article, the counts kept in
        CommentStats answer; otherwise one GROUP BY over the (few) selected comments.
        """
        if counted := kept_counts(self.request):
            return counted
        queryset, _duplicates = self.model_admin.get_search_results(
            self.request, self.model_admin.get_queryset(self.request), changelist.query
        )
        for spec in changelist.filter_specs:
            if spec is not self:
                # Django lets queryset() return None ("no filtering"): ours never do, but this loop would break.
                queryset = spec.queryset(self.request, queryset)  # type: ignore[assignment]
        return dict(queryset.order_by().values_list("status").annotate(count=Count("pk")))


def kept_counts(request: HttpRequest) -> dict[str, int] | None:
    """Comments per status from CommentStats, when nothing but the status and article filters is in use."""
    if set(request.GET) - {StatusFilter.parameter_name, ArticleFilter.parameter_name, PAGE_VAR}:
        return None
    stats = CommentStats.objects.all()
    article = request.GET.get(ArticleFilter.parameter_name, "")
    if article:
        if not (article.isascii() and article.isdigit()):
            return None
        stats = stats.filter(article_id=article)
    totals = stats.aggregate(**{status: Sum(CommentStats.count_field(status)) for status in Comment.Status.values})
    return {status: count or 0 for status, count in totals.items()}


class QueuePaginator(Paginator):
    """Pages of the queue without counting a million rows, and late pages without a long OFFSET.

    The count is given (from CommentStats) or, for a search or an author filter, counted
    over the selection. A page past the middle is read from the end, backwards.
    """

    object_list: QuerySet[Comment]  # what get_paginator gives it

    def __init__(
        self, object_list: QuerySet[Comment], per_page: int, known_count: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = known_count

    @cached_property
    def count(self) -> int:
        return self.known_count if self.known_count is not None else super().count

    def page(self, number: int | str) -> Page[Comment]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if bottom <= self.count // 2 or not self.object_list.ordered:
            return super().page(number)
        rows = list(self.object_list.reverse()[self.count - top : self.count - bottom])
        return self._get_page(rows[::-1], number, self)  # type: ignore[attr-defined]  # Django's, not in the stubs


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
    FIELDS = {"email": "author_email__iexact", "ip": "ip_address"}

    def lookups(self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]") -> list[tuple[str, "StrOrPromise"]]:
        # Reached by the links on a comment's page; shown in the sidebar only while in use.
        value = request.GET.get(self.parameter_name, "")
        kind, _colon, comment_id = value.partition(":")
        labels = {"email": _("Same email as comment %s"), "ip": _("Same IP address as comment %s")}
        return [(value, labels[kind] % comment_id)] if kind in labels else []

    def queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        kind, _colon, comment_id = (self.value() or "").partition(":")
        if kind not in self.FIELDS or not comment_id.isascii() or not comment_id.isdigit():
            return queryset
        value = Comment.objects.filter(pk=comment_id).values_list(self.FIELDS[kind].split("__")[0], flat=True).first()
        return queryset.filter(**{self.FIELDS[kind]: value}) if value else queryset.none()


def _transition(
    function: Callable[[QuerySet[Comment], Any], int], done: "StrOrPromise"
) -> Callable[["admin.ModelAdmin[Any]", HttpRequest, QuerySet[Comment]], None]:
    """An admin action that runs one moderation transition and says how many comments it moved."""

    def action(modeladmin: "admin.ModelAdmin[Any]", request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        changed = function(queryset, request.user)
        modeladmin.message_user(request, done % {"count": changed})

    return action


def _author_emails(comments: QuerySet[Comment]) -> list[str]:
    """The distinct addresses of the comments' authors: whose personal data an action is about."""
    return sorted({email for email in comments.values_list("author_email", flat=True) if email})


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "author_name",
        "rendered_body",
        "author_email",
        "author_url",
        "ip_address",
        "article",
        "in_reply_to",
        "status",
        "submitted_at",
        "view_on_site_link",
    ]
    list_display_links = ["author_name"]
    list_filter = [StatusFilter, ArticleFilter, SameAuthorFilter]
    list_select_related = ["article", "parent"]
    search_fields = ["author_name", "author_email", "body", "ip_address"]  # searched by comments.search
    search_help_text = _("Words of the name, email or text; or an exact email or IP address.")
    sortable_by = ["submitted_at"]  # the only order the queue's indexes serve (both ways)
    ordering = ["-submitted_at", "-pk"]
    show_facets = admin.ShowFacets.NEVER  # StatusFilter counts in one query of its own
    show_full_result_count = False  # a second COUNT over every row, for "x of y" only
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_per_page = 50
    readonly_fields = [
        "status",  # changed only through the actions, which keep counts, history and caches right
        "article",
        "parent",
        "rendered_body",
        "same_author",
        "submitted_at",
        "ip_address",
        "user_agent",
        "moderated_by",
        "moderated_at",
    ]
    fieldsets = [
        (None, {"fields": ["status", "article", "parent", "rendered_body"]}),
        (_("Author"), {"fields": ["author_name", "author_email", "author_url", "same_author"]}),
        (_("Text as typed"), {"fields": ["body"], "classes": ["collapse"]}),
        (_("Moderation"), {"fields": ["submitted_at", "ip_address", "user_agent", "moderated_by", "moderated_at"]}),
    ]
    actions = [
        "approve",
        "unapprove",
        "mark_spam",
        "trash",
        "delete_permanently",
        "export_personal_data",
        "erase_personal_data",
    ]

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: QuerySet[Comment],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> QueuePaginator:
        known = None
        if (counts := kept_counts(request)) is not None:
            status = request.GET.get(StatusFilter.parameter_name) or Comment.Status.PENDING
            known = sum(counts.values()) if status == StatusFilter.ALL else counts.get(status)
        return QueuePaginator(queryset, per_page, known, orphans=orphans, allow_empty_first_page=allow_empty_first_page)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Comment], search_term: str
    ) -> tuple[QuerySet[Comment], bool]:
        if not search_term.strip():
            return queryset, False
        return search.search(queryset, search_term), False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return super().changelist_view(request, {"title": _("Moderation queue"), **(extra_context or {})})

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("comments.moderate_comment")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # comments come from readers

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # replaced by delete_permanently, which keeps counts exact
        return actions

    @admin.display(description=_("comment (as published)"))
    def rendered_body(self, comment: Comment) -> str:
        return render_to_string("comments/_body.html", {"comment": comment})

    @admin.display(description=_("in reply to"), ordering="parent")
    def in_reply_to(self, comment: Comment) -> str:
        return comment.parent.author_name if comment.parent_id else "—"  # type: ignore[union-attr]

    @admin.display(description=_("on site"))
    def view_on_site_link(self, comment: Comment) -> str:
        if not comment.is_approved:
            return "—"
        return format_html('<a href="{}">{}</a>', comment.get_absolute_url(), _("View"))

    approve = admin.action(description=_("Approve"), permissions=["moderate"])(
        _transition(
            transitions.approve, ngettext_lazy("%(count)d comment approved.", "%(count)d comments approved.", "count")
        )
    )
    unapprove = admin.action(description=_("Unapprove"), permissions=["moderate"])(
        _transition(
            transitions.unapprove,
            ngettext_lazy("%(count)d comment unapproved.", "%(count)d comments unapproved.", "count"),
        )
    )
    mark_spam = admin.action(description=_("Mark as spam"), permissions=["moderate"])(
        _transition(
            transitions.mark_spam,
            ngettext_lazy("%(count)d comment marked as spam.", "%(count)d comments marked as spam.", "count"),
        )
    )
    trash = admin.action(description=_("Move to trash"), permissions=["moderate"])(
        _transition(
            transitions.trash,
            ngettext_lazy("%(count)d comment moved to trash.", "%(count)d comments moved to trash.", "count"),
        )
    )

    @admin.action(description=_("Delete permanently"), permissions=["delete"])
    def delete_permanently(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        deleted = transitions.delete(queryset)
        self.message_user(
            request, ngettext("%(count)d comment deleted.", "%(count)d comments deleted.", deleted) % {"count": deleted}
        )

    @admin.action(
        description=_("Export personal data of the selected comments' authors (JSON)"), permissions=["moderate"]
    )
    def export_personal_data(self, request: HttpRequest, queryset: QuerySet[Comment]) -> JsonResponse:
        emails = _author_emails(queryset)
        response = JsonResponse(privacy.export_personal_data(emails), safe=False, json_dumps_params={"indent": 2})
        response["Content-Disposition"] = 'attachment; filename="comments-personal-data.json"'
        return response

    @admin.action(description=_("Erase personal data of the selected comments' authors"), permissions=["moderate"])
    def erase_personal_data(self, request: HttpRequest, queryset: QuerySet[Comment]) -> TemplateResponse | None:
        emails = _author_emails(queryset)
        if request.POST.get("confirm") == "yes":
            erased = privacy.erase_personal_data(emails)
            message = ngettext("Anonymised %(count)d comment.", "Anonymised %(count)d comments.", len(erased))
            self.message_user(request, message % {"count": len(erased)})
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase personal data"),
            "emails": emails,
            "comments": privacy.comments_by(emails),
            "selected": queryset.values_list("pk", flat=True),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/comments/comment/erase_personal_data.html", context)

    @admin.display(description=_("same author"))
    def same_author(self, comment: Comment) -> str:
        """How many other comments share this email or IP, with links to them (by this comment's id)."""
        queue = reverse("admin:comments_comment_changelist")
        parts = []
        for kind, field, value, label in [
            ("email", "author_email__iexact", comment.author_email, _("email")),
            ("ip", "ip_address", comment.ip_address, _("IP address")),
        ]:
            if not value:
                continue
            others = Comment.objects.filter(**{field: value}).exclude(pk=comment.pk).count()
            query = {"status": StatusFilter.ALL, SameAuthorFilter.parameter_name: f"{kind}:{comment.pk}"}
            url = f"{queue}?{urlencode(query)}"
            parts.append(format_html('<a href="{}">{} other comments with this {}</a>', url, others, label))
        return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts)) or "—"

    def response_action(self, request: HttpRequest, queryset: QuerySet[Comment]) -> HttpResponse | None:
        """Django's, but a selection that names no comment (`_selected_action=None`) is a message, not a 500."""
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if not all(pk.isascii() and pk.isdigit() for pk in selected):
            self.message_user(request, _("No comments were selected."), messages.WARNING)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    # The change page's buttons: the same transitions as the actions of the queue.
    TRANSITIONS = ("approve", "unapprove", "mark_spam", "trash")

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = (extra_context or {}) | {
            "transitions": [(name, getattr(self, name).short_description) for name in self.TRANSITIONS]
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request: HttpRequest, obj: Comment) -> HttpResponse:
        name = request.POST.get("_transition")
        if name in self.TRANSITIONS and self.has_moderate_permission(request):
            return getattr(self, name)(request, Comment.objects.filter(pk=obj.pk)) or HttpResponseRedirect(
                reverse("admin:comments_comment_changelist")
            )
        return super().response_change(request, obj)

    def save_model(self, request: HttpRequest, obj: Comment, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        transitions.touch([obj.article_id])  # an edited name or text changes the cached page

    def delete_model(self, request: HttpRequest, obj: Comment) -> None:
        transitions.delete(Comment.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        transitions.delete(queryset)


@admin.register(WordList)
class WordListAdmin(admin.ModelAdmin):
    list_display = ["__str__", "entry_count"]
    fields = ["kind", "words"]
    readonly_fields = ["kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # exactly the two lists the migration creates

    def has_delete_permission(self, request: HttpRequest, obj: WordList | None = None) -> bool:
        return False

    @admin.display(description=_("entries"))
    def entry_count(self, wordlist: WordList) -> int:
        return len(wordlist.entries())
