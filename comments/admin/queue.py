"""The moderation queue: one decision per keystroke, every decision explained, recorded and undoable.

Every decision goes through comments.transitions, whether it comes from an action of the
changelist, a button of the change page or a keystroke (a fetch to `decide/`), so counts,
history, notifications and cached pages stay right in one place.
"""

import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, ActionForm
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from .. import authors, privacy, search, transitions
from ..models import SPAM_ORDER, Comment, CommentStats, ModerationEvent, Reason, Rejection, Report
from ..normalize import email_key
from ..sanitize import sanitize_comment, shows_nothing
from . import cells
from .filters import ArticleFilter, ReasonFilter, SameAuthorFilter, StatusFilter, named_comment, once

Status = Comment.Status

# name → (transition, message) for the actions, the change page's buttons and the keys.
DECISIONS: dict[str, tuple[Callable[..., int], Any]] = {
    "approve": (
        transitions.approve,
        ngettext_lazy("%(count)d comment approved.", "%(count)d comments approved.", "count"),
    ),
    "unapprove": (
        transitions.unapprove,
        ngettext_lazy("%(count)d comment unapproved.", "%(count)d comments unapproved.", "count"),
    ),
    "mark_spam": (
        transitions.mark_spam,
        ngettext_lazy("%(count)d comment marked as spam.", "%(count)d comments marked as spam.", "count"),
    ),
    "not_spam": (
        transitions.not_spam,
        ngettext_lazy(
            "%(count)d comment is not spam: back in the queue.",
            "%(count)d comments are not spam: back in the queue.",
            "count",
        ),
    ),
    "trash": (
        transitions.trash,
        ngettext_lazy("%(count)d comment moved to trash.", "%(count)d comments moved to trash.", "count"),
    ),
    "restore": (
        transitions.restore,
        ngettext_lazy("%(count)d comment restored.", "%(count)d comments restored.", "count"),
    ),
}
REJECTIONS = {"mark_spam", "trash"}  # decisions that take a reason and a note


class DecisionForm(ActionForm):
    """The action menu, with the reason and note that "Mark as spam" and "Move to trash" record."""

    reason = forms.ChoiceField(label=_("Reason"), choices=Rejection.choices, required=False, initial=Rejection.SPAM)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


def decide(name: str, request: HttpRequest, queryset: QuerySet[Comment]) -> tuple[int, uuid.UUID]:
    """Run one decision on the comments as the request's user; returns how many moved, and the action's id."""
    transition, _message = DECISIONS[name]
    batch = uuid.uuid4()
    options: dict[str, Any] = {"batch": batch}
    if name in REJECTIONS:
        reason = request.POST.get("reason", "")
        options |= {"reason": reason if reason in Rejection.values else Rejection.SPAM}
        options |= {"note": request.POST.get("note", "")[:500]}
    return transition(queryset, request.user, **options), batch


def _action(name: str, description: Any) -> Callable[..., None]:
    """A changelist action for one decision, answering with what it did and an Undo button."""

    def action(modeladmin: "CommentAdmin", request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        moved, batch = decide(name, request, queryset)
        modeladmin.message_user(request, modeladmin.undoable(request, DECISIONS[name][1] % {"count": moved}, batch))

    action.__name__ = name
    return admin.action(description=description, permissions=["moderate"])(action)


def _author_emails(comments: QuerySet[Comment]) -> list[str]:
    """The distinct addresses of the comments' authors: whose personal data an action is about."""
    return sorted({email for email in comments.values_list("author_email", flat=True) if email})


class QueuePaginator(Paginator):
    """Pages of the queue without counting a million rows, and late pages without a long OFFSET.

    The count is given (the status filter's, from CommentStats or one GROUP BY over the
    selection) or, when the URL holds other field lookups, counted by Django. A page past
    the middle is read from the end, backwards.
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


class QueueChangeList(ChangeList):
    """The changelist, plus each row's author record (approved and spam counts) in one query for the page."""

    other_lookups: dict[str, Any]  # field lookups in the URL besides the filters (?author_name=…)

    def get_filters(self, request: HttpRequest) -> Any:
        found = super().get_filters(request)
        self.other_lookups = found[2]  # (filter specs, has filters, remaining lookup parameters, …)
        return found

    def get_results(self, request: HttpRequest) -> None:
        # The paginator's count is among the counts per status that the status filter shows: one query for
        # both. A lookup of its own in the URL may join rows more than once: then Django counts (distinct).
        if not self.other_lookups:
            (status,) = (spec for spec in self.filter_specs if isinstance(spec, StatusFilter))
            once(request)["count"] = status.selected_count(self)
        super().get_results(request)
        keys = {comment.author_email_key for comment in self.result_list if comment.author_email_key}
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        rows = (
            Comment.objects.filter(author_email_key__in=keys)
            .order_by()
            .values_list("author_email_key", "status")
            .annotate(n=Count("pk"))
        )
        for key, status, n in rows:
            counts[key][status] = n
        for comment in self.result_list:
            comment.author_record = counts.get(comment.author_email_key, {})


class CommentCells:
    """The comment and its status as the queue's columns show them (the queue, the Reported view).

    The cells come from comments.admin.cells (format_html, not a template each: 50 rows a page).
    """

    @admin.display(description=_("comment"))
    def comment_cell(self, comment: Comment) -> SafeString:
        return cells.comment_cell(comment)

    @admin.display(description=_("status"))
    def status_cell(self, comment: Comment) -> SafeString:
        return cells.status_cell(comment)

    def action_checkbox(self, obj: Comment) -> SafeString:
        return cells.checkbox(obj)


@admin.register(Comment)
class CommentAdmin(CommentCells, admin.ModelAdmin[Comment]):
    list_display = ["comment_cell", "author_cell", "status_cell", "spam_cell", "submitted_at"]
    list_display_links = None
    list_filter = [StatusFilter, ReasonFilter, ArticleFilter, SameAuthorFilter]
    list_select_related = ["article", "parent"]
    search_fields = ["author_name", "author_email", "body", "ip_address"]  # searched by comments.search
    sortable_by = ["submitted_at", "spam_cell"]  # the orders the queue's indexes serve (both ways)
    ordering = ["-submitted_at", "-pk"]
    show_facets = admin.ShowFacets.NEVER  # StatusFilter counts in one query of its own
    show_full_result_count = False  # a second COUNT over every row, for "x of y" only
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_per_page = 50
    action_form = DecisionForm
    readonly_fields = [
        "status",  # changed only through the decisions, which keep counts, history and caches right
        "article_link",
        "thread_context",
        "rendered_body",
        "why",
        "spam_cell",
        "same_author",
        "submitted_at",
        "ip_address",
        "user_agent",
        "moderated_by",
        "moderated_at",
        "history",
        "reader_reports",
    ]
    fieldsets = [
        (None, {"fields": ["status", "why", "spam_cell", "article_link", "rendered_body", "thread_context"]}),
        (_("Author"), {"fields": ["author_name", "author_email", "author_url", "same_author"]}),
        (_("Text as typed"), {"fields": ["body"], "classes": ["collapse"]}),
        (_("Moderation"), {"fields": ["submitted_at", "ip_address", "user_agent", "moderated_by", "moderated_at"]}),
        (_("History"), {"fields": ["history"]}),
        (_("Reader reports"), {"fields": ["reader_reports"]}),
    ]
    actions = [
        "approve",
        "unapprove",
        "mark_spam",
        "not_spam",
        "trash",
        "restore",
        "delete_selected",
        "export_personal_data",
        "erase_personal_data",
    ]

    class Media:
        css = {"all": ["comments/admin/queue.css"]}
        js = ["comments/admin/queue.js"]

    approve = _action("approve", _("Approve"))
    unapprove = _action("unapprove", _("Unapprove"))
    mark_spam = _action("mark_spam", _("Mark as spam"))
    not_spam = _action("not_spam", _("Not spam"))
    trash = _action("trash", _("Move to trash"))
    restore = _action("restore", _("Restore from trash"))

    # ---- the changelist

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return QueueChangeList

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: QuerySet[Comment],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> QueuePaginator:
        known = once(request).get("count")  # QueueChangeList.get_results counted the selection
        return QueuePaginator(queryset, per_page, known, orphans=orphans, allow_empty_first_page=allow_empty_first_page)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Comment], search_term: str
    ) -> tuple[QuerySet[Comment], bool]:
        if not search_term.strip():
            return queryset, False
        # The rows and the status filter's counts both search: the full-text index is read once a request.
        return search.search(queryset, search_term, once(request).setdefault("search", {})), False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied  # before the email search, which would tell whether an address commented
        if redirect := self._address_search(request):
            return redirect
        context = {
            "title": _("Moderation queue"),
            "author_panel": self._author_panel_of_filter(request),
            "decide_url": reverse("admin:comments_comment_decide", args=[0]),
            "reply_url": reverse("admin:comments_comment_reply", args=[0]),
            # The `o` value that sorts by the spam score, highest first (the column's index).
            "spam_order": str(["action_checkbox", *self.list_display].index("spam_cell")),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def _author_panel_of_filter(self, request: HttpRequest) -> SafeString | None:
        """The queue filtered to one author ("same email as comment N") opens with that author's panel."""
        kind, _colon, pk = request.GET.get(SameAuthorFilter.parameter_name, "").partition(":")
        if kind != "email" or not (pk.isascii() and pk.isdigit()) or not self.has_moderate_permission(request):
            return None
        comment = named_comment(request, pk)
        return self.author_panel(comment, request) if comment and comment.author_email_key else None

    def _address_search(self, request: HttpRequest) -> HttpResponse | None:
        """A search for an email becomes "the same author as comment N", so no link of the page holds the address."""
        term = request.GET.get("q", "").strip()
        if "@" not in term or " " in term:
            return None
        newest = Comment.objects.filter(author_email_key=email_key(term)).order_by("-pk").values_list("pk", flat=True)
        found = newest.first()
        query = {"status": StatusFilter.ALL, SameAuthorFilter.parameter_name: f"email:{found or 0}"}
        if found is None:
            self.message_user(request, _("No comment has this email address."), messages.INFO)
        return HttpResponseRedirect(f"{request.path}?{urlencode(query)}")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        status = request.GET.get(StatusFilter.parameter_name) or Status.PENDING
        if status == Status.PENDING and not request.GET.get("q"):
            actions.pop("delete_selected", None)  # never one click away from "Move to trash" in the queue
        if status not in (Status.TRASH, StatusFilter.ALL):
            actions.pop("restore", None)
        if status not in (Status.SPAM, StatusFilter.ALL):
            actions.pop("not_spam", None)
        return actions

    @admin.display(description=_("author"))
    def author_cell(self, comment: Comment) -> SafeString:
        return cells.author_cell(comment, getattr(comment, "author_record", {}))

    @admin.display(description=_("spam score"), ordering=SPAM_ORDER)  # highest first, unscored last
    def spam_cell(self, comment: Comment) -> SafeString:
        return cells.spam_cell(comment)

    # ---- decisions, undo and preview

    def get_urls(self) -> list[URLPattern]:
        views = [
            path("<int:pk>/decide/", self.admin_site.admin_view(self.decide_view), name="comments_comment_decide"),
            path("undo/<uuid:batch>/", self.admin_site.admin_view(self.undo_view), name="comments_comment_undo"),
            path("<int:pk>/preview/", self.admin_site.admin_view(self.preview_view), name="comments_comment_preview"),
            path("<int:pk>/reply/", self.admin_site.admin_view(self.reply_view), name="comments_comment_reply"),
            path("<int:pk>/author/", self.admin_site.admin_view(self.author_view), name="comments_comment_author"),
        ]
        return views + super().get_urls()

    def undoable(self, request: HttpRequest, message: str, batch: uuid.UUID) -> SafeString:
        """A message with an Undo button that restores exactly what this action changed."""
        return format_html(
            '{} <form method="post" action="{}" class="undo-form">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button type="submit" class="undo-button">{}</button></form>',
            message,
            reverse("admin:comments_comment_undo", args=[batch]),
            get_token(request),
            _("Undo"),
        )

    def decide_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        """One decision on one row, from the keyboard: JSON with the row's new status and the queue's counts."""
        if request.method != "POST":
            return JsonResponse({"error": "POST only"}, status=405)
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        name = request.POST.get("decision", "")
        if name not in DECISIONS:
            return JsonResponse({"error": _("Unknown decision.")}, status=400)
        comment = get_object_or_404(Comment, pk=pk)
        moved, batch = decide(name, request, Comment.objects.filter(pk=comment.pk))
        comment.refresh_from_db(fields=["status"])
        counts = CommentStats.totals()
        return JsonResponse(
            {
                "status": comment.status,
                "status_label": str(comment.get_status_display()),
                "message": str(DECISIONS[name][1] % {"count": moved}),
                "undo_url": reverse("admin:comments_comment_undo", args=[batch]),
                "counts": counts,
            }
        )

    def undo_view(self, request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
        if request.method != "POST":
            raise Http404
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        try:
            moved = transitions.undo(batch, request.user)
        except transitions.UndoRefused as refusal:
            if request.headers.get("Accept") == "application/json":
                return JsonResponse({"error": str(refusal)}, status=409)
            self.message_user(request, str(refusal), messages.ERROR)
        else:
            message = ngettext("Undone: %(count)d comment is back.", "Undone: %(count)d comments are back.", moved)
            if request.headers.get("Accept") == "application/json":
                ids = ModerationEvent.objects.filter(batch=batch).values("comment_id")
                restored = Comment.objects.filter(pk__in=ids).values_list("pk", "status")
                statuses = {pk: [status, str(Status(status).label)] for pk, status in restored}
                return JsonResponse(
                    {"message": message % {"count": moved}, "counts": CommentStats.totals(), "statuses": statuses}
                )
            self.message_user(request, message % {"count": moved})
        return HttpResponseRedirect(request.headers.get("referer") or reverse("admin:comments_comment_changelist"))

    def reply_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        """A reply as the site, published at once (the comment replied to is approved with it, as WordPress does)."""
        if request.method != "POST":
            return JsonResponse({"error": "POST only"}, status=405)
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        parent = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
        html = sanitize_comment(text := request.POST.get("body", "").strip()[:65525])
        if shows_nothing(html):
            return JsonResponse({"error": _("Please type your reply.")}, status=400)
        with transaction.atomic():
            transitions.approve(Comment.objects.filter(pk=parent.pk), request.user)
            reply = Comment(
                article=parent.article,
                parent=parent.reply_parent(),
                author_name=settings.COMMENTS_SITE_AUTHOR,
                author_email=getattr(request.user, "email", ""),
                status=Status.APPROVED,
                held_for=Reason.MODERATOR,
                reasons=[{"code": Reason.MODERATOR}],
            )
            reply.use_body(text, html)
            try:
                with transaction.atomic():
                    reply.save()
            except IntegrityError:
                return JsonResponse({"error": _("This reply has been posted already.")}, status=409)
            transitions.record_new(reply, user=request.user)
        return JsonResponse(
            {
                "message": _("Reply published."),
                "url": reply.get_absolute_url(),
                "status": Status.APPROVED,
                "status_label": str(Status.APPROVED.label),
                "counts": CommentStats.totals(),
            }
        )

    def preview_view(self, request: HttpRequest, pk: int) -> TemplateResponse:
        """A comment that is not public, shown to the moderator as readers would see it, marked as such."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
        context = {**self.admin_site.each_context(request), "comment": comment, "title": _("Preview")}
        context |= {"opts": self.model._meta, "original": comment}
        return TemplateResponse(request, "admin/comments/comment/preview.html", context)

    def get_view_on_site_url(self, obj: Comment | None = None) -> str | None:
        if obj is None:
            return None
        return obj.get_absolute_url() if obj.is_approved else reverse("admin:comments_comment_preview", args=[obj.pk])

    # ---- the change page

    @admin.display(description=_("article"))
    def article_link(self, comment: Comment) -> str:
        return format_html('<a href="{}">{}</a>', comment.article.get_absolute_url(), comment.article.title)

    @admin.display(description=_("why it has this status"))
    def why(self, comment: Comment) -> SafeString:
        return cells.reasons(comment, full=True)

    @admin.display(description=_("in its thread"))
    def thread_context(self, comment: Comment) -> SafeString:
        replies = comment.replies.order_by("submitted_at", "pk")[:20]
        return render_to_string(
            "admin/comments/comment/_thread.html", {"comment": comment, "parent": comment.parent, "replies": replies}
        )

    @admin.display(description=_("history"))
    def history(self, comment: Comment) -> SafeString:
        events = ModerationEvent.objects.filter(comment_id=comment.pk).select_related("user")[:50]
        return render_to_string("admin/comments/comment/_history.html", {"events": events})

    @admin.display(description=_("reports"))
    def reader_reports(self, comment: Comment) -> SafeString:
        """Every report of the comment, open or decided: what was reported and what came of it, never by whom."""
        found = Report.objects.filter(comment=comment).select_related("decided_by")[:50]
        return render_to_string("admin/comments/comment/_reports.html", {"reports": found})

    @admin.display(description=_("comment (as published)"))
    def rendered_body(self, comment: Comment) -> SafeString:
        return render_to_string("comments/_body.html", {"comment": comment})

    @admin.display(description=_("author record"))
    def same_author(self, comment: Comment) -> SafeString:
        """The author panel: the mailbox's record, its network's other authors, the rules on them, acting on them all.

        Shown to moderators only (get_fieldsets). Its buttons post the change form to author_view.
        """
        return self.author_panel(comment)

    def author_panel(self, comment: Comment, request: HttpRequest | None = None) -> SafeString:
        """The panel's HTML; with a request, wrapped in a form of its own (the queue's page has no form around it)."""
        queue = reverse("admin:comments_comment_changelist")

        def same(kind: str) -> str:
            query = {"status": StatusFilter.ALL, SameAuthorFilter.parameter_name: f"{kind}:{comment.pk}"}
            return f"{queue}?{urlencode(query)}"

        context = {
            "comment": comment,
            "record": authors.record_of(comment),
            "email_url": same("email"),
            "ip_url": same("ip"),
            "network_url": same("network"),
            "ip_others": Comment.objects.filter(ip_address=comment.ip_address).exclude(pk=comment.pk).count()
            if comment.ip_address
            else 0,
            "act_url": reverse("admin:comments_comment_author", args=[comment.pk]),
            "rule_url": f"{reverse('admin:comments_authorrule_add')}?{urlencode({'from_comment': comment.pk})}",
            "rejections": Rejection.choices,
            "history_days": settings.COMMENTS_HISTORY_DAYS,
            "standalone": request is not None,
        }
        return render_to_string("admin/comments/comment/_author_panel.html", context, request=request)

    def get_fieldsets(self, request: HttpRequest, obj: Comment | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_moderate_permission(request):
            return fieldsets
        # Viewers who may not moderate see the comment, never the author's record or the readers' reports.
        hidden = {"same_author", "reader_reports"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]

    AUTHOR_MESSAGES = {
        "approve_pending": ngettext_lazy(
            "%(count)d pending comment of this author approved.",
            "%(count)d pending comments of this author approved.",
            "count",
        ),
        "spam_recent": ngettext_lazy(
            "%(count)d comment of this author marked as spam.",
            "%(count)d comments of this author marked as spam.",
            "count",
        ),
        "trash_recent": ngettext_lazy(
            "%(count)d comment of this author moved to trash.",
            "%(count)d comments of this author moved to trash.",
            "count",
        ),
    }

    def author_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Act on every comment of one comment's author (its mailbox) at once: one transaction, one Undo."""
        if request.method != "POST":
            raise Http404
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment, pk=pk)
        action = request.POST.get("author_action", "")
        days = request.POST.get("author_days", "")
        reason = request.POST.get("author_reason", "")
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
            back = reverse("admin:comments_comment_change", args=[comment.pk])
        if action not in authors.ACTIONS:
            self.message_user(request, _("Unknown action."), messages.ERROR)
        elif not comment.author_email_key:
            self.message_user(request, _("This comment has no email: there is no author to act on."), messages.ERROR)
        elif action != "approve_pending" and not (days.isascii() and days.isdigit() and 1 <= int(days) <= 3650):
            self.message_user(request, _("Give the number of days, from 1 to 3650."), messages.ERROR)
        else:
            moved, batch = authors.act_on(
                comment.author_email_key,
                action,
                request.user,
                days=int(days or 1),
                reason=reason if reason in Rejection.values else Rejection.SPAM,
                note=request.POST.get("author_note", "")[:500],
            )
            message = self.AUTHOR_MESSAGES[action] % {"count": moved}
            self.message_user(request, self.undoable(request, message, batch))
        return HttpResponseRedirect(back)

    # The change page's buttons: the same decisions as the actions of the queue.
    TRANSITIONS = ("approve", "unapprove", "mark_spam", "trash")

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = (extra_context or {}) | {
            "transitions": [(name, getattr(self, name).short_description) for name in self.TRANSITIONS],
            "rejections": Rejection.choices,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request: HttpRequest, obj: Comment) -> HttpResponse:
        name = request.POST.get("_transition", "")
        if name in self.TRANSITIONS and self.has_moderate_permission(request):
            moved, batch = decide(name, request, Comment.objects.filter(pk=obj.pk))
            self.message_user(request, self.undoable(request, DECISIONS[name][1] % {"count": moved}, batch))
            return HttpResponseRedirect(reverse("admin:comments_comment_changelist"))
        return super().response_change(request, obj)

    # ---- permissions, edits, deletion, personal data

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("comments.moderate_comment")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # comments come from readers

    def save_model(self, request: HttpRequest, obj: Comment, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        transitions.touch([obj.article_id])  # an edited name or text changes the cached page

    def delete_model(self, request: HttpRequest, obj: Comment) -> None:
        transitions.delete(Comment.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        transitions.delete(queryset)  # after Django's own confirmation page; counts stay exact

    def response_action(self, request: HttpRequest, queryset: QuerySet[Comment]) -> HttpResponse | None:
        """Django's, but a selection that names no comment (`_selected_action=None`) is a message, not a 500."""
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if not all(pk.isascii() and pk.isdigit() and len(pk) <= 18 for pk in selected):
            self.message_user(request, _("No comments were selected."), messages.WARNING)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

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
