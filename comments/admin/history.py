"""The moderation history: append-only, readable by moderators, changeable by nobody (superusers included)."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import ModerationEvent

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ByFilter(admin.SimpleListFilter):
    """Recently moderated: by me, or by everyone."""

    title = _("moderated by")
    parameter_name = "by"

    def lookups(self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]") -> list[tuple[str, Any]]:
        return [("me", _("Me")), ("moderators", _("Moderators")), ("rules", _("Rules and imports"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ModerationEvent]) -> QuerySet[ModerationEvent]:
        match self.value():
            case "me":
                return queryset.filter(user=request.user)  # type: ignore[misc]
            case "moderators":
                return queryset.exclude(user=None)
            case "rules":
                return queryset.filter(user=None)
        return queryset


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin[ModerationEvent]):
    list_display = ["at", "comment_link", "from_status", "to_status", "actor", "reason", "note", "undo_of"]
    list_filter = [ByFilter, "to_status", "reason"]
    list_select_related = ["user"]
    list_per_page = 50
    show_full_result_count = False
    sortable_by = ()

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        return super().changelist_view(request, {"title": _("Recently moderated"), **(extra_context or {})})

    # Append-only: nobody adds, changes or deletes a row through the admin, superusers included.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ModerationEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ModerationEvent | None = None) -> bool:
        return False

    @admin.display(description=_("comment"))
    def comment_link(self, event: ModerationEvent) -> str:
        url = reverse("admin:comments_comment_change", args=[event.comment_id])
        return format_html('<a href="{}">#{}</a>', url, event.comment_id)

    @admin.display(description=_("by"))
    def actor(self, event: ModerationEvent) -> str:
        return event.actor

    @admin.display(description=_("undo of"))
    def undo_of(self, event: ModerationEvent) -> "StrOrPromise":
        return _("an earlier action") if event.undoes else ""
