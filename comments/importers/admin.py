"""The article admin's "Export as WordPress file" action.

It lives in the comments app because the export is mostly comments, and articles must not
import comments: this module replaces the article admin's registration with a subclass
that adds the action (comments/admin.py imports it, so the admin's autodiscovery runs it).
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.admin import ArticleAdmin
from articles.models import Article

from .export import wxr_chunks


@admin.action(description=_("Export as WordPress file"), permissions=["export"])
def export_as_wordpress(
    modeladmin: "admin.ModelAdmin[Article]", request: HttpRequest, queryset: QuerySet[Article]
) -> StreamingHttpResponse:
    """The selected articles and all their comments, emails and IPs included, as a WXR 1.2 download."""
    response = StreamingHttpResponse(wxr_chunks(queryset), content_type="application/rss+xml; charset=utf-8")
    name = f"skinsite-{timezone.now():%Y-%m-%d}.xml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


class ArticleExportAdmin(ArticleAdmin):
    actions = [export_as_wordpress]

    def has_export_permission(self, request: HttpRequest) -> bool:
        """The file holds commenters' emails and IPs: moderators only, as in the moderation queue."""
        return request.user.has_perm("comments.moderate_comment")


if admin.site.is_registered(Article):
    admin.site.unregister(Article)
admin.site.register(Article, ArticleExportAdmin)
