"""Trusted, always held and blocked authors: the rules comments.rules applies to every new comment."""

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import AuthorRule, Comment
from ..normalize import email_key


class InForceFilter(admin.SimpleListFilter):
    title = _("in force")
    parameter_name = "in_force"

    def lookups(self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]") -> list[tuple[str, Any]]:
        return [("yes", _("In force")), ("no", _("Expired"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuthorRule]) -> QuerySet[AuthorRule]:
        active = AuthorRule.objects.active()
        match self.value():
            case "yes":
                return queryset & active
            case "no":
                return queryset.exclude(pk__in=active.values("pk"))
        return queryset


@admin.register(AuthorRule)
class AuthorRuleAdmin(admin.ModelAdmin[AuthorRule]):
    list_display = ["value", "target", "kind", "expires_at", "in_force", "note", "created_by", "created_at"]
    list_filter = ["kind", "target", InForceFilter]
    list_select_related = ["created_by"]
    search_fields = ["value", "note"]
    fields = ["kind", "target", "value", "expires_at", "note"]
    list_per_page = 50

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        return super().changelist_view(request, {"title": _("Trusted and blocked authors"), **(extra_context or {})})

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, rule: AuthorRule) -> bool:
        return rule.active

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[AuthorRule], search_term: str
    ) -> tuple[QuerySet[AuthorRule], bool]:
        """An address finds the rule on its mailbox however it is written ("+tag", Gmail's dots, case)."""
        results, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if "@" in term.strip("@"):
            results |= queryset.filter(Q(target=AuthorRule.Target.EMAIL, value=email_key(term)))
        return results, duplicates

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """From a comment's author panel: the rule starts on its mailbox (the URL names the comment, not the email)."""
        initial = super().get_changeform_initial_data(request)
        pk = request.GET.get("from_comment", "")
        if pk.isascii() and pk.isdigit():
            comment = Comment.objects.filter(pk=pk).only("author_email_key", "ip_address").first()
            if comment and comment.author_email_key:
                initial |= {"target": AuthorRule.Target.EMAIL, "value": comment.author_email_key}
            elif comment and comment.ip_address:
                initial |= {"target": AuthorRule.Target.NETWORK, "value": comment.ip_address}
        initial.pop("from_comment", None)
        return initial

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AuthorRule]) -> None:
        super().delete_queryset(request, queryset)
        AuthorRule.publish()  # a bulk delete bypasses AuthorRule.delete()

    def save_model(self, request: HttpRequest, obj: AuthorRule, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]  # a logged-in moderator
        super().save_model(request, obj, form, change)
