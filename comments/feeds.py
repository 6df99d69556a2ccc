"""RSS 2.0 feeds of approved comments: per article and for the whole site. Never an email or IP."""

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.models import Article

from .models import Comment

FEED_LENGTH = 50


class LatestCommentsFeed(Feed):
    title = _("skinsite: latest comments")
    description = _("The latest approved comments on skinsite.")

    def link(self) -> str:
        return reverse("home")

    def items(self) -> QuerySet[Comment]:
        # Only comments of articles readers can see (an imported draft keeps its comments, unshown).
        return self.latest(Comment.objects.approved().filter(article__in=Article.objects.published()))

    @staticmethod
    def latest(comments: QuerySet[Comment]) -> QuerySet[Comment]:
        return comments.select_related("article").order_by("-submitted_at", "-pk")[:FEED_LENGTH]

    def item_title(self, comment: Comment) -> str:
        # The name isolated (FSI … PDI), so a right-to-left override in it cannot reorder the title.
        name = f"\u2068{comment.author_name}\u2069"
        return _("%(name)s on “%(title)s”") % {"name": name, "title": comment.article.title}

    def item_description(self, comment: Comment) -> str:
        return comment.body_html  # the sanitiser's output, escaped once more by the feed writer

    def item_link(self, comment: Comment) -> str:
        return comment.get_absolute_url()

    def item_author_name(self, comment: Comment) -> str:
        return comment.author_name

    def item_pubdate(self, comment: Comment) -> datetime:
        return comment.submitted_at

    def item_guid(self, comment: Comment) -> str:
        return f"{settings.SITE_URL}{comment.get_absolute_url()}"

    item_guid_is_permalink = False


class ArticleCommentsFeed(LatestCommentsFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Article:
        return get_object_or_404(Article.objects.published(), slug=slug)

    # Django's Feed calls each of these with the feed's object when they take one: not the parent's signatures.
    def title(self, article: Article) -> str:  # type: ignore[override]
        return _("Comments on “%(title)s”") % {"title": article.title}

    def description(self, article: Article) -> str:  # type: ignore[override]
        return self.title(article)

    def link(self, article: Article) -> str:  # type: ignore[override]
        return article.get_absolute_url()

    def items(self, article: Article) -> QuerySet[Comment]:  # type: ignore[override]
        return self.latest(Comment.objects.approved().for_article(article))
