"""The Reported view: comments with open reports from readers, newest report first, with counts and reasons.

Moderators keep a comment (dismiss its reports) or decide on it as in the queue; every
decision goes through comments.transitions, which closes the reports and tells the
reporters who asked. Reporters are shown by what they reported, never by who they are.
"""

from collections import Counter, defaultdict
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import reports
from ..models import Comment, Report, ReportedComment
from .queue import DECISIONS, CommentCells, DecisionForm, decide


class ReportedChangeList(ChangeList):
    """The changelist, plus the open reports of the page's comments in one query."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        found: defaultdict[int, list[Report]] = defaultdict(list)
        for report in Report.objects.open().filter(comment_id__in=[c.pk for c in self.result_list]):
            found[report.comment_id].append(report)
        for comment in self.result_list:
            comment.open_report_list = found[comment.pk]


def _decision(name: str, description: Any) -> Any:
    """An action running one of the queue's decisions on the selected comments."""

    def action(modeladmin: "ReportedCommentAdmin", request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        moved, _batch = decide(
            name, request, Comment.objects.filter(pk__in=list(queryset.values_list("pk", flat=True)))
        )
        modeladmin.message_user(request, DECISIONS[name][1] % {"count": moved})

    action.__name__ = name
    return admin.action(description=description, permissions=["moderate"])(action)


@admin.register(ReportedComment)
class ReportedCommentAdmin(CommentCells, admin.ModelAdmin[ReportedComment]):
    list_display = ["comment_cell", "author", "status_cell", "reports_cell", "last_reported_at"]
    list_display_links = None
    list_select_related = ["article", "parent"]
    list_per_page = 50
    sortable_by = ()
    show_full_result_count = False
    action_form = DecisionForm
    actions = ["dismiss_reports", "unapprove", "mark_spam", "trash"]

    unapprove = _decision("unapprove", _("Unapprove"))
    mark_spam = _decision("mark_spam", _("Mark as spam"))
    trash = _decision("trash", _("Move to trash"))

    class Media:
        css = {"all": ["comments/admin/queue.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportedComment]:
        # Not ModelAdmin's, which orders by get_ordering() before the annotation it names exists.
        return reports.open_report_counts(self.model._default_manager.get_queryset())

    def get_ordering(self, request: HttpRequest) -> list[str]:
        return ["-last_reported", "-pk"]  # the comment reported last first (not the model's order)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ReportedChangeList

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        return super().changelist_view(request, {"title": _("Reported by readers"), **(extra_context or {})})

    @admin.action(description=_("Dismiss the reports (keep the comment)"), permissions=["moderate"])
    def dismiss_reports(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        kept = reports.dismiss(Comment.objects.filter(pk__in=list(queryset.values_list("pk", flat=True))), request.user)
        message = ngettext(
            "Reports dismissed: %(count)d comment kept.", "Reports dismissed: %(count)d comments kept.", kept
        )
        self.message_user(request, message % {"count": kept})

    @admin.display(description=_("author"))
    def author(self, comment: Comment) -> str:
        return comment.author_name

    @admin.display(description=_("reports"))
    def reports_cell(self, comment: Comment) -> SafeString:
        found: list[Report] = getattr(comment, "open_report_list", [])
        kinds = Counter(report.get_kind_display() for report in found)
        context = {"found": found, "kinds": sorted(kinds.items()), "count": len(found)}
        return render_to_string("admin/comments/comment/_reports_cell.html", context)

    @admin.display(description=_("last reported"))
    def last_reported_at(self, comment: Any) -> Any:
        return comment.last_reported

    # Moderators see and decide; nobody adds, edits or deletes through this view.
    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("comments.moderate_comment")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_moderate_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
